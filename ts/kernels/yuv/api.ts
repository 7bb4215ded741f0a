import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';

function plane(ctx: KernelContext, name: string, p: PlaneLike, format: 'gray' | 'rgba', w: number, h: number): void {
  if (p.format !== format) throw new FramekitError('E_FORMAT', `${name} must be a ${format} plane, got ${p.format}`, { format: p.format });
  checkPlane(p, ctx.arena, name);
  if (p.width !== w || p.height !== h)
    throw new FramekitError('E_DIMENSION', `${name} must be ${w}x${h}, got ${p.width}x${p.height}`, { expected: [w, h] });
}

function checkLuma(ctx: KernelContext, name: string, dst: PlaneLike, y: PlaneLike): void {
  if (y.format !== 'gray') throw new FramekitError('E_FORMAT', `${name}: y must be a gray plane, got ${y.format}`, { format: y.format });
  checkPlane(y, ctx.arena, 'y');
  if (y.width % 2 || y.height % 2) {
    throw new FramekitError('E_DIMENSION', `${name}: 4:2:0 frames have even sides (as OpenCV requires), got ${y.width}x${y.height}`);
  }
  plane(ctx, `${name}: dst`, dst, 'rgba', y.width, y.height);
}

/**
 * I420 (Y plane, then U and V planes of half width and height) to RGBA, bit-exact with OpenCV's
 * cvtColor(COLOR_YUV2RGBA_I420), BT.601 video range. The three inputs are gray planes, so they may
 * lie anywhere in the arena (a decoder's three planes, or the parts of one I420 buffer). Returns `dst`.
 */
export function i420ToRgba(ctx: KernelContext, dst: PlaneLike, y: PlaneLike, u: PlaneLike, v: PlaneLike): PlaneLike {
  checkLuma(ctx, 'i420ToRgba', dst, y);
  plane(ctx, 'i420ToRgba: u', u, 'gray', y.width >> 1, y.height >> 1);
  plane(ctx, 'i420ToRgba: v', v, 'gray', y.width >> 1, y.height >> 1);
  if (planesOverlap(dst, y) || planesOverlap(dst, u) || planesOverlap(dst, v))
    throw new FramekitError('E_ARGUMENT', 'i420ToRgba: dst overlaps an input');
  ctx.kernels.yuv(dst, y, u.ptr, u.stride, v.ptr, v.stride, 1);
  return dst;
}

/**
 * NV12 (Y plane, then one plane of interleaved U V pairs, `uv` given as a gray plane of width w bytes
 * and height h / 2) to RGBA, bit-exact with OpenCV's cvtColor(COLOR_YUV2RGBA_NV12). Returns `dst`.
 */
export function nv12ToRgba(ctx: KernelContext, dst: PlaneLike, y: PlaneLike, uv: PlaneLike): PlaneLike {
  checkLuma(ctx, 'nv12ToRgba', dst, y);
  plane(ctx, 'nv12ToRgba: uv', uv, 'gray', y.width, y.height >> 1);
  if (planesOverlap(dst, y) || planesOverlap(dst, uv)) throw new FramekitError('E_ARGUMENT', 'nv12ToRgba: dst overlaps an input');
  // The V samples are the U samples' next bytes: the same plane, one byte on.
  ctx.kernels.yuv(dst, y, uv.ptr, uv.stride, uv.ptr + 1, uv.stride, 2);
  return dst;
}
