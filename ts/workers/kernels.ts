import type { WasmModules } from '../backends/wasm/loader.js';
import { CTL } from './control.js';

/**
 * What a stripe kernel gets: the WASM exports of the thread it runs on (every thread instantiated
 * the same modules on the same memory), the job's arguments, and this thread's scratch region.
 */
export interface StripeContext {
  readonly wasm: WasmModules;
  readonly ctl: Int32Array;
  readonly scratch: number;
  readonly scratchBytes: number;
}

/** Runs output rows [y0, y1) of the job described by the control block's arguments. */
export type StripeKernel = (c: StripeContext, y0: number, y1: number) => void;

/** A job argument (an int32 of the control block). */
export function arg(c: StripeContext, i: number): number {
  return c.ctl[CTL.ARGS + i]!;
}

type GrayExport = 'gray_rgba' | 'gray_bgra' | 'gray_rgb' | 'gray_bgr';

/**
 * Colour -> gray over rows [y0, y1): a per-pixel kernel needs no halo, so a stripe is the same call
 * on a sub-plane. Arguments: src, srcStride, dst, dstStride, width.
 */
function grayStripe(name: GrayExport): StripeKernel {
  return (c, y0, y1) => {
    const srcStride = arg(c, 1);
    const dstStride = arg(c, 3);
    c.wasm.pixels[name](arg(c, 0) + y0 * srcStride, srcStride, arg(c, 2) + y0 * dstStride, dstStride, arg(c, 4), y1 - y0);
  };
}

/** Kernel ids, as the control block names them. The table below is the one list of stripe kernels. */
export const STRIPE_KERNEL_IDS = { gray_rgba: 0, gray_bgra: 1, gray_rgb: 2, gray_bgr: 3 } as const;
export type StripeKernelName = keyof typeof STRIPE_KERNEL_IDS;

export const STRIPE_KERNELS: readonly StripeKernel[] = [
  grayStripe('gray_rgba'),
  grayStripe('gray_bgra'),
  grayStripe('gray_rgb'),
  grayStripe('gray_bgr'),
];
