import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { histogramReference, lutReference, thresholdReference } from './reference.js';

/** Histogram, table and threshold steps; the arguments are already checked. */
export interface HistogramKernel {
  /** Scratch bytes a call needs (0 for the reference). */
  readonly scratchBytes: number;
  histogram(src: PlaneLike, out: Uint32Array, scratch: number): Uint32Array;
  lut(dst: PlaneLike, src: PlaneLike, lut: Uint8Array, scratch: number): void;
  threshold(dst: PlaneLike, src: PlaneLike, thresh: number, hi: number, lo: number): void;
}

/** Picks the implementation once: wasm/histogram.ts, else the references. */
export function bindHistogram(b: KernelBackend): HistogramKernel {
  const px = b.wasm?.pixels;
  if (!px) {
    return {
      scratchBytes: 0,
      histogram: (src, out) => histogramReference(b.heap, src, out),
      lut: (dst, src, lut) => lutReference(b.heap, dst, src, lut),
      threshold: (dst, src, t, hi, lo) => thresholdReference(b.heap, dst, src, t, hi, lo),
    };
  }
  const u32 = new Uint32Array(b.heap.buffer);
  // Scratch: 256 u32 counts, 3 KiB of sub-histograms, the 256-byte table.
  return {
    scratchBytes: 1024 + 3072 + 256,
    histogram(src, out, scratch) {
      px.histogram(src.ptr, src.stride, src.width, src.height, scratch, scratch + 1024);
      out.set(u32.subarray(scratch >> 2, (scratch >> 2) + 256));
      return out;
    },
    lut(dst, src, lut, scratch) {
      b.heap.set(lut, scratch + 4096);
      px.lut_u8(src.ptr, src.stride, dst.ptr, dst.stride, src.width, src.height, scratch + 4096);
    },
    threshold: (dst, src, t, hi, lo) => px.threshold_u8(src.ptr, src.stride, dst.ptr, dst.stride, src.width, src.height, t, hi, lo),
  };
}
