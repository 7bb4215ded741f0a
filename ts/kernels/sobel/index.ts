import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { separableScratchBytes, separableWork, writeWeights } from '../separable.js';
import type { DerivPlan } from './kernels.js';
import { magnitudeReference, sobelReference } from './reference.js';

/** Sobel/Scharr to int16 and the L1 magnitude; the arguments are already checked. */
export interface SobelKernel {
  /** Scratch bytes a call needs for a `width`-wide image (0 for the reference). */
  scratchBytes(width: number, plan: DerivPlan): number;
  run(dst: PlaneLike, src: PlaneLike, plan: DerivPlan, scratch: number): void;
  magnitude(dst: PlaneLike, dx: PlaneLike, dy: PlaneLike): void;
}

/** Picks the implementation once: wasm/gradients.ts, else the references. */
export function bindSobel(b: KernelBackend): SobelKernel {
  const px = b.wasm?.pixels;
  if (!px) {
    return {
      scratchBytes: () => 0,
      run: (dst, src, plan) => sobelReference(b.heap, dst, src, plan),
      magnitude: (dst, dx, dy) => magnitudeReference(b.heap, dst, dx, dy),
    };
  }
  const i16 = new Int16Array(b.heap.buffer);
  return {
    scratchBytes: (width, plan) => separableScratchBytes(width, plan.kx.length, plan.ky.length),
    run(dst, src, plan, scratch) {
      const nx = plan.kx.length;
      const ny = plan.ky.length;
      writeWeights(i16, scratch, plan.kx);
      writeWeights(i16, scratch + 2 * nx, plan.ky);
      px.deriv_i16(
        src.ptr,
        src.stride,
        dst.ptr,
        dst.stride,
        src.width,
        src.height,
        scratch,
        nx,
        plan.symX,
        scratch + 2 * nx,
        ny,
        plan.symY,
        separableWork(scratch, nx, ny),
      );
    },
    magnitude: (dst, dx, dy) => px.magnitude_l1(dx.ptr, dx.stride, dy.ptr, dy.stride, dst.ptr, dst.stride, dst.width, dst.height),
  };
}
