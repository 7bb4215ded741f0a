import type { KernelContext } from '../../core/context.js';
import { FramekitError } from '../../errors.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';

/**
 * The checks of a luma call, shared by `gray()`, the worker pool and the GPU chain's CPU twin:
 * `dst` gray, `src` colour or gray, both inside the arena, the same size, not overlapping. Allocates
 * nothing; gray has no options, so this check is its whole plan.
 */
export function checkGray(ctx: KernelContext, dst: PlaneLike, src: PlaneLike): void {
  if (dst.format !== 'gray')
    throw new FramekitError('E_FORMAT', `gray: dst must be a gray plane, got ${dst.format}`, { format: dst.format });
  if (src.format === 'i16' || src.format === 'i32' || src.format === 'f64') {
    throw new FramekitError('E_FORMAT', `gray: src must be a colour or gray plane, got ${src.format}`, { format: src.format });
  }
  checkPlane(src, ctx.arena, 'src');
  checkPlane(dst, ctx.arena, 'dst');
  if (dst.width !== src.width || dst.height !== src.height) {
    throw new FramekitError('E_DIMENSION', `gray: dst is ${dst.width}x${dst.height}, src is ${src.width}x${src.height}`);
  }
  if (planesOverlap(dst, src)) throw new FramekitError('E_ARGUMENT', 'gray: dst overlaps src');
}

/**
 * 8-bit luma of an RGBA, BGRA, RGB or BGR plane into a gray plane of the same size, bit-exact with
 * OpenCV's cvtColor (a gray source is copied). Returns `dst`.
 */
export function gray(ctx: KernelContext, dst: PlaneLike, src: PlaneLike): PlaneLike {
  checkGray(ctx, dst, src);
  ctx.kernels.gray(dst, src);
  return dst;
}
