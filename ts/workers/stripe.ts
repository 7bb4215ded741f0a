import type { WasmModules } from '../backends/wasm/loader.js';
import { CTL } from './control.js';

/**
 * What a stripe kernel gets: the WASM exports of the thread it runs on (every thread instantiated
 * the same modules on the same memory), a byte view of that memory, the control block (job
 * arguments), and which scratch slot is this thread's (`CTL.SCRATCH + 2 * participant`).
 */
export interface StripeContext {
  readonly wasm: WasmModules;
  readonly heap: Uint8Array;
  /** Float32 and Int32 views of the whole memory, made once per thread. */
  readonly f32: Float32Array;
  readonly i32: Int32Array;
  readonly ctl: Int32Array;
  readonly scratchSlot: number;
}

/** Runs output rows [y0, y1) of the job described by the control block's arguments. */
export type StripeKernel = (c: StripeContext, y0: number, y1: number) => void;

/** A job argument (an int32 of the control block). */
export function arg(c: StripeContext, i: number): number {
  return c.ctl[CTL.ARGS + i]!;
}

export const align16 = (n: number): number => (n + 15) & ~15;
