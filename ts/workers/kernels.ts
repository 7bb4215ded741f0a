import type { WasmModules } from '../backends/wasm/loader.js';
import { separableScratchBytes } from '../kernels/separable.js';
import { CTL } from './control.js';

/**
 * What a stripe kernel gets: the WASM exports of the thread it runs on (every thread instantiated
 * the same modules on the same memory), a byte view of that memory, the control block (job
 * arguments), and which scratch slot is this thread's (`CTL.SCRATCH + 2 * participant`).
 */
export interface StripeContext {
  readonly wasm: WasmModules;
  readonly heap: Uint8Array;
  readonly ctl: Int32Array;
  readonly scratchSlot: number;
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

const align16 = (n: number) => (n + 15) & ~15;

/** Per-thread scratch a blur stripe of `rows` rows needs: the stripe with its halo, then the engine's work area. */
export function blurStripeScratch(width: number, rows: number, nx: number, ny: number): number {
  return align16(width) * (rows + 2 * (ny >> 1)) + separableScratchBytes(width, nx, ny);
  // The scratch region is 16-aligned and so is each stripe row, so the work area after them is too.
}

/**
 * Gaussian blur (wasm/blur.ts) over output rows [y0, y1), with halo rows.
 *
 *   ys = max(0, y0 - ry), ye = min(height, y1 + ry)      the stripe and ry rows of halo each side
 *   blur rows [ys, ye) as an image of their own into scratch
 *   copy rows [y0, y1) of it to dst
 *
 * Output row y reads source rows y - ry .. y + ry. For y in [y0, y1) those are real rows inside
 * [ys, ye), except past the image's own top or bottom, where ys = 0 or ye = height and the engine's
 * BORDER_REFLECT_101 of the sub-image is the image's (the sub-image is taller than ry, so the
 * reflection lands on the same rows). So the copied rows are exactly the whole-image call's; the
 * halo rows (reflected at the cut) are wrong and never copied. Blurring into scratch, not dst, keeps
 * them away from the neighbours' rows. Arguments: src, srcStride, dst, dstStride, width, weights
 * (i16 kx then ky), nx, ny, shift, wide.
 */
const blurStripe: StripeKernel = (c, y0, y1) => {
  const [src, ss, dst, ds, w, wts, nx, ny, shift, wide] = [
    arg(c, 0),
    arg(c, 1),
    arg(c, 2),
    arg(c, 3),
    arg(c, 4),
    arg(c, 5),
    arg(c, 6),
    arg(c, 7),
    arg(c, 8),
    arg(c, 9),
  ];
  const height = c.ctl[CTL.HEIGHT]!;
  const ry = ny >> 1;
  const ys = Math.max(0, y0 - ry);
  const ye = Math.min(height, y1 + ry);
  const os = align16(w);
  const out = c.ctl[c.scratchSlot]!;
  c.wasm.pixels.gaussian_blur(src + ys * ss, ss, out, os, w, ye - ys, wts, nx, wts + 2 * nx, ny, shift, wide, out + os * (ye - ys));
  const heap = c.heap;
  for (let y = y0; y < y1; y++) {
    const from = out + (y - ys) * os;
    heap.copyWithin(dst + y * ds, from, from + w);
  }
};

/** Kernel ids, as the control block names them. The table below is the one list of stripe kernels. */
export const STRIPE_KERNEL_IDS = { gray_rgba: 0, gray_bgra: 1, gray_rgb: 2, gray_bgr: 3, gaussian_blur: 4 } as const;
export type StripeKernelName = keyof typeof STRIPE_KERNEL_IDS;

export const STRIPE_KERNELS: readonly StripeKernel[] = [
  grayStripe('gray_rgba'),
  grayStripe('gray_bgra'),
  grayStripe('gray_rgb'),
  grayStripe('gray_bgr'),
  blurStripe,
];
