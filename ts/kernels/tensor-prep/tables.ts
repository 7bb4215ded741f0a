/*
 * Geometry and sampling tables of the RGBA -> float NHWC tensor kernel (wasm/tensor.ts).
 *
 * Letterbox: the source keeps its aspect ratio inside the tensor, centred, and the rest is border.
 * Bilinear sampling with pixel centres aligned (as OpenCV's INTER_LINEAR and GPU samplers do):
 *   s = (d + 0.5) * srcLen / contentLen - 0.5, clamped to [0, srcLen - 1];
 *   i0 = floor(s), i1 = min(i0 + 1, srcLen - 1), f = float32(s - i0).
 * Each table entry is 16 bytes: i32 first index (a byte offset for columns, a row for rows),
 * i32 second index, f32 weight of the second, 4 unused bytes.
 */

/** Where the source lands inside the tensor: content rectangle (ox, oy, cw, ch) of a dstWidth x dstHeight tensor. */
export interface TensorGeometry {
  readonly srcWidth: number;
  readonly srcHeight: number;
  readonly dstWidth: number;
  readonly dstHeight: number;
  readonly ox: number;
  readonly oy: number;
  readonly cw: number;
  readonly ch: number;
}

/** 'letterbox' keeps the aspect ratio (border around); 'stretch' fills the whole tensor. */
export type FitMode = 'letterbox' | 'stretch';

/** The content rectangle of a `srcWidth` x `srcHeight` image in a `dstWidth` x `dstHeight` tensor. */
export function tensorGeometry(srcWidth: number, srcHeight: number, dstWidth: number, dstHeight: number, fit: FitMode): TensorGeometry {
  if (fit === 'stretch') return { srcWidth, srcHeight, dstWidth, dstHeight, ox: 0, oy: 0, cw: dstWidth, ch: dstHeight };
  const s = Math.min(dstWidth / srcWidth, dstHeight / srcHeight);
  const cw = Math.max(1, Math.min(dstWidth, Math.round(srcWidth * s)));
  const ch = Math.max(1, Math.min(dstHeight, Math.round(srcHeight * s)));
  return { srcWidth, srcHeight, dstWidth, dstHeight, ox: (dstWidth - cw) >> 1, oy: (dstHeight - ch) >> 1, cw, ch };
}

/** Bytes of the two tables for a content rectangle of `cw` x `ch`. */
export function tableBytes(cw: number, ch: number): number {
  return 16 * (cw + ch);
}

/**
 * Writes one axis's table at word index `w` of `i32` / `f32` (two views of the same bytes):
 * `unit` multiplies the indices (4 for byte offsets of RGBA columns, 1 for rows). Allocates nothing.
 */
export function fillAxis(i32: Int32Array, f32: Float32Array, w: number, srcLen: number, contentLen: number, unit: number): void {
  const step = srcLen / contentLen;
  for (let d = 0; d < contentLen; d++) {
    const s = Math.min(srcLen - 1, Math.max(0, (d + 0.5) * step - 0.5));
    const i0 = Math.floor(s);
    const o = w + 4 * d;
    i32[o] = i0 * unit;
    i32[o + 1] = Math.min(i0 + 1, srcLen - 1) * unit;
    f32[o + 2] = s - i0;
    i32[o + 3] = 0;
  }
}
