// `framekit track` on the embedded default (1280x720, 300 frames): the next frame rendered on a
// worker thread while the current one is tracked (`--render-on worker`, the default) against
// rendered on the main thread between frames (`--render-on main`), Node and Bun, alternating in one
// run; end-to-end fps, the pipeline's own fps and their ratio per run, medians. Run after `npm run build`:
//   node bench/track-render.mjs [--rounds 3] [--out bench/results/track-render-epyc-2core.json]
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { median, runtimes } from './track-runs.mjs';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, out: { type: 'string' } } });
const rounds = Number(values.rounds);
const modes = ['worker', 'main'];

function trackOnce(exe, mode) {
  const args = ['dist/ts/cli/main.js', 'track', '--json', '--render-on', mode];
  const r = spawnSync(exe, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${exe} ${args.join(' ')} failed: ${r.stderr}`);
  const s = JSON.parse(r.stdout.trim().split('\n').at(-1)).summary;
  return { fps: s.fps, pipelineFps: s.pipelineFps, ratio: +(s.fps / s.pipelineFps).toFixed(3) };
}

const results = {
  command: `node bench/track-render.mjs --rounds ${rounds}`,
  cpus: `${cpus().length} x ${cpus()[0]?.model}`,
  loadAverageAtStart: loadavg().map((x) => +x.toFixed(2)),
  date: new Date().toISOString(),
  runtimes: {},
};
const runs = new Map(runtimes.map(([name]) => [name, new Map(modes.map((m) => [m, []]))]));
for (let i = 0; i < rounds; i++) {
  for (let k = 0; k < modes.length; k++) {
    const m = modes[(i + k) % modes.length];
    for (const [name, exe] of runtimes) runs.get(name).get(m).push(trackOnce(exe, m));
  }
}
for (const [name] of runtimes) {
  const row = {};
  for (const m of modes) {
    const r = runs.get(name).get(m);
    row[m] = {
      fps: median(r.map((x) => x.fps)),
      pipelineFps: median(r.map((x) => x.pipelineFps)),
      ratio: median(r.map((x) => x.ratio)),
      runs: r,
    };
  }
  results.runtimes[name] = row;
  console.log(
    name,
    JSON.stringify(Object.fromEntries(modes.map((m) => [m, { fps: row[m].fps, pipelineFps: row[m].pipelineFps, ratio: row[m].ratio }]))),
  );
}
results.loadAverageAtEnd = loadavg().map((x) => +x.toFixed(2));
if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
