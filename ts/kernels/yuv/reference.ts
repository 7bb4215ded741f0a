import type { PlaneLike } from '../../image/plane.js';

const sat = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v);

/**
 * The oracle: OpenCV's YUV 4:2:0 to RGBA (cvtColor COLOR_YUV2RGBA_I420 / _NV12), BT.601 video range
 * in 20-bit fixed point, one pixel at a time. Chroma sample (x/2, y/2) is read at
 * `u + (y >> 1) * uStride + (x >> 1) * uStep` (and the same from `v`): uStep 1 for planar I420,
 * 2 for NV12 with v one byte after u.
 */
export function yuvReference(
  heap: Uint8Array,
  dst: PlaneLike,
  y: PlaneLike,
  u: number,
  uStride: number,
  v: number,
  vStride: number,
  uStep: number,
): void {
  for (let r = 0; r < y.height; r++) {
    for (let x = 0; x < y.width; x++) {
      const uu = heap[u + (r >> 1) * uStride + (x >> 1) * uStep]! - 128;
      const vv = heap[v + (r >> 1) * vStride + (x >> 1) * uStep]! - 128;
      const yy = Math.max(0, heap[y.ptr + r * y.stride + x]! - 16) * 1220542;
      const o = dst.ptr + r * dst.stride + 4 * x;
      heap[o] = sat((yy + (1 << 19) + 1673527 * vv) >> 20);
      heap[o + 1] = sat((yy + (1 << 19) - 852492 * vv - 409993 * uu) >> 20);
      heap[o + 2] = sat((yy + (1 << 19) + 2116026 * uu) >> 20);
      heap[o + 3] = 255;
    }
  }
}
