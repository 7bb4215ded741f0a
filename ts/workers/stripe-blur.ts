import { separableScratchBytes } from '../kernels/separable.js';
import { CTL } from './control.js';
import { align16, arg, type StripeKernel } from './stripe.js';

/**
 * Per-thread scratch a blur stripe of `rows` rows needs: the stripe with its halo, then the engine's
 * work area (16-aligned, as the region and every 16-aligned stripe row before it are).
 */
export function blurStripeScratch(width: number, rows: number, nx: number, ny: number): number {
  return align16(width) * (rows + 2 * (ny >> 1)) + separableScratchBytes(width, nx, ny);
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
export const blurStripe: StripeKernel = (c, y0, y1) => {
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
