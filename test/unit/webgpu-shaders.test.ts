import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
// @ts-expect-error plain ESM script without typings
import { OUTPUT, generate } from '../../shaders/build.mjs';

test('ts/backends/webgpu/wgsl.generated.ts is up to date with shaders/*.wgsl (run `node shaders/build.mjs`)', () => {
  expect(readFileSync(OUTPUT, 'utf8')).toBe(generate());
});

test('no pass hard-codes a workgroup size: each takes WG_X, WG_Y overrides from TypeScript', () => {
  const { WGSL } = require('../../ts/backends/webgpu/wgsl.generated.ts');
  for (const [name, code] of Object.entries(WGSL as Record<string, string>)) {
    expect([name, /@workgroup_size\((\d|[^)]*\d\s*\))/.test(code)]).toEqual([name, false]);
    expect([name, code.includes('override WG_X: u32;') && code.includes('@workgroup_size(WG_X, WG_Y)')]).toEqual([name, true]);
  }
});
