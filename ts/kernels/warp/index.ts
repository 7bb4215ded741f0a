import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { align16 } from '../../memory/layout.js';
import { isJavaScriptCore } from '../../runtime.js';
import { warpAffineReference, warpPerspectiveReference, type WarpBorder } from './reference.js';

/** Bilinear warps; the arguments are already checked and `m` is the inverse map (dst -> src). */
export interface WarpKernel {
  /** Scratch bytes a warp to a `dstWidth`-wide destination needs (0 for the reference). */
  scratchBytes(dstWidth: number): number;
  affine(dst: PlaneLike, src: PlaneLike, cn: number, m: Float64Array, border: WarpBorder, value: readonly number[], scratch: number): void;
  perspective(
    dst: PlaneLike,
    src: PlaneLike,
    cn: number,
    m: Float64Array,
    border: WarpBorder,
    value: readonly number[],
    scratch: number,
  ): void;
}

/** The border value's channel bytes as one u32, channel 0 lowest (wasm/warp.ts). */
const packed = (v: readonly number[]) => (v[0]! | (v[1]! << 8) | (v[2]! << 16) | (v[3]! << 24)) >>> 0;

/**
 * Work bytes wasm/warp.ts's warp_perspective(_rows) needs for a `dstWidth`-wide destination (16-byte
 * aligned): the f64 products for a block of at most 1024 columns (24 bytes a column), then the map
 * of a block, at most 96 bytes per 8 pixels.
 */
export const warpPerspectiveWorkBytes = (dstWidth: number): number => align16(24 * Math.min(dstWidth, 1024)) + 12 * dstWidth + 16;

/** Picks the implementation once: wasm/warp.ts (the matrix copied into scratch as f64s), else the references. */
export function bindWarp(b: KernelBackend): WarpKernel {
  const px = b.wasm?.pixels;
  if (!px) {
    return {
      scratchBytes: () => 0,
      affine: (dst, src, cn, m, border, value) => warpAffineReference(b.heap, dst, src, cn, m, border, value),
      perspective: (dst, src, cn, m, border, value) => warpPerspectiveReference(b.heap, dst, src, cn, m, border, value),
    };
  }
  const f64 = new Float64Array(b.heap.buffer, 0, b.heap.length >> 3);
  // The gather loop's engine-specific forms (wasm/warp.ts, gray and rgba): lane loads and a
  // shuffle under V8 (1); scalar loads put into lanes, and swizzles, under JavaScriptCore (0).
  const v8 = isJavaScriptCore() ? 0 : 1;
  const MATRIX = 80; // 9 f64s, 16-byte aligned; wasm/warp.ts's work area follows
  return {
    // The matrix, then the larger of warp_affine's work (two i32 tables of dstWidth, 16 bytes for
    // each of the 16 rows of a band, then the map of at most 256 gray columns, 128 bytes per 8
    // pixels, or 128 four-channel ones, 96 bytes per 8) and warp_perspective's (f64 products for a
    // block of at most 1024 columns, 24 bytes a column, then the map of a block).
    scratchBytes: (dw) => MATRIX + Math.max(2 * align16(4 * dw) + 16 * 16 + 16 * Math.min(dw, 256), warpPerspectiveWorkBytes(dw)),
    affine(dst, src, cn, m, border, value, s) {
      f64.set(m.subarray(0, 6), s >> 3);
      px.warp_affine(src.ptr, src.stride, src.width, src.height, dst.ptr, dst.stride, dst.width, dst.height,
        cn, s, border === 'constant' ? 0 : 1, packed(value), s + MATRIX, v8); // prettier-ignore
    },
    perspective(dst, src, cn, m, border, value, s) {
      f64.set(m.subarray(0, 9), s >> 3);
      px.warp_perspective(src.ptr, src.stride, src.width, src.height, dst.ptr, dst.stride, dst.width, dst.height,
        cn, s, border === 'constant' ? 0 : 1, packed(value), s + MATRIX, v8); // prettier-ignore
    },
  };
}
