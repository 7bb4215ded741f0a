import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { align16 } from '../../memory/layout.js';
import { resizeAreaReference, resizeLinearReference } from './reference.js';
import { linearAxis } from './tables.js';

/** Bilinear and integer-factor area resize; the arguments are already checked. */
export interface ResizeKernel {
  /** Scratch bytes a linear resize to `dw` x `dh` needs (0 for the reference). */
  scratchBytes(dw: number, dh: number): number;
  linear(dst: PlaneLike, src: PlaneLike, scratch: number): void;
  area(dst: PlaneLike, src: PlaneLike, kx: number, ky: number): void;
}

/** Picks the implementation once: wasm/resize.ts (tables written straight into scratch), else the references. */
export function bindResize(b: KernelBackend): ResizeKernel {
  const px = b.wasm?.pixels;
  if (!px) {
    return {
      scratchBytes: () => 0,
      linear: (dst, src) => resizeLinearReference(b.heap, dst, src),
      area: (dst, src, kx, ky) => resizeAreaReference(b.heap, dst, src, kx, ky),
    };
  }
  const i32 = new Int32Array(b.heap.buffer);
  const i16 = new Int16Array(b.heap.buffer);
  // Scratch: xofs, xofs1, alpha (4 bytes per column each), yofs, yofs1, beta (4 per row each), then
  // two i32 rows and their tags for wasm/resize.ts.
  const bytes = (dw: number, dh: number) => 3 * align16(4 * dw) + 3 * align16(4 * dh) + 2 * align16(4 * dw) + 16;
  return {
    scratchBytes: bytes,
    linear(dst, src, s) {
      const dw = dst.width;
      const dh = dst.height;
      const xofs = s;
      const xofs1 = xofs + align16(4 * dw);
      const alpha = xofs1 + align16(4 * dw);
      const yofs = alpha + align16(4 * dw);
      const yofs1 = yofs + align16(4 * dh);
      const beta = yofs1 + align16(4 * dh);
      const work = beta + align16(4 * dh);
      linearAxis(src.width, dw, i32, xofs >> 2, i32, xofs1 >> 2, i16, alpha >> 1);
      linearAxis(src.height, dh, i32, yofs >> 2, i32, yofs1 >> 2, i16, beta >> 1);
      px.resize_linear(src.ptr, src.stride, src.height, dst.ptr, dst.stride, dw, dh, xofs, xofs1, alpha, yofs, beta, work);
    },
    area: (dst, src, kx, ky) =>
      px.resize_area_fast(src.ptr, src.stride, dst.ptr, dst.stride, dst.width, dst.height, kx, ky, Math.fround(1 / (kx * ky))),
  };
}
