// Scale-out on the Redis job queue: the same clips through 1 and then 2 `framekit worker` processes
// of one job slot each (a one-core machine each), and through 1 process with 2 job slots (its two
// track threads), on a real redis-server on loopback. Writes bench/results/queue.json.
//
//   npm run build && node bench/queue.bench.mjs [--clips 8] [--frames 900] [--size 640x480] [--repeats 3]
//
// The clips: distinct recordings (each its own photograph or its own stretch of the path) filmed along
// the tracker's synthetic camera path (ts/track/synthetic.ts: sway of a few degrees and a few percent,
// frames moving by a few pixels), 30 s at 30 fps each by default, written as Y4M. Each clip's
// content differs, so each is a job of its own (equal content would be one job: batch dedupes it).
//
// Measures, per run: frames per second over the cluster (frames / batch wall time), the CPU time
// the worker processes spent per frame, the load average around it (the machine may be shared), the
// queue's overhead per job ((wall x slots - time inside the jobs) / jobs: dispatch, locks, progress,
// completion, with one slot; with two, a slot idle at the end while the other finishes counts too),
// and the cores the workers kept busy (CPU time / wall time: below 1 per slot, the machine's other
// load took the rest, so a ratio from a shared machine understates what two idle cores give).
// The configurations alternate (1x1, 2x1, 1x2, then again) so each ratio compares neighbours in time.
// Then the time from a worker's death (SIGKILL mid-job) to its job's restart on another worker.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cli, freePort, ROOT, startRedis, startWorker, tmp } from '../test/node/queue-helpers.mjs';

const { values } = parseArgs({
  options: {
    clips: { type: 'string', default: '8' },
    frames: { type: 'string', default: '900' },
    size: { type: 'string', default: '640x480' },
    repeats: { type: 'string', default: '3' },
    'lock-ms': { type: 'string', default: '2000' },
    out: { type: 'string', default: join(ROOT, 'bench', 'results', 'queue.json') },
  },
});
const [width, height] = values.size.split('x').map(Number);
const frames = Number(values.frames);
const repeats = Number(values.repeats);
const dir = tmp('fk-queue-bench-');

const D = join(ROOT, 'dist', 'ts');
const { createFramekit } = await import(join(D, 'index.js'));
const { readImageFile } = await import(join(D, 'io', 'image.js'));
const { cameraPath, photoMap } = await import(join(D, 'track', 'synthetic.js'));

/** Writes a Y4M clip: `frames` frames of the camera path over `photo` from path frame `start` (neutral chroma). */
async function writePathClip(path, photo, start) {
  const img = await readImageFile(join(ROOT, 'test', 'fixtures', photo));
  const fk = await createFramekit({ maxWidth: Math.max(width, img.width), maxHeight: Math.max(height, img.height) });
  const rgba = fk.writePixels(fk.allocPlane(img.width, img.height, img.format), img.data);
  const luma = fk.gray(fk.allocPlane(img.width, img.height, 'gray', { stride: img.width }), rgba);
  const frame = fk.allocPlane(width, height, 'gray', { stride: width });
  const cam = cameraPath(width, height, img.width);
  const map = new Float64Array(9);
  const chroma = Buffer.alloc(2 * ((width + 1) >> 1) * ((height + 1) >> 1), 128);
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, `YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`);
    for (let k = 0; k < frames; k++) {
      fk.warpPerspective(frame, luma, photoMap(cam.frame(start + k), img.width, img.height, map), {
        inverseMap: true,
        border: 'replicate',
      });
      writeSync(fd, 'FRAME\n');
      writeSync(fd, fk.heap.subarray(frame.ptr, frame.ptr + width * height));
      writeSync(fd, chroma);
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

const photos = ['astronaut.png', 'coffee.png', 'chelsea.png', 'camera.png', 'hubble_deep_field.jpg', 'rocket.jpg'];
const clips = [];
for (let i = 0; i < Number(values.clips); i++)
  clips.push(await writePathClip(join(dir, `clip${i}.y4m`), photos[i % photos.length], 211 * i));

/** User + system CPU seconds of a process so far (all its threads), from /proc. */
function cpuS(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / 100; // utime, stime: fields 14 and 15, in clock ticks (100 Hz)
}

const port = await freePort();
const redis = await startRedis(port);
const runs = [];
try {
  const configs = [
    { processes: 1, slots: 1 },
    { processes: 2, slots: 1 },
    { processes: 1, slots: 2 },
  ];
  for (let rep = 0; rep < repeats; rep++)
    for (const c of configs) {
      const name = `bench-${c.processes}x${c.slots}-${rep}`;
      const queue = `redis://127.0.0.1:${port}/${name}`;
      const out = join(dir, name);
      mkdirSync(out);
      const ws = Array.from({ length: c.processes }, () =>
        startWorker(queue, ['--concurrency', String(c.slots), '--lock-ms', values['lock-ms']]),
      );
      await Promise.all(ws.map((w) => w.waitFor(new RegExp(` ${c.slots} at once`))));
      const cpu0 = ws.map((w) => cpuS(w.proc.pid));
      const load0 = loadavg()[0];
      const r = await cli(['batch', ...clips, '--queue', queue, '--out', out, '--json']);
      if (r.code !== 0) throw new Error(r.stderr);
      const cpu = ws.reduce((a, w, i) => a + cpuS(w.proc.pid) - cpu0[i], 0);
      const s = JSON.parse(r.stdout).summary;
      const jobMs = ws.flatMap((w) =>
        w.lines
          .map((l) => /done: \d+ frames in ([\d.]+) s/.exec(l))
          .filter(Boolean)
          .map((m) => 1000 * Number(m[1])),
      );
      // Every clip is a job of its own, run once.
      if (jobMs.length !== clips.length || s.frames !== clips.length * frames)
        throw new Error(`${name}: ${jobMs.length} jobs ran for ${clips.length} clips, ${s.frames} frames`);
      const inside = jobMs.reduce((a, b) => a + b, 0);
      const slots = c.processes * c.slots;
      runs.push({
        config: `${c.processes}x${c.slots}`,
        processes: c.processes,
        slotsPerProcess: c.slots,
        jobs: jobMs.length,
        frames: s.frames,
        wallS: s.wallS,
        fps: s.fps,
        workerCpuMsPerFrame: +((1000 * cpu) / s.frames).toFixed(3),
        // Cores the worker processes kept busy on average: at most 1 per slot; less when the machine's other load takes the rest.
        workerCores: +(cpu / s.wallS).toFixed(2),
        meanJobMs: +(inside / jobMs.length).toFixed(1),
        queueOverheadMsPerJob: +((s.wallS * 1000 * slots - inside) / jobMs.length).toFixed(1),
        loadAvg1m: [+load0.toFixed(2), +loadavg()[0].toFixed(2)],
      });
      for (const w of ws) w.proc.kill('SIGTERM');
      await Promise.all(ws.map((w) => w.exited));
      rmSync(out, { recursive: true, force: true });
      console.error(JSON.stringify(runs.at(-1)));
    }

  // Death to restart: two workers, kill the one that takes the job mid-run.
  const restarts = [];
  for (let k = 0; k < 3; k++) {
    const queue = `redis://127.0.0.1:${port}/death-${k}`;
    const out = join(dir, `death-${k}`);
    mkdirSync(out);
    const ws = [0, 1].map(() => startWorker(queue, ['--concurrency', '1', '--lock-ms', values['lock-ms']]));
    await Promise.all(ws.map((w) => w.waitFor(/ 1 at once/)));
    const batch = cli(['batch', clips[k], '--queue', queue, '--out', out, '--json']);
    const [victim, line] = await Promise.race(ws.map((w, i) => w.waitFor(/job \S+ started/).then((l) => [i, l])));
    const id = /job (\S+) started/.exec(line)[1];
    await new Promise((r) => setTimeout(r, 200));
    ws[victim].proc.kill('SIGKILL');
    const t0 = performance.now();
    await ws[1 - victim].waitFor(new RegExp(`job ${id} started`), 120000);
    restarts.push(+(performance.now() - t0).toFixed(0));
    await batch;
    ws[1 - victim].proc.kill('SIGTERM');
    await ws[1 - victim].exited;
  }

  const med = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  const fpsOf = (cfg) => runs.filter((r) => r.config === cfg).map((r) => r.fps);
  // Each repeat's 2x1 (and 1x2) run against the 1x1 run just before it: ratios of neighbours in time.
  const pairs = (cfg) =>
    Array.from({ length: repeats }, (_, i) => {
      const one = runs[i * configs.length];
      const two = runs.find((r, j) => r.config === cfg && j > i * configs.length && j < (i + 1) * configs.length);
      return +(two.fps / one.fps).toFixed(3);
    });
  const result = {
    what: 'framekit batch over framekit worker processes (BullMQ on redis-server, loopback), Y4M clips along the synthetic camera path, each job tracked on a warm track thread',
    command: `node bench/queue.bench.mjs --clips ${values.clips} --frames ${frames} --size ${values.size} --repeats ${repeats} --lock-ms ${values['lock-ms']}`,
    date: new Date().toISOString(),
    runtime: `node ${process.version}`,
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    clips: clips.length,
    framesPerClip: frames,
    clipSeconds: frames / 30,
    size: values.size,
    runs,
    fps1x1: med(fpsOf('1x1')),
    fps2x1: med(fpsOf('2x1')),
    fps1x2: med(fpsOf('1x2')),
    // Two worker processes of one slot each against one: the scale-out figure.
    speedup2x1: +(med(fpsOf('2x1')) / med(fpsOf('1x1'))).toFixed(3),
    speedup2x1PerRepeat: pairs('2x1'),
    // One worker process with two track threads against one with one.
    speedup1x2: +(med(fpsOf('1x2')) / med(fpsOf('1x1'))).toFixed(3),
    speedup1x2PerRepeat: pairs('1x2'),
    // From the one-slot runs: with two slots, a slot idle at the end while the other finishes counts too.
    queueOverheadMsPerJob: med(runs.filter((r) => r.config === '1x1').map((r) => r.queueOverheadMsPerJob)),
    lockMs: Number(values['lock-ms']),
    deathToRestartMs: restarts,
  };
  writeFileSync(values.out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
}
