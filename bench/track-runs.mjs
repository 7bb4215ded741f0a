// What the scripts that time Node and Bun side by side share (bench/track-faces.mjs,
// bench/track-vad.mjs, bench/track-render.mjs, bench/read-into-arena.mjs, bench/ort-threads.mjs).
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

/** The runtimes each round runs, in turn: [name, executable]. */
export const runtimes = [
  ['node', process.execPath],
  ['bun', join('node_modules', '.bin', 'bun')],
];

export const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export const spread = (a) => [Math.min(...a), Math.max(...a)];

/** The 1, 5 and 15 minute load averages, to two decimals. */
export const loadAverage = () => loadavg().map((x) => +x.toFixed(2));

/** The head of a result file: the command, what it measures, the machine, its load and the date. */
export const resultHead = (command, what) => ({
  command,
  what,
  cpus: `${cpus().length} x ${cpus()[0]?.model}`,
  loadAverageAtStart: loadAverage(),
  date: new Date().toISOString(),
});
