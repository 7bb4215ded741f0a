import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { pyrDownReference } from './reference.js';

/** One level down; the arguments are already checked (dst is ((w + 1) / 2, (h + 1) / 2)). */
export interface PyrDownKernel {
  /** Scratch bytes a call needs for a `srcWidth`-wide source (0 for the reference). */
  scratchBytes(srcWidth: number): number;
  run(dst: PlaneLike, src: PlaneLike, scratch: number): void;
}

/** Picks the implementation once: wasm/pyramid.ts, else the reference. */
export function bindPyrDown(b: KernelBackend): PyrDownKernel {
  const px = b.wasm?.pixels;
  if (!px) return { scratchBytes: () => 0, run: (dst, src) => pyrDownReference(b.heap, dst, src) };
  return {
    // 16 bytes of left border, the row of 16-bit sums, 16 samples of right border (wasm/pyramid.ts).
    scratchBytes: (w) => 16 + 2 * (w + 16) + 16,
    run: (dst, src, scratch) =>
      px.pyr_down(src.ptr, src.stride, src.width, src.height, dst.ptr, dst.stride, dst.width, dst.height, scratch),
  };
}
