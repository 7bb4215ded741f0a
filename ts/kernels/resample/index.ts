import type { KernelBackend } from '../backend.js';
import { resampleReference } from './reference.js';

/** `count` resampled outputs (see wasm/resample.ts); byte offsets, arguments already checked. */
export type ResampleKernel = (
  src: number,
  dst: number,
  count: number,
  phase: number,
  M: number,
  L: number,
  taps: number,
  table: number,
) => void;

/** Picks the implementation once: wasm/resample.ts (SIMD or scalar build), else the reference. */
export function bindResample(b: KernelBackend): ResampleKernel {
  const px = b.wasm?.pixels;
  if (!px) {
    const heap = b.heap;
    return (src, dst, count, phase, M, L, taps, table) => resampleReference(heap, src, dst, count, phase, M, L, taps, table);
  }
  return px.resample_f32;
}
