import { checkWarp, type WarpOptions } from '../../kernels/warp/api.js';
import { warpPerspectiveWorkBytes } from '../../kernels/warp/index.js';
import type { PlaneLike } from '../../image/plane.js';
import type { JobEngine } from '../engine.js';
import { STRIPE_KERNEL_IDS } from '../kernels.js';

/**
 * Main-thread half of the pool's warpPerspective (the worker half is ./stripe.ts): checked by the
 * kernel's own `checkWarp`, so the pool accepts and rejects exactly what `warpPerspective()` does;
 * the inverse map goes into the job's data as 9 f64s when the job starts.
 */
export function warpPerspectiveJob(
  engine: JobEngine,
  dst: PlaneLike,
  src: PlaneLike,
  M: ArrayLike<number>,
  o: WarpOptions,
): Promise<PlaneLike> {
  const { cn, border, inverse, value } = checkWarp(engine.ctx, 'warpPerspective', dst, src, M, 9, o);
  // checkWarp's arrays are reused by the next warp call: keep this job's numbers until it starts.
  const m = Float64Array.from(inverse);
  const packed = value[0]! | (value[1]! << 8) | (value[2]! << 16) | (value[3]! << 24);
  const rest = [cn, 0, border === 'constant' ? 0 : 1, packed];
  return engine
    .chained(() => {
      engine.ensureScratch(warpPerspectiveWorkBytes(dst.width));
      const at = engine.jobData;
      new Float64Array(engine.ctx.memory.buffer, at, 9).set(m);
      rest[1] = at;
      const args = [src.ptr, src.stride, src.width, src.height, dst.ptr, dst.stride, dst.width, dst.height, ...rest];
      return engine.start(STRIPE_KERNEL_IDS.warp_perspective, dst.height, args);
    })
    .then(() => dst);
}
