import type { PixelsExports } from '../../backends/wasm/loader.js';
import { FramekitError } from '../../errors.js';
import { separableScratchBytes } from '../../kernels/separable.js';
import { CTL } from '../control.js';
import { arg, type StripeKernel } from '../stripe.js';

/**
 * Per-thread scratch a blur stripe needs: the separable engine's work area for one image row (its
 * row pointers and one row of vertical sums), whatever the stripe's height. `_rows` is the stripe
 * height the pool plans with; no stripe needs space that grows with it.
 */
export function blurStripeScratch(width: number, _rows: number, nx: number, ny: number): number {
  return separableScratchBytes(width, nx, ny);
}

/**
 * Output rows [y0, y1) of the whole-image Gaussian blur (wasm/blur.ts gaussian_blur_rows), written
 * straight into those rows of `dst`: `src` and `dst` point at row 0 of `height`-row images, `wts` at
 * the i16 weights kx then ky, `work` at separable work space (16-aligned, `blurStripeScratch` bytes).
 * Output row y reads source rows y - ry .. y + ry, reflected (BORDER_REFLECT_101) only at the image's
 * real top and bottom, so the rows are byte for byte `fk.gaussianBlur()`'s and no byte of `dst`
 * outside rows [y0, y1) is written. Throws E_ARGUMENT unless 0 <= y0 <= y1 <= height (integers); an
 * empty range writes nothing. The planes and weights are trusted (the pool checked them).
 */
export function blurRows(
  px: PixelsExports,
  src: number,
  srcStride: number,
  dst: number,
  dstStride: number,
  width: number,
  height: number,
  y0: number,
  y1: number,
  wts: number,
  nx: number,
  ny: number,
  shift: number,
  wide: number,
  work: number,
): void {
  if (!Number.isInteger(y0) || !Number.isInteger(y1) || y0 < 0 || y0 > y1 || y1 > height) {
    throw new FramekitError('E_ARGUMENT', `gaussianBlur: rows [${String(y0)}, ${String(y1)}) are not a range of 0..${height}`, {
      y0,
      y1,
      height,
    });
  }
  px.gaussian_blur_rows(src, srcStride, dst, dstStride, width, height, y0, y1, wts, nx, wts + 2 * nx, ny, shift, wide, work);
}

/**
 * Gaussian blur (wasm/blur.ts) over output rows [y0, y1) of the job's image, straight into dst: no
 * halo rows blurred, nothing copied. The stripe reads ry source rows above and below its own (a
 * neighbour's rows, or the image's reflected border at its top and bottom) and recomputes nothing
 * else; neighbouring stripes write disjoint rows. Arguments: src, srcStride, dst, dstStride, width,
 * weights (i16 kx then ky), nx, ny, shift, wide.
 */
export const blurStripe: StripeKernel = (c, y0, y1) => {
  blurRows(
    c.wasm.pixels,
    arg(c, 0),
    arg(c, 1),
    arg(c, 2),
    arg(c, 3),
    arg(c, 4),
    c.ctl[CTL.HEIGHT]!,
    y0,
    y1,
    arg(c, 5),
    arg(c, 6),
    arg(c, 7),
    arg(c, 8),
    arg(c, 9),
    c.ctl[c.scratchSlot]!,
  );
};
