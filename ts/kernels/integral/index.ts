import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { integralReference } from './reference.js';

/** Integral image (and squares); the arguments are already checked. */
export type IntegralKernel = (sum: PlaneLike, src: PlaneLike, sq: PlaneLike | null) => void;

/** Picks the implementation once: wasm/integral.ts, else the reference. */
export function bindIntegral(b: KernelBackend): IntegralKernel {
  const px = b.wasm?.pixels;
  if (!px) return (sum, src, sq) => integralReference(b.heap, sum, src, sq);
  return (sum, src, sq) =>
    px.integral(src.ptr, src.stride, sum.ptr, sum.stride, src.width, src.height, sq ? sq.ptr : 0, sq ? sq.stride : 0);
}
