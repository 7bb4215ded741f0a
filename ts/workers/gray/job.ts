import { checkGray } from '../../kernels/gray/api.js';
import type { PlaneLike } from '../../image/plane.js';
import type { JobEngine } from '../engine.js';
import { STRIPE_KERNEL_IDS } from '../kernels.js';

/**
 * Main-thread half of the pool's luma (the worker half is ./stripe.ts): the same check as the
 * single-thread `gray()` (ts/kernels/gray/api.ts), so the pool accepts and rejects exactly what it
 * does, a gray source included (copied). Per-pixel, so stripes need no halo.
 */
export function grayJob(engine: JobEngine, dst: PlaneLike, src: PlaneLike): Promise<PlaneLike> {
  checkGray(engine.ctx, dst, src);
  const id = STRIPE_KERNEL_IDS[`gray_${src.format as 'rgba' | 'bgra' | 'rgb' | 'bgr' | 'gray'}`];
  const args = [src.ptr, src.stride, dst.ptr, dst.stride, src.width];
  return engine.chained(() => engine.start(id, src.height, args)).then(() => dst);
}
