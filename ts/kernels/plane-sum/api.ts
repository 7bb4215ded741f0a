import type { KernelContext } from '../../core/context.js';
import { FramekitError } from '../../errors.js';
import { checkPlane, type PlaneLike } from '../../image/plane.js';

/** Sum of a gray plane's bytes, computed by the Rust module: a content fingerprint. */
export function planeSum(ctx: KernelContext, src: PlaneLike): bigint {
  checkPlane(src, ctx.arena, 'src');
  if (src.format !== 'gray') throw new FramekitError('E_FORMAT', `planeSum: src must be a gray plane, got ${src.format}`);
  return ctx.kernels.planeSum(src);
}
