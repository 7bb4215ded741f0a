// Seeded fuzzing of every decoder and parser framekit owns or wraps (a bounded count here; run
// test/fuzz/run.ts for longer): every case ends in valid output or a typed FramekitError, under a
// time cap, with no stray write and the arena's accounting unchanged.
import { afterAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { createFramekit } from '../../ts/index.js';
import { fuzz, targets } from '../fuzz/targets.js';

const CASES = 300;
const fk = await createFramekit({ maxWidth: 1024, maxHeight: 1024, frames: 1, scratchBytes: 1 << 20 });
const all = targets();
afterAll(() => all[0]?.cleanup());

describe('fuzzed decoders and parsers', () => {
  for (const t of all) {
    test(`${t.name}: ${CASES} mutated inputs, typed errors or valid output only`, async () => {
      const r = await fuzz(t, fk, CASES, 0x5eed0000);
      console.log(`fuzz ${t.name}: ${JSON.stringify(r.outcomes)} (slowest case ${r.maxCaseMs} ms)`);
      expect(r.failures).toEqual([]);
      // The mutations reach both outcomes: some inputs still decode, some are refused.
      expect(r.outcomes.ok ?? 0).toBeGreaterThan(0);
      expect(Object.keys(r.outcomes).some((k) => k.startsWith('error:'))).toBe(true);
    });
  }
});

describe('sizes that would not fit are refused before decoding', () => {
  const fixture = (n: string) => new Uint8Array(readFileSync(new URL(`../fixtures/${n}`, import.meta.url)));

  test('PNG and JPEG headers claiming more than maxPixels: E_DIMENSION, with the claimed size', async () => {
    const { claimedSize, decodeImage } = await import('../../ts/io/image.js');
    const { FramekitError } = await import('../../ts/errors.js');
    const png = fixture('camera.png');
    const jpg = fixture('rocket.jpg');
    expect(claimedSize(png)).toEqual({ width: 512, height: 512 });
    expect(claimedSize(jpg)).toEqual({ width: 640, height: 427 });
    for (const [bytes, max] of [
      [png, 512 * 512 - 1],
      [jpg, 640 * 427 - 1],
    ] as const) {
      let err: unknown = null;
      try {
        decodeImage(bytes, 'x', { maxPixels: max });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FramekitError);
      expect((err as InstanceType<typeof FramekitError>).code).toBe('E_DIMENSION');
      expect(decodeImage(bytes, 'x', { maxPixels: max + 1 }).width).toBeGreaterThan(0);
    }
  });
});
