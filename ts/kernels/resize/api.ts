import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';
import { areaFactor } from './tables.js';

export type Interpolation = 'linear' | 'area';

/**
 * Resizes a gray plane to `dst`'s size, as OpenCV's resize(src, dst, dst.size(), 0, 0, INTER_LINEAR
 * or INTER_AREA) computes it in its scalar fixed-point path: 'linear' is bit-exact with OpenCV.js
 * for shrinks of any sizes (exact halving takes OpenCV's area path, as OpenCV does) and within 1 grey
 * level of it on stretches, where OpenCV.js's horizontal vector step rounds differently on a few
 * pixels (under 3% in test/unit/resize.test.ts); 'area' is bit-exact, supported for integer shrink
 * factors (OpenCV's fast area path) and throws E_ARGUMENT otherwise.
 * Native OpenCV builds with SIMD differ by at most 1 grey level: their vertical linear step drops 4
 * low bits before multiplying, and their 2x2 area step rounds ties up. Returns `dst`.
 */
export function resize(ctx: KernelContext, dst: PlaneLike, src: PlaneLike, interpolation: Interpolation = 'linear'): PlaneLike {
  if (interpolation !== 'linear' && interpolation !== 'area') {
    throw new FramekitError('E_ARGUMENT', `resize: interpolation must be 'linear' or 'area', got ${String(interpolation)}`);
  }
  if (src.format !== 'gray')
    throw new FramekitError('E_FORMAT', `resize: src must be a gray plane, got ${src.format}`, { format: src.format });
  if (dst.format !== 'gray')
    throw new FramekitError('E_FORMAT', `resize: dst must be a gray plane, got ${dst.format}`, { format: dst.format });
  checkPlane(src, ctx.arena, 'src');
  checkPlane(dst, ctx.arena, 'dst');
  if (planesOverlap(dst, src)) throw new FramekitError('E_ARGUMENT', 'resize: dst overlaps src');
  const kx = areaFactor(src.width, dst.width);
  const ky = areaFactor(src.height, dst.height);
  const k = ctx.kernels.resize;
  if (interpolation === 'area' || (kx === 2 && ky === 2)) {
    if (!kx || !ky) {
      throw new FramekitError(
        'E_ARGUMENT',
        `resize: 'area' needs integer shrink factors, got ${src.width}x${src.height} -> ${dst.width}x${dst.height}`,
      );
    }
    k.area(dst, src, kx, ky);
    return dst;
  }
  const bytes = k.scratchBytes(dst.width, dst.height);
  k.linear(dst, src, bytes > 0 ? ctx.scratch.take(bytes) : 0);
  return dst;
}
