import type { PlaneLike } from '../../image/plane.js';
import { reflect101 } from '../border.js';

/**
 * OpenCV's division for the 8-bit normalised box filter with a kernel of n <= 256 pixels
 * (ColumnSum<ushort, uchar>): out = ((sum + divDelta) * divScale) >> 23. Two functions, not an
 * object, so the per-call path allocates nothing.
 */
export function boxDivScale(n: number): number {
  if (n === 1) return 1 << 23;
  const scalef = (1 << 23) / n;
  return scalef - Math.floor(scalef) < 0.5 ? Math.floor(scalef) : Math.floor(scalef) + 1;
}

/** The divDelta that goes with boxDivScale(n). */
export function boxDivDelta(n: number): number {
  if (n === 1) return 0;
  const scalef = (1 << 23) / n;
  return scalef - Math.floor(scalef) < 0.5 ? (n >> 1) + 1 : n >> 1;
}

/**
 * The oracle: OpenCV's blur(src, dst, Size(kw, kh)) on 8-bit planes, anchor at (kw / 2, kh / 2),
 * BORDER_REFLECT_101: the sum of the kw x kh window, divided as boxDivision says, one pixel at a time.
 */
export function boxReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike, kw: number, kh: number): void {
  const divDelta = boxDivDelta(kw * kh);
  const divScale = boxDivScale(kw * kh);
  const ax = kw >> 1;
  const ay = kh >> 1;
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      let s = 0;
      for (let j = 0; j < kh; j++) {
        const row = src.ptr + reflect101(y + j - ay, src.height) * src.stride;
        for (let i = 0; i < kw; i++) s += heap[row + reflect101(x + i - ax, src.width)]!;
      }
      heap[dst.ptr + y * dst.stride + x] = Math.floor(((s + divDelta) * divScale) / (1 << 23)); // exact: < 2^53
    }
  }
}
