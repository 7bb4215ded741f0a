import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import type { PlaneLike } from '../../image/plane.js';
import { checkGrayPair } from '../gaussian/api.js';

/**
 * Normalised box blur of a gray plane into `dst` (same size), bit-exact with OpenCV's
 * `blur(src, dst, Size(ksize, ksizeY))` on 8-bit images (anchor at the centre, BORDER_REFLECT_101).
 * Kernel sides 1..255 with ksize x ksizeY <= 256, the range OpenCV computes with 16-bit sums; larger
 * kernels throw E_ARGUMENT. Returns `dst`.
 */
export function boxBlur(ctx: KernelContext, dst: PlaneLike, src: PlaneLike, ksize = 3, ksizeY = ksize): PlaneLike {
  if (!Number.isInteger(ksize) || ksize < 1 || !Number.isInteger(ksizeY) || ksizeY < 1) {
    throw new FramekitError('E_ARGUMENT', `boxBlur: kernel sides must be positive integers, got ${String(ksize)}x${String(ksizeY)}`, {
      ksize,
      ksizeY,
    });
  }
  if (ksize * ksizeY > 256) {
    throw new FramekitError('E_ARGUMENT', `boxBlur: ksize x ksizeY must be at most 256 (16-bit sums), got ${ksize}x${ksizeY}`, {
      ksize,
      ksizeY,
    });
  }
  checkGrayPair(ctx, 'boxBlur', dst, src);
  const k = ctx.kernels.box;
  const bytes = k.scratchBytes(src.width, ksize, ksizeY);
  k.run(dst, src, ksize, ksizeY, bytes > 0 ? ctx.scratch.take(bytes) : 0);
  return dst;
}
