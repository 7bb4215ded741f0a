import type { KernelBackend } from '../backend.js';
import { poseReference } from './reference.js';

/**
 * Pose from a plane homography; arguments already checked. Byte offsets of `h`, `k`, `outR` (9 f64
 * each) and `outT` (3 f64). Returns 0, or a negative value (nothing written) when H is degenerate.
 */
export interface PoseKernel {
  run(h: number, k: number, outR: number, outT: number): number;
}

/** Binds once: the Rust export (rust/src/pose) when WASM is loaded, else the reference. */
export function bindPose(b: KernelBackend): PoseKernel {
  const f = b.wasm?.features;
  if (!f) {
    const buf = b.heap.buffer;
    return {
      run(h, k, outR, outT) {
        const r = poseReference(new Float64Array(buf, h, 9), new Float64Array(buf, k, 9));
        if (!r) return -2;
        new Float64Array(buf, outR, 9).set(r.R);
        new Float64Array(buf, outT, 3).set(r.t);
        return 0;
      },
    };
  }
  return { run: (h, k, outR, outT) => f.fk_pose_from_homography(h, k, outR, outT) };
}
