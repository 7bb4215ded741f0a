import { claim, CTL, FAULT_STALL, STRIPE_DONE, STRIPE_FLAGS_OFFSET, STRIPE_STARTED } from './control.js';
import { STRIPE_KERNELS, type StripeContext } from './kernels.js';

/** Thrown by a worker that claims the stripe named in CTL.FAULT: a crash on purpose, for tests. */
export class InjectedFault extends Error {}

/**
 * Claims and runs stripes of the current round until none is left; `self` is the worker index, or
 * -1 for the main thread. Each stripe is flagged started before it runs and done after it ran (the
 * main thread re-runs any stripe left without its done flag). Returns how many it ran.
 */
export function runStripes(c: StripeContext, self: number): number {
  const ctl = c.ctl;
  const kernel = STRIPE_KERNELS[ctl[CTL.KERNEL]!]!;
  const rows = ctl[CTL.ROWS]!;
  const height = ctl[CTL.HEIGHT]!;
  const workers = ctl[CTL.WORKERS]!;
  const flags = ctl.byteOffset + STRIPE_FLAGS_OFFSET;
  let n = 0;
  for (;;) {
    const s = claim(ctl, self, workers);
    if (s < 0) return n;
    Atomics.store(c.heap, flags + s, STRIPE_STARTED);
    if (self >= 0 && Atomics.compareExchange(ctl, CTL.FAULT, s, -1) === s) injectedFault(c, kernel, self, s, rows, height);
    runStripe(c, kernel, s, rows, height);
    Atomics.store(c.heap, flags + s, STRIPE_DONE);
    Atomics.add(ctl, CTL.DONE, 1);
    n++;
  }
}

/**
 * The fault a test asked for on stripe `s`: throw as the stripe starts, or (FAULT_STALL) write the
 * first half of its rows, say so in CTL.STALLED and wait there until killed (or until the pool stops).
 */
function injectedFault(
  c: StripeContext,
  kernel: (c: StripeContext, y0: number, y1: number) => void,
  self: number,
  s: number,
  rows: number,
  height: number,
): never {
  const ctl = c.ctl;
  if (Atomics.load(ctl, CTL.FAULT_MODE) === FAULT_STALL) {
    const y0 = s * rows;
    const y1 = Math.min(height, y0 + rows);
    kernel(c, y0, y0 + ((y1 - y0) >> 1));
    Atomics.store(ctl, CTL.STALLED, self + 1);
    while (Atomics.load(ctl, CTL.STOP) === 0) Atomics.wait(ctl, CTL.STOP, 0, 1000);
  }
  throw new InjectedFault(`worker ${self} failed on stripe ${s} on purpose`);
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
