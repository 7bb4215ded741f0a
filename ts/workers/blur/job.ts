import { checkGrayPair, gaussianTables, planGaussian } from '../../kernels/gaussian/api.js';
import { writeWeights } from '../../kernels/separable.js';
import type { PlaneLike } from '../../image/plane.js';
import type { JobEngine } from '../engine.js';
import { STRIPE_KERNEL_IDS } from '../kernels.js';
import { blurStripeScratch } from './stripe.js';

/**
 * Main-thread half of the pool's Gaussian blur (the worker half is ./stripe.ts): the options are
 * checked and resolved by the kernel's own `planGaussian`, the planes by its `checkGrayPair`, so the
 * pool rejects exactly what `gaussianBlur()` rejects; then the weights go into the job's data.
 */
export function gaussianJob(
  engine: JobEngine,
  dst: PlaneLike,
  src: PlaneLike,
  ksize: number,
  sigma: number,
  ksizeY: number,
  sigmaY: number,
): Promise<PlaneLike> {
  const spec = planGaussian(ksize, sigma, ksizeY, sigmaY);
  checkGrayPair(engine.ctx, 'gaussianBlur', dst, src);
  const plan = gaussianTables(spec, src.width, src.height);
  const nx = plan.rx.length;
  const ny = plan.ry.length;
  return engine
    .chained(() => {
      engine.ensureScratch(blurStripeScratch(src.width, engine.rowsPerStripe(src.height), nx, ny));
      const wts = engine.jobData;
      writeWeights(engine.ctx.heap16, wts, plan.rx);
      writeWeights(engine.ctx.heap16, wts + 2 * nx, plan.ry);
      const args = [src.ptr, src.stride, dst.ptr, dst.stride, src.width, wts, nx, ny, plan.shift, plan.wide];
      return engine.start(STRIPE_KERNEL_IDS.gaussian_blur, src.height, args);
    })
    .then(() => dst);
}
