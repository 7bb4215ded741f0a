// What the scripts that time `framekit track` in Node and Bun side by side share
// (bench/track-faces.mjs, bench/track-vad.mjs, bench/track-render.mjs).
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
