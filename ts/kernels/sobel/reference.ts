import type { PlaneLike } from '../../image/plane.js';
import { reflect101 } from '../border.js';
import type { DerivPlan } from './kernels.js';

/**
 * The oracle: OpenCV's Sobel/Scharr of an 8-bit plane to int16 from its definition,
 *   dst(x, y) = saturate_i16(sum_ij kx[i] ky[j] src(x + i - rx, y + j - ry)),  BORDER_REFLECT_101,
 * one pixel at a time. `dst` is an 'i16' plane (little-endian, as the memory is).
 */
export function sobelReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike, plan: DerivPlan): void {
  const { kx, ky } = plan;
  const rx = kx.length >> 1;
  const ry = ky.length >> 1;
  const out = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      let s = 0;
      for (let j = 0; j < ky.length; j++) {
        const row = src.ptr + reflect101(y + j - ry, src.height) * src.stride;
        for (let i = 0; i < kx.length; i++) s += kx[i]! * ky[j]! * heap[row + reflect101(x + i - rx, src.width)]!;
      }
      out.setInt16(dst.ptr + y * dst.stride + 2 * x, Math.max(-32768, Math.min(32767, s)), true);
    }
  }
}

/** The oracle of the L1 magnitude: dst = saturate_i16(|dx| + |dy|) over three i16 planes. */
export function magnitudeReference(heap: Uint8Array, dst: PlaneLike, dx: PlaneLike, dy: PlaneLike): void {
  const v = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
  for (let y = 0; y < dst.height; y++) {
    for (let x = 0; x < dst.width; x++) {
      const s = Math.abs(v.getInt16(dx.ptr + y * dx.stride + 2 * x, true)) + Math.abs(v.getInt16(dy.ptr + y * dy.stride + 2 * x, true));
      v.setInt16(dst.ptr + y * dst.stride + 2 * x, Math.min(32767, s), true);
    }
  }
}
