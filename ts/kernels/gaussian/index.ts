import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { separableScratchBytes, separableWork, writeWeights } from '../separable.js';
import type { GaussianPlan } from './plan.js';
import { gaussianReference } from './reference.js';

/** Gaussian blur of a gray plane into a gray plane of the same size; the arguments are already checked. */
export interface GaussianKernel {
  /** Scratch bytes a call needs for a `width`-wide image (0 for the reference). */
  scratchBytes(width: number, plan: GaussianPlan): number;
  run(dst: PlaneLike, src: PlaneLike, plan: GaussianPlan, scratch: number): void;
}

/** Picks the implementation once: the WASM separable filter, else the reference. */
export function bindGaussian(b: KernelBackend): GaussianKernel {
  const px = b.wasm?.pixels;
  if (!px) return { scratchBytes: () => 0, run: (dst, src, plan) => gaussianReference(b.heap, dst, src, plan) };
  const i16 = new Int16Array(b.heap.buffer);
  return {
    scratchBytes: (width, plan) => separableScratchBytes(width, plan.rx.length, plan.ry.length),
    run(dst, src, plan, scratch) {
      const nx = plan.rx.length;
      const ny = plan.ry.length;
      writeWeights(i16, scratch, plan.rx);
      writeWeights(i16, scratch + 2 * nx, plan.ry);
      px.gaussian_blur(
        src.ptr,
        src.stride,
        dst.ptr,
        dst.stride,
        src.width,
        src.height,
        scratch,
        nx,
        scratch + 2 * nx,
        ny,
        plan.shift,
        plan.wide,
        separableWork(scratch, nx, ny),
      );
    },
  };
}
