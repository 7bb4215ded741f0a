// Kernel argument fuzzing over every backend: random planes, strides, offsets, formats and options,
// overlapping source and destination, pointers outside the arena. Every case ends in the same typed
// error on every backend with nothing written, or in the reference's output with no byte outside
// the destination changed. A bounded count here; test/fuzz/run-kernels.ts runs longer.
import { describe, expect, test } from 'bun:test';
import { framekits } from '../helpers/index.js';
import { fuzzKernels } from '../fuzz/kernels.js';

const CASES = 1500;

describe('fuzzed kernel arguments', () => {
  test(`${CASES} random calls on reference, wasm-scalar and wasm-simd: same typed error or same output, no stray write`, async () => {
    const fks = await framekits({ arenaBytes: 4 << 20 });
    const r = fuzzKernels(fks, CASES, 0xc0ffee00);
    const ok = Object.values(r.outcomes).reduce((a, o) => a + (o.ok ?? 0), 0);
    console.log(`kernel fuzz: ${JSON.stringify(r.outcomes)}`);
    expect(r.failures.slice(0, 20)).toEqual([]);
    // Both kinds of outcome are reached for most kernels: real work is compared, not only refusals.
    expect(ok).toBeGreaterThan(CASES / 10);
    expect(Object.keys(r.outcomes).length).toBe(12);
  });
});
