// `framekit track` at 1080p over a video with an audio stream, Silero VAD on and off (--no-vad),
// alternating in one run, in Node and Bun. The input is made by ffmpeg from test/fixtures/astronaut.png
// (a slow pan, MPEG-4 part 2) with test/fixtures/speech-16k.wav as its audio (FLAC, padded with silence).
// Run after `npm run build:ts`:
//   node bench/track-vad.mjs [--rounds 3] [--seconds 10] [--out bench/results/track-vad-epyc-2core.json]
// Every round runs each mode once per runtime, Node and Bun alternating, the mode order flipping
// from round to round; the ratio is VAD on / VAD off of the end-to-end frame rate.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, runtimes, spread } from './track-runs.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const dir = join(tmpdir(), 'framekit-bench');
mkdirSync(dir, { recursive: true });
const video = join(dir, `astronaut-1080p-speech-${seconds}s.mkv`);
if (!existsSync(video)) {
  execFileSync('ffmpeg', [
    '-loglevel',
    'error',
    '-y',
    '-loop',
    '1',
    '-framerate',
    '30',
    '-i',
    'test/fixtures/astronaut.png',
    '-i',
    'test/fixtures/speech-16k.wav',
    '-filter_complex',
    "[0:v]scale=1920:-2,crop=1920:1080:0:'min(ih-1080,t*40)',format=yuv420p[v];[1:a]apad[a]",
    '-map',
    '[v]',
    '-map',
    '[a]',
    '-t',
    String(seconds),
    '-r',
    '30',
    '-c:v',
    'mpeg4',
    '-q:v',
    '2',
    '-c:a',
    'flac',
    video,
  ]);
}

function trackOnce(exe, vad) {
  const args = ['dist/ts/cli/main.js', 'track', video, '--json', ...(vad ? [] : ['--no-vad'])];
  const r = spawnSync(exe, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${exe} ${args.join(' ')} failed: ${r.stderr}`);
  const lines = r.stdout.trim().split('\n');
  const s = JSON.parse(lines.at(-1)).summary;
  const v = s.audio?.vad ?? null;
  if (vad && !v) throw new Error(`${exe}: no VAD ran: ${s.audio?.speechMissing}`);
  return {
    fps: s.fps,
    pipelineFps: s.pipelineFps,
    totalP99: s.latencyMs.total.p99,
    frames: s.frames,
    ...(v
      ? {
          runtime: v.runtime,
          warmMs: v.warmMs,
          segments: v.segments,
          framesWithResult: v.framesWithResult,
          late: v.late,
          windows: v.windows,
          skipped: v.skipped,
          realTimeFactor: v.realTimeFactor,
          modelMs: v.modelMs,
          /**
           * The VAD's model time over the run's wall time (ORT runs on the media thread). An upper bound of
           * the VAD's share: a window's time runs from its call to its result, and onnxruntime-node starts
           * the call one event-loop turn later, where other work may run.
           */
          modelShareOfWall: +(v.modelMs / ((1000 * s.frames) / s.fps)).toFixed(4),
        }
      : {}),
  };
}

const results = {
  command: `node bench/track-vad.mjs --rounds ${rounds} --seconds ${seconds}`,
  input: `${video} (1920x1080 MPEG-4 at 30 fps, ${seconds * 30} frames; FLAC 16 kHz mono, speech-16k.wav then silence)`,
  cpus: `${cpus().length} x ${cpus()[0]?.model}`,
  loadAverageAtStart: loadavg().map((x) => +x.toFixed(2)),
  date: new Date().toISOString(),
  ...(process.env.FRAMEKIT_BENCH_NOTE ? { note: process.env.FRAMEKIT_BENCH_NOTE } : {}),
  runtimes: {},
};
const all = new Map(runtimes.map(([name]) => [name, { off: [], on: [] }]));
for (const [, exe] of runtimes) trackOnce(exe, true); // warm-up: page cache, model file
for (let i = 0; i < rounds; i++) {
  const order = i % 2 ? [true, false] : [false, true];
  for (const vad of order) for (const [name, exe] of runtimes) all.get(name)[vad ? 'on' : 'off'].push(trackOnce(exe, vad));
}
for (const [name] of runtimes) {
  const { off, on } = all.get(name);
  const fpsOff = median(off.map((r) => r.fps));
  const fpsOn = median(on.map((r) => r.fps));
  const row = {
    fpsOff,
    fpsOn,
    /** Median fps with the VAD over median fps without it. */
    ratio: +(fpsOn / fpsOff).toFixed(3),
    /** Each round's on/off ratio (the two runs of a round ran next to each other). */
    roundRatios: on.map((r, i) => +(r.fps / off[i].fps).toFixed(3)),
    fpsOffSpread: spread(off.map((r) => r.fps)),
    fpsOnSpread: spread(on.map((r) => r.fps)),
    pipelineFpsOff: median(off.map((r) => r.pipelineFps)),
    pipelineFpsOn: median(on.map((r) => r.pipelineFps)),
    latencyTotalP99Off: median(off.map((r) => r.totalP99)),
    latencyTotalP99On: median(on.map((r) => r.totalP99)),
    late: on.map((r) => r.late),
    framesWithResult: on.map((r) => `${r.framesWithResult}/${r.frames}`),
    vadRealTimeFactor: median(on.map((r) => r.realTimeFactor)),
    modelShareOfWall: median(on.map((r) => r.modelShareOfWall)),
    warmMs: median(on.map((r) => r.warmMs)),
  };
  results.runtimes[name] = { ...row, runs: { off, on } };
  console.log(name, JSON.stringify(row));
}
results.loadAverageAtEnd = loadavg().map((x) => +x.toFixed(2));
if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
