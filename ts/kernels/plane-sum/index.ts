import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { planeSumReference } from './reference.js';

/** Sum of a gray plane's bytes (Rust: rust/src/checksum). */
export type PlaneSumKernel = (src: PlaneLike) => bigint;

export function bindPlaneSum(b: KernelBackend): PlaneSumKernel {
  const f = b.wasm?.features;
  if (!f) return (src) => planeSumReference(b.heap, src);
  return (src) => f.fk_plane_sum(src.ptr, src.width, src.height, src.stride);
}
