// `framekit track` at 1080p with the face stage on and off, alternating in one run, in Node and Bun.
// The input is a Y4M made by ffmpeg from test/fixtures/astronaut.png (a slow pan over the face).
// Run after `npm run build`:
//   node bench/track-faces.mjs [--rounds 5] [--seconds 20] [--modes 0,1,4] [--out bench/results/track-faces-epyc-2core.json]
// A run of 20 s of video (600 frames) lasts 3 to 5 s at 1080p: shorter runs let one scheduling
// hiccup of the machine move a run's rate by 10% or more.
// --modes: 0 is the face stage off, N is `--faces --faces-every N`; every round runs each mode once
// per runtime, Node and Bun alternating, in an order that rotates from round to round.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, runtimes, spread } from './track-runs.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '20' },
    modes: { type: 'string', default: '0,1,4' },
    out: { type: 'string' },
    /**
     * Linux: MEDIA:OTHER, e.g. 1:0. The process's main thread (the media loop) is kept on CPU MEDIA and
     * every other thread of it (ONNX Runtime's worker, libuv's pool, the engine's helpers) on CPU OTHER,
     * in both modes, with `taskset` as threads appear. On a virtual machine whose CPUs run at different
     * speeds, where the kernel puts the media thread otherwise decides a run's rate more than the stage.
     */
    pin: { type: 'string' },
  },
});
const pin = values.pin ? values.pin.split(':').map(Number) : null;
if (pin && (pin.length !== 2 || pin.some((c) => !Number.isInteger(c) || c < 0))) throw new Error('--pin MEDIA:OTHER, two CPU numbers');
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
// In memory where the machine has a tmpfs (/dev/shm): 20 s of 1080p I420 is 1.9 GB, and a page cache
// that the kernel trims while the bench runs would turn some runs' frames into disk reads.
const dir = existsSync('/dev/shm') ? '/dev/shm/framekit-bench' : join(tmpdir(), 'framekit-bench');
mkdirSync(dir, { recursive: true });
const video = join(dir, `astronaut-1080p-${seconds}s.y4m`);
if (!existsSync(video)) {
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-loop',
    '1',
    '-i',
    'test/fixtures/astronaut.png',
    '-vf',
    "scale=1920:-2,crop=1920:1080:0:'min(ih-1080,t*40)',format=yuv420p",
    '-t',
    String(seconds),
    '-r',
    '30',
    video,
  ]);
}

/** The most consecutive frame lines without a `faces` entry (a result attached, faces found or not), and the frames before the first. */
function longestGap(lines) {
  let gap = 0;
  let worst = 0;
  for (const l of lines) {
    if (l.includes('"faces":[')) gap = 0;
    else worst = Math.max(worst, ++gap);
  }
  return worst;
}

/** Runs `exe args`; with --pin, moves its threads as they appear (the main thread to pin[0], the rest to pin[1]). */
function runPinned(exe, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    const placed = new Set();
    const place = () => {
      let tids;
      try {
        tids = readdirSync(`/proc/${child.pid}/task`);
      } catch {
        return;
      }
      for (const t of tids) {
        if (placed.has(t)) continue;
        const cpu = Number(t) === child.pid ? pin[0] : pin[1];
        try {
          execFileSync('taskset', ['-p', '-c', String(cpu), t], { stdio: 'ignore' });
          placed.add(t);
        } catch {
          // the thread ended meanwhile
        }
      }
    };
    const timer = pin ? setInterval(place, 10) : null;
    if (pin) place();
    child.on('error', reject);
    child.on('close', (status) => {
      if (timer) clearInterval(timer);
      resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

/** `every`: 0 for the face stage off, else `--faces --faces-every N`. */
async function trackOnce(exe, every) {
  const args = ['dist/ts/cli/main.js', 'track', video, '--json', ...(every ? ['--faces', '--faces-every', String(every)] : [])];
  const r = await runPinned(exe, args);
  if (r.status !== 0) throw new Error(`${exe} ${args.join(' ')} failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const s = JSON.parse(lines.at(-1)).summary;
  return {
    fps: s.fps,
    pipelineFps: s.pipelineFps,
    totalP50: s.latencyMs.total.p50,
    totalP99: s.latencyMs.total.p99,
    frames: s.frames,
    faces: s.faces ?? null,
    linesWithFaces: lines.slice(0, -1).filter((l) => l.includes('"faces":[{')).length,
    longestGap: longestGap(lines.slice(0, -1)),
  };
}

const results = {
  command: `node bench/track-faces.mjs --rounds ${rounds} --seconds ${seconds} --modes ${values.modes}${pin ? ` --pin ${values.pin}` : ''}`,
  input: `${video} (1920x1080 I420, ${seconds * 30} frames)`,
  cpus: `${cpus().length} x ${cpus()[0]?.model}`,
  loadAverageAtStart: loadavg().map((x) => +x.toFixed(2)),
  date: new Date().toISOString(),
  runtimes: {},
};
const modes = values.modes.split(',').map(Number);
if (modes[0] !== 0 || modes.some((m) => !Number.isInteger(m) || m < 0)) throw new Error('--modes: 0 (off) first, then faces-every values');
const all = new Map(runtimes.map(([name]) => [name, new Map(modes.map((m) => [m, []]))]));
for (const [, exe] of runtimes) await trackOnce(exe, 1); // warm-up: page cache, model file
for (let i = 0; i < rounds; i++) {
  // Rotate the order so drift in the machine's load falls on every mode, and alternate the runtimes.
  for (let k = 0; k < modes.length; k++) {
    const m = modes[(i + k) % modes.length];
    for (const [name, exe] of runtimes)
      all
        .get(name)
        .get(m)
        .push(await trackOnce(exe, m));
  }
}
for (const [name] of runtimes) {
  const runs = all.get(name);
  const off = runs.get(0);
  const fpsOff = median(off.map((r) => r.fps));
  const row = {
    fpsOff,
    pipelineFpsOff: median(off.map((r) => r.pipelineFps)),
    latencyTotalP99Off: median(off.map((r) => r.totalP99)),
    fpsOffSpread: spread(off.map((r) => r.fps)),
  };
  for (const m of modes.slice(1)) {
    const on = runs.get(m);
    const fpsOn = median(on.map((r) => r.fps));
    row[`facesEvery${m}`] = {
      fps: fpsOn,
      ratio: +(fpsOn / fpsOff).toFixed(3),
      fpsSpread: spread(on.map((r) => r.fps)),
      /** Each round's on/off ratio (the runs of a round ran next to each other). */
      roundRatios: on.map((r, i) => +(r.fps / off[i].fps).toFixed(3)),
      roundRatioMedian: +median(on.map((r, i) => r.fps / off[i].fps)).toFixed(3),
      pipelineFps: median(on.map((r) => r.pipelineFps)),
      latencyTotalP99: median(on.map((r) => r.totalP99)),
      inferenceP50Ms: median(on.map((r) => r.faces.inferenceMs.p50)),
      framesWithFaces: on.map((r) => `${r.faces.framesWithFaces}/${r.frames}`),
      /** The longest run of frames with no face result attached, median over rounds (faces on 1 frame in N at least). */
      longestGapMedian: median(on.map((r) => r.longestGap)),
      longestGapMax: Math.max(...on.map((r) => r.longestGap)),
      inferences: on.map((r) => r.faces.runs),
    };
  }
  results.runtimes[name] = { ...row, runs: Object.fromEntries([...runs].map(([m, r]) => [m ? `facesEvery${m}` : 'off', r])) };
  console.log(name, JSON.stringify(row));
}
results.loadAverageAtEnd = loadavg().map((x) => +x.toFixed(2));
if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
