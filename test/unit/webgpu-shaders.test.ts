import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { WGSL } from '../../ts/backends/webgpu/wgsl.generated.js';
// @ts-expect-error plain ESM script without typings
import { OUTPUT, generate, stale } from '../../shaders/build.mjs';

// Generating loads TypeScript (to read the format table) and Prettier: slow on a busy machine.
const GENERATE_MS = 60_000;

test(
  'ts/backends/webgpu/wgsl.generated.ts is up to date with shaders/*.wgsl (run `node shaders/build.mjs`)',
  async () => {
    expect(readFileSync(OUTPUT, 'utf8')).toBe(await generate());
  },
  GENERATE_MS,
);

test(
  'shaders/formats.wgsl and rust/src/formats.rs are up to date with ts/core/formats.ts (run `node shaders/build.mjs`)',
  async () => {
    expect(await stale()).toEqual([]);
  },
  GENERATE_MS,
);

test('no pass hard-codes a workgroup size: each takes WG_X, WG_Y overrides from TypeScript', () => {
  for (const [name, code] of Object.entries(WGSL as Record<string, string>)) {
    expect([name, /@workgroup_size\((\d|[^)]*\d\s*\))/.test(code)]).toEqual([name, false]);
    expect([name, code.includes('override WG_X: u32;') && code.includes('@workgroup_size(WG_X, WG_Y)')]).toEqual([name, true]);
  }
});
