import { isJavaScriptCore } from '../../runtime.js';
import { arg, type StripeKernel } from '../stripe.js';

// The gather loop's engine-specific form, as ts/kernels/warp picks it on the calling thread.
const V8 = isJavaScriptCore() ? 0 : 1;

/**
 * warpPerspective's destination rows [y0, y1): each row depends only on its own y, so a stripe is
 * `warp_perspective_rows` over its rows with no halo. Arguments: src, srcStride, srcWidth,
 * srcHeight, dst, dstStride, dstWidth, dstHeight, cn, matrix (9 f64s in the job data), border
 * (0 constant, 1 replicate), border value (4 bytes as one int32). The thread's scratch holds the
 * kernel's work area (`warpPerspectiveWorkBytes`).
 */
export const warpPerspectiveStripe: StripeKernel = (c, y0, y1) => {
  c.wasm.pixels.warp_perspective_rows(
    arg(c, 0), arg(c, 1), arg(c, 2), arg(c, 3), arg(c, 4), arg(c, 5), arg(c, 6), arg(c, 7),
    arg(c, 8), arg(c, 9), arg(c, 10), arg(c, 11) >>> 0,
    c.ctl[c.scratchSlot]!, V8, y0, y1,
  ); // prettier-ignore
};
