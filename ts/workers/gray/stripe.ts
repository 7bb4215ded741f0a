import { arg, type StripeKernel } from '../stripe.js';

type GrayExport = 'gray_rgba' | 'gray_bgra' | 'gray_rgb' | 'gray_bgr';

/**
 * Colour -> gray over rows [y0, y1): a per-pixel kernel needs no halo, so a stripe is the same call
 * on a sub-plane. Arguments: src, srcStride, dst, dstStride, width.
 */
export function grayStripe(name: GrayExport): StripeKernel {
  return (c, y0, y1) => {
    const srcStride = arg(c, 1);
    const dstStride = arg(c, 3);
    c.wasm.pixels[name](arg(c, 0) + y0 * srcStride, srcStride, arg(c, 2) + y0 * dstStride, dstStride, arg(c, 4), y1 - y0);
  };
}

/**
 * A gray source's rows [y0, y1) copied to `dst` (what the single-thread gray kernel does for a gray
 * source). Arguments as the colour stripes: src, srcStride, dst, dstStride, width.
 */
export const grayCopyStripe: StripeKernel = (c, y0, y1) => {
  const [src, srcStride, dst, dstStride, width] = [arg(c, 0), arg(c, 1), arg(c, 2), arg(c, 3), arg(c, 4)];
  for (let y = y0; y < y1; y++) c.heap.copyWithin(dst + y * dstStride, src + y * srcStride, src + y * srcStride + width);
};
