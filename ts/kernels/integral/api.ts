import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';

/** Checks one output table: its format first (so a wrong one is named as such), then its place and size. */
function table(ctx: KernelContext, name: string, p: PlaneLike, format: 'i32' | 'f64', src: PlaneLike): void {
  if (p.format !== format) {
    throw new FramekitError('E_FORMAT', `integral: ${name} must be an ${format} plane, got ${p.format}`, { format: p.format });
  }
  checkPlane(p, ctx.arena, name);
  if (p.width !== src.width + 1 || p.height !== src.height + 1) {
    throw new FramekitError(
      'E_DIMENSION',
      `integral: ${name} must be ${src.width + 1}x${src.height + 1} for a ${src.width}x${src.height} src, got ${p.width}x${p.height}`,
    );
  }
  if (p.stride % 4 !== 0) throw new FramekitError('E_STRIDE', `integral: ${name}.stride must be a multiple of 4, got ${p.stride}`);
  if (planesOverlap(p, src)) throw new FramekitError('E_ARGUMENT', `integral: ${name} overlaps src`);
}

/**
 * Integral image of a gray plane, as OpenCV's `integral(src, sum, CV_32S)`: `sum` is an 'i32' plane
 * of (w + 1) x (h + 1) whose first row and column are zero. With `sqsum`, an 'f64' plane of the same
 * size, also OpenCV's `integral(src, sum, sqsum, CV_32S, CV_64F)` sum of squares. Returns `sum`.
 */
export function integral(ctx: KernelContext, sum: PlaneLike, src: PlaneLike, sqsum: PlaneLike | null = null): PlaneLike {
  if (src.format !== 'gray')
    throw new FramekitError('E_FORMAT', `integral: src must be a gray plane, got ${src.format}`, { format: src.format });
  checkPlane(src, ctx.arena, 'src');
  table(ctx, 'sum', sum, 'i32', src);
  if (sqsum) {
    table(ctx, 'sqsum', sqsum, 'f64', src);
    if (planesOverlap(sqsum, sum)) throw new FramekitError('E_ARGUMENT', 'integral: sqsum overlaps sum');
  }
  ctx.kernels.integral(sum, src, sqsum);
  return sum;
}
