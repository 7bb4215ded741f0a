import type { PlaneLike } from '../../image/plane.js';
import { reflect101 } from '../border.js';

const W = [1, 4, 6, 4, 1];

/**
 * The oracle: OpenCV's pyrDown on 8-bit planes from its definition,
 *   dst(x, y) = (sum_ij w[i] w[j] src(2x + i - 2, 2y + j - 2) + 128) >> 8,  w = [1 4 6 4 1],
 * with BORDER_REFLECT_101, one pixel at a time.
 */
export function pyrDownReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike): void {
  for (let y = 0; y < dst.height; y++) {
    for (let x = 0; x < dst.width; x++) {
      let s = 0;
      for (let j = 0; j < 5; j++) {
        const row = src.ptr + reflect101(2 * y + j - 2, src.height) * src.stride;
        for (let i = 0; i < 5; i++) s += W[i]! * W[j]! * heap[row + reflect101(2 * x + i - 2, src.width)]!;
      }
      heap[dst.ptr + y * dst.stride + x] = (s + 128) >> 8;
    }
  }
}
