import type { Keypoints } from '../../features/keypoints.js';
import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { fastReference } from './reference.js';

/** FAST-9 kernel: arguments already checked; returns the number of corners found. */
export interface FastKernel {
  /** Scratch bytes a call on an image `width` wide needs (0 for the reference). */
  scratchBytes(width: number): number;
  run(out: Keypoints, src: PlaneLike, threshold: number, nonmax: boolean, scratch: number): number;
}

/** Binds once: the Rust export (rust/src/fast) when WASM is loaded, else the reference. */
export function bindFast(b: KernelBackend): FastKernel {
  const f = b.wasm?.features;
  if (!f) return { scratchBytes: () => 0, run: (out, src, t, nms) => fastReference(b.heap, out, src, t, nms) };
  return {
    scratchBytes: (width) => f.fk_fast9_scratch_bytes(width),
    run: (out, src, t, nms, scratch) =>
      f.fk_fast9(
        src.ptr,
        src.width,
        src.height,
        src.stride,
        t,
        nms ? 1 : 0,
        scratch,
        out.ptr('x'),
        out.ptr('y'),
        out.ptr('response'),
        out.capacity,
      ),
  };
}
