import type { PlaneLike } from '../../image/plane.js';

/** The oracle: 256 counts of a gray plane's values into `out` (zeroed first). */
export function histogramReference(heap: Uint8Array, src: PlaneLike, out: Uint32Array): Uint32Array {
  out.fill(0);
  for (let y = 0; y < src.height; y++) for (let x = 0; x < src.width; x++) out[heap[src.ptr + y * src.stride + x]!]!++;
  return out;
}

/** The oracle of the table step: dst = lut[src]. */
export function lutReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike, lut: Uint8Array): void {
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) heap[dst.ptr + y * dst.stride + x] = lut[heap[src.ptr + y * src.stride + x]!]!;
  }
}

/** The oracle of the threshold step: dst = src > thresh ? hi : lo. */
export function thresholdReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike, thresh: number, hi: number, lo: number): void {
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) heap[dst.ptr + y * dst.stride + x] = heap[src.ptr + y * src.stride + x]! > thresh ? hi : lo;
  }
}
