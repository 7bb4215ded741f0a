import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { cornerResponseReference } from './reference.js';
import { selectCorners } from './select.js';

/** Corner response kernel: arguments already checked; `dst` is the packed f32 plane at byte offset `dstPtr`. */
export interface CornerResponseKernel {
  /** Scratch bytes a call on an image `width` wide with block `block` needs (0 for the reference). */
  scratchBytes(width: number, block: number): number;
  /** Shi-Tomasi when `harrisK` is null, else Harris with that free parameter. */
  run(dst: Float32Array, src: PlaneLike, block: number, harrisK: number | null, scratch: number): void;
  /**
   * goodFeaturesToTrack's selection over `resp` (a w x h map, overwritten) into `out`, with
   * `cand`, `next` (w x h int32 each) and `heads` (one int32 per grid cell) as scratch; returns
   * how many corners were kept (select.ts says how).
   */
  select: typeof selectCorners;
}

/** Binds once: the Rust exports (rust/src/corners) when WASM is loaded, else the references. */
export function bindCornerResponse(b: KernelBackend): CornerResponseKernel {
  const f = b.wasm?.features;
  if (!f)
    return {
      scratchBytes: () => 0,
      run: (dst, src, block, k) => cornerResponseReference(b.heap, dst, src, block, k),
      select: selectCorners,
    };
  return {
    select: (out, resp, w, h, o, cand, next, heads) =>
      f.fk_gftt_select(
        resp.byteOffset,
        w,
        h,
        o.qualityLevel,
        o.minDistance,
        o.maxCorners,
        cand.byteOffset,
        next.byteOffset,
        heads.byteOffset,
        out.ptr('x'),
        out.ptr('y'),
        out.ptr('response'),
        out.capacity,
      ),
    scratchBytes: (width, block) => f.fk_corner_response_scratch_bytes(width, block),
    run: (dst, src, block, k, scratch) =>
      f.fk_corner_response(src.ptr, src.width, src.height, src.stride, block, k === null ? 0 : 1, k ?? 0, scratch, dst.byteOffset),
  };
}
