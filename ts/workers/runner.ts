import { claim, CTL, Q_CURRENT, queueBase } from './control.js';
import { STRIPE_KERNELS, type StripeContext } from './kernels.js';

/** Thrown by a worker that claims the stripe named in CTL.FAULT: a crash on purpose, for tests. */
export class InjectedFault extends Error {}

/**
 * Claims and runs stripes of the current job until none is left; `self` is the worker index, or -1
 * for the main thread. Returns how many it ran.
 */
export function runStripes(c: StripeContext, self: number): number {
  const ctl = c.ctl;
  const kernel = STRIPE_KERNELS[ctl[CTL.KERNEL]!]!;
  const rows = ctl[CTL.ROWS]!;
  const height = ctl[CTL.HEIGHT]!;
  const workers = ctl[CTL.WORKERS]!;
  const cur = self >= 0 ? queueBase(self) + Q_CURRENT : -1;
  let n = 0;
  for (;;) {
    const s = claim(ctl, self, workers);
    if (s < 0) return n;
    if (cur >= 0) Atomics.store(ctl, cur, s);
    if (self >= 0 && Atomics.compareExchange(ctl, CTL.FAULT, s, -1) === s)
      throw new InjectedFault(`worker ${self} failed on stripe ${s} on purpose`);
    runStripe(c, kernel, s, rows, height);
    if (cur >= 0) Atomics.store(ctl, cur, -1);
    Atomics.add(ctl, CTL.DONE, 1);
    n++;
  }
}

export function runStripe(
  c: StripeContext,
  kernel: (c: StripeContext, y0: number, y1: number) => void,
  s: number,
  rows: number,
  height: number,
): void {
  const y0 = s * rows;
  kernel(c, y0, Math.min(height, y0 + rows));
}
