// The SPSC rings with a producer thread and a consumer thread at seeded random speeds (bursts, slow
// stretches, stalls) for a few seconds each; bench/ring-stress.ts runs the same for minutes. Every
// item must arrive once and in order, and the ring must have run both full and empty.
import { describe, expect, test } from 'bun:test';
import { stressRing } from '../../bench/ring-stress.js';

describe('rings under stress: two real threads at random speeds', () => {
  for (const kind of ['frame', 'sample'] as const) {
    test(`${kind === 'frame' ? 'FrameRing' : 'SampleRing'}, 3 s: every item once, in order; full and empty both reached`, async () => {
      const r = await stressRing(kind, 3000, 5);
      expect(r.firstError).toBe('');
      expect(r.errors).toBe(0);
      expect(r.received).toBe(r.produced);
      expect(r.produced).toBeGreaterThan(1000);
      expect(r.producerBlocked).toBeGreaterThan(0);
      expect(r.consumerBlocked).toBeGreaterThan(0);
      expect(r.ok).toBe(true);
    }, 30_000);
  }
});
