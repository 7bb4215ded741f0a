import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';
import { derivPlan, type DerivPlan } from './kernels.js';

function checkSize(name: string, a: PlaneLike, b: PlaneLike): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new FramekitError('E_DIMENSION', `${name}: planes differ in size (${a.width}x${a.height} and ${b.width}x${b.height})`);
  }
}

function needFormat(name: string, p: PlaneLike, what: string, format: PlaneLike['format']): void {
  if (p.format !== format)
    throw new FramekitError('E_FORMAT', `${name}: ${what} must be a ${format} plane, got ${p.format}`, { format: p.format });
}

/** A derivative's options checked and resolved (OpenCV's kernel for dx, dy, ksize): `planSobel(dx, dy, ksize)`, cached. */
export { derivPlan as planSobel };

/** The per-call checks: `src` gray, `dst` i16, both inside the arena, the same size, not overlapping. */
export function checkSobel(ctx: KernelContext, dst: PlaneLike, src: PlaneLike): void {
  needFormat('sobel', src, 'src', 'gray');
  needFormat('sobel', dst, 'dst', 'i16');
  checkPlane(src, ctx.arena, 'src');
  checkPlane(dst, ctx.arena, 'dst');
  checkSize('sobel', dst, src);
  if (planesOverlap(dst, src)) throw new FramekitError('E_ARGUMENT', 'sobel: dst overlaps src');
}

/** The derivative on planes already checked (`checkSobel`) with a plan from `planSobel`. Returns `dst`. */
export function runSobel(ctx: KernelContext, plan: DerivPlan, dst: PlaneLike, src: PlaneLike): PlaneLike {
  const k = ctx.kernels.sobel;
  const bytes = k.scratchBytes(src.width, plan);
  k.run(dst, src, plan, bytes > 0 ? ctx.scratch.take(bytes) : 0);
  return dst;
}

/**
 * Derivative of a gray plane into an 'i16' plane of the same size, bit-exact with OpenCV's
 * `Sobel(src, dst, CV_16S, dx, dy, ksize)` (BORDER_REFLECT_101, scale 1, delta 0); ksize -1 is
 * Scharr, as OpenCV's FILTER_SCHARR. Kernels OpenCV rejects throw E_ARGUMENT, and so do the few
 * OpenCV accepts whose sums could saturate int16 (ksize 7 and up, high orders). Returns `dst`.
 */
export function sobel(ctx: KernelContext, dst: PlaneLike, src: PlaneLike, dx = 1, dy = 0, ksize = 3): PlaneLike {
  const plan = derivPlan(dx, dy, ksize);
  checkSobel(ctx, dst, src);
  return runSobel(ctx, plan, dst, src);
}

/** L1 gradient magnitude of two 'i16' derivative planes: dst = saturate_i16(|dx| + |dy|). Returns `dst`. */
export function gradientMagnitude(ctx: KernelContext, dst: PlaneLike, dx: PlaneLike, dy: PlaneLike): PlaneLike {
  needFormat('gradientMagnitude', dst, 'dst', 'i16');
  needFormat('gradientMagnitude', dx, 'dx', 'i16');
  needFormat('gradientMagnitude', dy, 'dy', 'i16');
  checkPlane(dst, ctx.arena, 'dst');
  checkPlane(dx, ctx.arena, 'dx');
  checkPlane(dy, ctx.arena, 'dy');
  checkSize('gradientMagnitude', dst, dx);
  checkSize('gradientMagnitude', dst, dy);
  if (planesOverlap(dst, dx) || planesOverlap(dst, dy)) throw new FramekitError('E_ARGUMENT', 'gradientMagnitude: dst overlaps an input');
  ctx.kernels.sobel.magnitude(dst, dx, dy);
  return dst;
}
