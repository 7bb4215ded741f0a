import type { PlaneLike } from '../../image/plane.js';
import { reflect101 } from '../border.js';
import type { DerivPlan } from './kernels.js';

/** Reads the little-endian int16 at byte offset `p` (any alignment). */
function get16(heap: Uint8Array, p: number): number {
  return ((heap[p]! | (heap[p + 1]! << 8)) << 16) >> 16;
}

/** Writes `v` as a little-endian int16 at byte offset `p` (any alignment). */
function set16(heap: Uint8Array, p: number, v: number): void {
  heap[p] = v & 0xff;
  heap[p + 1] = (v >> 8) & 0xff;
}

/**
 * The oracle: OpenCV's Sobel/Scharr of an 8-bit plane to int16 from its definition,
 *   dst(x, y) = saturate_i16(sum_ij kx[i] ky[j] src(x + i - rx, y + j - ry)),  BORDER_REFLECT_101,
 * one pixel at a time. `dst` is an 'i16' plane (little-endian, as the memory is).
 */
export function sobelReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike, plan: DerivPlan): void {
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
      set16(heap, dst.ptr + y * dst.stride + 2 * x, Math.max(-32768, Math.min(32767, s)));
    }
  }
}

/** The oracle of the L1 magnitude: dst = saturate_i16(|dx| + |dy|) over three i16 planes. */
export function magnitudeReference(heap: Uint8Array, dst: PlaneLike, dx: PlaneLike, dy: PlaneLike): void {
  for (let y = 0; y < dst.height; y++) {
    for (let x = 0; x < dst.width; x++) {
      const s = Math.abs(get16(heap, dx.ptr + y * dx.stride + 2 * x)) + Math.abs(get16(heap, dy.ptr + y * dy.stride + 2 * x));
      set16(heap, dst.ptr + y * dst.stride + 2 * x, Math.min(32767, s));
    }
  }
}
