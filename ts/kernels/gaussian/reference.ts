import type { PlaneLike } from '../../image/plane.js';
import { reflect101 } from '../border.js';
import type { GaussianPlan } from './plan.js';

/**
 * The oracle: OpenCV's fixed-point GaussianBlur on 8-bit planes, straight from its definition,
 *   dst(x, y) = (sum_ij kx[i] ky[j] src(x + i - rx, y + j - ry) + 2^15) >> 16,
 * with OpenCV's Q8 kernels and BORDER_REFLECT_101, one pixel at a time (no separable passes, no
 * scratch): plain on purpose, every other implementation is tested against it.
 */
export function gaussianReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike, plan: GaussianPlan): void {
  const { kx, ky } = plan;
  const rx = kx.length >> 1;
  const ry = ky.length >> 1;
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      let s = 0;
      for (let j = 0; j < ky.length; j++) {
        const row = src.ptr + reflect101(y + j - ry, src.height) * src.stride;
        for (let i = 0; i < kx.length; i++) s += kx[i]! * ky[j]! * heap[row + reflect101(x + i - rx, src.width)]!;
      }
      heap[dst.ptr + y * dst.stride + x] = (s + 32768) >>> 16;
    }
  }
}
