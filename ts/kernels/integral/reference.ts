import type { PlaneLike } from '../../image/plane.js';

/**
 * The oracle: OpenCV's integral(src, sum, CV_32S) and, when `sq` is given, the CV_64F sum of
 * squares: (w + 1) x (h + 1) tables, first row and column zero, each entry the sum over the
 * rectangle above-left of it, straight from the definition. 32-bit sums wrap as OpenCV's do.
 */
export function integralReference(heap: Uint8Array, sum: PlaneLike, src: PlaneLike, sq: PlaneLike | null): void {
  const i32 = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
  for (let y = 0; y <= src.height; y++) {
    let s = 0;
    let q = 0;
    for (let x = 0; x <= src.width; x++) {
      if (x > 0 && y > 0) {
        const p = heap[src.ptr + (y - 1) * src.stride + x - 1]!;
        s += p;
        q += p * p;
      }
      const above = y > 0 ? i32.getInt32(sum.ptr + (y - 1) * sum.stride + 4 * x, true) : 0;
      i32.setInt32(sum.ptr + y * sum.stride + 4 * x, (above + s) | 0, true);
      if (sq) {
        const aboveQ = y > 0 ? i32.getFloat64(sq.ptr + (y - 1) * sq.stride + 8 * x, true) : 0;
        i32.setFloat64(sq.ptr + y * sq.stride + 8 * x, aboveQ + q, true);
      }
    }
  }
}
