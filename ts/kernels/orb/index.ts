import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { PATTERN } from './pattern.js';
import { anglesReference, describeReference, harrisReference, resizeReference } from './reference.js';

/**
 * ORB's kernels; arguments already checked (ts/kernels/orb/api.ts). Positions and outputs are
 * byte offsets of f32 arrays (descriptors: of bytes) in the shared memory, `n` entries.
 */
export interface OrbKernels {
  harris(img: PlaneLike, xs: number, ys: number, n: number, out: number): void;
  angles(img: PlaneLike, xs: number, ys: number, n: number, out: number): void;
  /** `kernel`: byte offset of the 7 i32 taps of the smoothing (Q8, OpenCV's 7x7 sigma-2 Gaussian). */
  describe(img: PlaneLike, xs: number, ys: number, angles: number, n: number, kernel: number, out: number): void;
  /** Scratch bytes `resize` needs from a source `srcWidth` wide to a destination `width` wide. */
  resizeScratchBytes(srcWidth: number, width: number): number;
  resize(dst: PlaneLike, src: PlaneLike, scratch: number): void;
}

export function bindOrb(b: KernelBackend): OrbKernels {
  const f = b.wasm?.features;
  if (!f) {
    const f32 = new Float32Array(b.heap.buffer);
    const at = (p: number, n: number) => f32.subarray(p >> 2, (p >> 2) + n);
    return {
      harris: (img, xs, ys, n, out) => harrisReference(b.heap, img, at(xs, n), at(ys, n), n, at(out, n)),
      angles: (img, xs, ys, n, out) => anglesReference(b.heap, img, at(xs, n), at(ys, n), n, at(out, n)),
      describe: (img, xs, ys, an, n, kern, out) =>
        describeReference(
          b.heap,
          img,
          PATTERN,
          at(xs, n),
          at(ys, n),
          at(an, n),
          n,
          new Int32Array(b.heap.buffer, kern, 7),
          b.heap.subarray(out, out + 32 * n),
        ),
      resizeScratchBytes: () => 0,
      resize: (dst, src) => resizeReference(b.heap, dst, src),
    };
  }
  return {
    harris: (img, xs, ys, n, out) => f.fk_orb_harris(img.ptr, img.stride, xs, ys, n, out),
    angles: (img, xs, ys, n, out) => f.fk_orb_angles(img.ptr, img.stride, xs, ys, n, out),
    describe: (img, xs, ys, an, n, kern, out) => f.fk_orb_describe(img.ptr, img.stride, xs, ys, an, n, kern, out),
    resizeScratchBytes: (srcWidth, width) => f.fk_resize_scratch_bytes(srcWidth, width),
    resize: (dst, src, scratch) =>
      f.fk_resize_bilinear(src.ptr, src.width, src.height, src.stride, dst.ptr, dst.width, dst.height, dst.stride, scratch),
  };
}
