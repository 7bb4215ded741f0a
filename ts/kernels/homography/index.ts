import type { KernelBackend } from '../backend.js';
import { findHomographyReference, type HomographyParams } from './reference.js';

/**
 * RANSAC homography over point pairs in the shared memory; arguments already checked. Pointers are
 * byte offsets: `src`, `dst` 2 * count f32 each, `outH` 9 f64, `outMask` count bytes, `outIters` a
 * u32. Returns the inlier count, or a negative reason (see reference.ts).
 */
export interface HomographyKernel {
  run(src: number, dst: number, count: number, p: HomographyParams, outH: number, outMask: number, outIters: number): number;
}

/** Binds once: the Rust export (rust/src/homography) when WASM is loaded, else the reference. */
export function bindHomography(b: KernelBackend): HomographyKernel {
  const f = b.wasm?.features;
  if (!f) {
    const buf = b.heap.buffer;
    return {
      run(src, dst, count, p, outH, outMask, outIters) {
        const r = findHomographyReference(
          new Float32Array(buf, src, 2 * count),
          new Float32Array(buf, dst, 2 * count),
          p,
          new Float64Array(buf, outH, 9),
          new Uint8Array(buf, outMask, count),
        );
        new Uint32Array(buf, outIters, 1)[0] = r.iterations;
        return r.status;
      },
    };
  }
  return {
    run: (src, dst, count, p, outH, outMask, outIters) =>
      f.fk_find_homography(
        src,
        dst,
        count,
        p.threshold,
        p.confidence,
        p.maxIters,
        p.seed,
        p.refineIters,
        p.minInliers,
        p.sorted ? 1 : 0,
        outH,
        outMask,
        outIters,
      ),
  };
}
