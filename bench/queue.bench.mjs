// Scale-out on the Redis job queue: the same clips through 1 and then 2 `framekit worker` processes
// (one job at a time each), a real redis-server on loopback. Writes bench/results/queue.json.
//
//   npm run build && node bench/queue.bench.mjs [--clips 6] [--frames 150] [--size 640x480]
//
// Measures: frames per second over the cluster (frames / batch wall time), the queue's overhead per
// job ((wall x workers - time inside the jobs) / jobs: dispatch, locks, progress, result storage, but
// not the child process's start, which is inside the job), and the time from a worker's death
// (SIGKILL mid-job) to its job's restart on another worker, at the lock duration given.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { cli, freePort, ROOT, startRedis, startWorker, tmp, writeClip } from '../test/node/queue-helpers.mjs';

const { values } = parseArgs({
  options: {
    clips: { type: 'string', default: '6' },
    frames: { type: 'string', default: '150' },
    size: { type: 'string', default: '640x480' },
    'lock-ms': { type: 'string', default: '2000' },
    out: { type: 'string', default: join(ROOT, 'bench', 'results', 'queue.json') },
  },
});
const [width, height] = values.size.split('x').map(Number);
const frames = Number(values.frames);
const dir = tmp('fk-queue-bench-');
const photos = ['astronaut.png', 'coffee.png', 'hubble_deep_field.jpg', 'rocket.jpg'];
const pngOnly = photos.filter((p) => p.endsWith('.png'));
const clips = Array.from({ length: Number(values.clips) }, (_, i) =>
  writeClip(join(dir, `clip${i}.y4m`), { photo: pngOnly[i % pngOnly.length], width, height, frames, dx: 1 + (i % 2), dy: i % 2 }),
);
const port = await freePort();
const redis = await startRedis(port);
const runs = [];
try {
  for (const n of [1, 2, 1, 2]) {
    const name = `bench-${n}-${runs.length}`;
    const queue = `redis://127.0.0.1:${port}/${name}`;
    const out = join(dir, name);
    mkdirSync(out);
    const ws = Array.from({ length: n }, () => startWorker(queue, ['--concurrency', '1', '--lock-ms', values['lock-ms']]));
    await Promise.all(ws.map((w) => w.waitFor(/ 1 at once/)));
    const r = await cli(['batch', ...clips, '--queue', queue, '--out', out, '--json']);
    if (r.code !== 0) throw new Error(r.stderr);
    const s = JSON.parse(r.stdout).summary;
    const jobMs = ws.flatMap((w) =>
      w.lines
        .map((l) => /done: \d+ frames in ([\d.]+) s/.exec(l))
        .filter(Boolean)
        .map((m) => 1000 * Number(m[1])),
    );
    const inside = jobMs.reduce((a, b) => a + b, 0);
    runs.push({
      workers: n,
      jobs: s.files,
      frames: s.frames,
      wallS: s.wallS,
      fps: s.fps,
      meanJobMs: +(inside / jobMs.length).toFixed(1),
      queueOverheadMsPerJob: +((s.wallS * 1000 * n - inside) / s.files).toFixed(1),
    });
    for (const w of ws) w.proc.kill('SIGTERM');
    await Promise.all(ws.map((w) => w.exited));
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
    const batch = cli(['batch', clips[0], '--queue', queue, '--out', out, '--json']);
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
  const by = (n) => runs.filter((r) => r.workers === n);
  const result = {
    what: 'framekit batch over framekit worker processes (BullMQ on redis-server, loopback), Y4M clips tracked by framekit track',
    command: `node bench/queue.bench.mjs --clips ${values.clips} --frames ${frames} --size ${values.size} --lock-ms ${values['lock-ms']}`,
    date: new Date().toISOString(),
    runtime: `node ${process.version}`,
    cpu: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    clips: clips.length,
    framesPerClip: frames,
    size: values.size,
    runs,
    fps1: med(by(1).map((r) => r.fps)),
    fps2: med(by(2).map((r) => r.fps)),
    speedup2: +(med(by(2).map((r) => r.fps)) / med(by(1).map((r) => r.fps))).toFixed(3),
    // From the one-worker runs: with two, a worker idle at the end while the other finishes its last job counts too.
    queueOverheadMsPerJob: med(by(1).map((r) => r.queueOverheadMsPerJob)),
    lockMs: Number(values['lock-ms']),
    deathToRestartMs: restarts,
  };
  writeFileSync(values.out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
} finally {
  await redis.stop();
}
