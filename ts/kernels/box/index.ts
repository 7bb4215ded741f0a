import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { separableScratchBytes, separableWork } from '../separable.js';
import { boxDivDelta, boxDivScale, boxReference } from './reference.js';

/** Normalised box blur, gray to gray of the same size; the arguments are already checked. */
export interface BoxKernel {
  /** Scratch bytes a call needs for a `width`-wide image (0 for the reference). */
  scratchBytes(width: number, kw: number, kh: number): number;
  run(dst: PlaneLike, src: PlaneLike, kw: number, kh: number, scratch: number): void;
}

/** Picks the implementation once: wasm/blur.ts box_blur (the separable engine with all-ones kernels), else the reference. */
export function bindBox(b: KernelBackend): BoxKernel {
  const px = b.wasm?.pixels;
  if (!px) return { scratchBytes: () => 0, run: (dst, src, kw, kh) => boxReference(b.heap, dst, src, kw, kh) };
  const i16 = new Int16Array(b.heap.buffer);
  return {
    scratchBytes: (width, kw, kh) => separableScratchBytes(width, kw, kh),
    run(dst, src, kw, kh, scratch) {
      i16.fill(1, scratch >> 1, (scratch >> 1) + Math.max(kw, kh));
      px.box_blur(
        src.ptr,
        src.stride,
        dst.ptr,
        dst.stride,
        src.width,
        src.height,
        scratch,
        kw,
        kh,
        boxDivDelta(kw * kh),
        boxDivScale(kw * kh),
        separableWork(scratch, kw, kh),
      );
    },
  };
}
