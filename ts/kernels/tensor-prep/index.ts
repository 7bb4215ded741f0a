import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { toTensorReference } from './reference.js';
import { fillAxis, tableBytes, type TensorGeometry } from './tables.js';

/** RGBA/BGRA plane to a float32 NHWC RGB tensor; the arguments are already checked. */
export interface TensorPrepKernel {
  /** Scratch bytes the tables of geometry `g` need (0 for the reference). */
  scratchBytes(g: TensorGeometry): number;
  /** Writes the tensor at byte address `dst` (4-byte aligned) of the memory. */
  run(dst: number, src: PlaneLike, g: TensorGeometry, scale: number, bias: number, scratch: number): void;
}

/** Picks the implementation once: wasm/tensor.ts with its tables written into scratch, else the reference. */
export function bindTensorPrep(b: KernelBackend): TensorPrepKernel {
  const px = b.wasm?.pixels;
  const f32 = new Float32Array(b.heap.buffer);
  if (!px) {
    return { scratchBytes: () => 0, run: (dst, src, g, scale, bias) => toTensorReference(b.heap, f32, dst >> 2, src, g, scale, bias) };
  }
  const i32 = new Int32Array(b.heap.buffer);
  return {
    scratchBytes: (g) => tableBytes(g.cw, g.ch),
    run(dst, src, g, scale, bias, s) {
      const ytab = s + 16 * g.cw;
      fillAxis(i32, f32, s >> 2, g.srcWidth, g.cw, 4);
      fillAxis(i32, f32, ytab >> 2, g.srcHeight, g.ch, 1);
      px.to_tensor_rgba(
        src.ptr,
        src.stride,
        dst,
        g.dstWidth,
        g.dstHeight,
        g.ox,
        g.oy,
        g.cw,
        g.ch,
        s,
        ytab,
        scale,
        bias,
        src.format === 'bgra' ? 1 : 0,
      );
    },
  };
}
