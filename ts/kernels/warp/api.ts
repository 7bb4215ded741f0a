import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';
import { invertAffine, invertPerspective } from './matrix.js';
import { roundEven, type WarpBorder } from './reference.js';

export type { WarpBorder } from './reference.js';

export interface WarpOptions {
  /**
   * False (the default): `M` maps source pixels to destination pixels, and is inverted as OpenCV
   * inverts it. True: `M` already maps destination to source (OpenCV's WARP_INVERSE_MAP).
   */
  inverseMap?: boolean;
  /** Pixels that sample outside the source: 'constant' (the default) or 'replicate' (the nearest edge). */
  border?: WarpBorder;
  /**
   * The 'constant' border's value: one number for every channel, or one per channel as OpenCV's
   * Scalar (missing channels 0). Rounded to nearest even and saturated to 0..255. Default 0.
   */
  borderValue?: number | readonly number[];
}

/** The largest source side: OpenCV keeps source positions in 16-bit integers. */
export const WARP_MAX_SOURCE = 32767;

// Reused by every call (calls are synchronous): the inverse map and the border value's bytes.
const inverse = new Float64Array(9);
const value = [0, 0, 0, 0];

function channels(name: string, dst: PlaneLike, src: PlaneLike): number {
  const cn = src.format === 'gray' ? 1 : src.format === 'rgba' || src.format === 'bgra' ? 4 : 0;
  if (!cn) throw new FramekitError('E_FORMAT', `${name}: src must be gray, rgba or bgra, got ${src.format}`, { format: src.format });
  if (dst.format !== src.format) {
    throw new FramekitError('E_FORMAT', `${name}: dst must be ${src.format} like src, got ${dst.format}`, { format: dst.format });
  }
  return cn;
}

/**
 * The checks of warpAffine (n = 6) and warpPerspective (n = 9), with their errors: the channel
 * count, the border, the inverse map (dst -> src) and the border value's bytes. `inverse` and
 * `value` are arrays this module reuses: read them before the next warp call. For callers that run
 * the warp elsewhere (a worker pool's stripes).
 */
export function checkWarp(
  ctx: KernelContext,
  name: string,
  dst: PlaneLike,
  src: PlaneLike,
  M: ArrayLike<number>,
  n: number,
  o: WarpOptions,
) {
  const cn = channels(name, dst, src);
  checkPlane(src, ctx.arena, 'src');
  checkPlane(dst, ctx.arena, 'dst');
  if (src.width > WARP_MAX_SOURCE || src.height > WARP_MAX_SOURCE) {
    throw new FramekitError('E_DIMENSION', `${name}: src sides must be at most ${WARP_MAX_SOURCE}, got ${src.width}x${src.height}`, {
      width: src.width,
      height: src.height,
    });
  }
  if (planesOverlap(dst, src)) throw new FramekitError('E_ARGUMENT', `${name}: dst overlaps src`);
  if (!M || typeof M.length !== 'number' || M.length !== n) {
    throw new FramekitError('E_ARGUMENT', `${name}: the matrix must have ${n} numbers (row-major), got ${M?.length}`);
  }
  for (let i = 0; i < n; i++) {
    if (typeof M[i] !== 'number' || !Number.isFinite(M[i])) {
      throw new FramekitError('E_ARGUMENT', `${name}: matrix entry ${i} is ${String(M[i])}, not a finite number`, { index: i });
    }
  }
  const border = o.border ?? 'constant';
  if (border !== 'constant' && border !== 'replicate') {
    throw new FramekitError('E_ARGUMENT', `${name}: border must be 'constant' or 'replicate', got ${String(border)}`);
  }
  const bv = o.borderValue ?? 0;
  const list = typeof bv === 'number' ? null : bv;
  if (list !== null && (!Array.isArray(list) || list.length > 4)) {
    throw new FramekitError('E_ARGUMENT', `${name}: borderValue must be a number or up to 4 numbers`);
  }
  for (let c = 0; c < 4; c++) {
    const v = list ? (list[c] ?? 0) : (bv as number);
    if (typeof v !== 'number' || Number.isNaN(v)) throw new FramekitError('E_ARGUMENT', `${name}: borderValue ${c} is not a number`);
    value[c] = Math.min(255, Math.max(0, roundEven(v)));
  }
  const inverted = o.inverseMap
    ? (inverse.set(M as ArrayLike<number>), true)
    : n === 6
      ? invertAffine(M, inverse)
      : invertPerspective(M, inverse);
  if (!inverted) throw new FramekitError('E_ARGUMENT', `${name}: the matrix is singular (its determinant is 0)`);
  return { cn, border, inverse, value };
}

function prepare(ctx: KernelContext, name: string, dst: PlaneLike, src: PlaneLike, M: ArrayLike<number>, n: number, o: WarpOptions) {
  const { cn, border } = checkWarp(ctx, name, dst, src, M, n, o);
  const k = ctx.kernels.warp;
  const bytes = k.scratchBytes(dst.width);
  return { cn, border, k, s: bytes > 0 ? ctx.scratch.take(bytes) : 0 };
}

/**
 * Warps `src` into `dst` (its own size) by the 2x3 affine map `M` (row-major), bilinear: byte for
 * byte OpenCV's `warpAffine(src, dst, M, dst.size(), INTER_LINEAR [| WARP_INVERSE_MAP], border,
 * borderValue)` as OpenCV.js computes it (fixed-point positions in 1/32 pixel, 15-bit weights; see
 * ts/kernels/warp/reference.ts). Gray, RGBA or BGRA (src and dst alike). Throws E_FORMAT,
 * E_DIMENSION, E_ARGUMENT (wrong or non-finite matrix, singular matrix, overlap, bad options).
 * Returns `dst`.
 */
export function warpAffine(ctx: KernelContext, dst: PlaneLike, src: PlaneLike, M: ArrayLike<number>, options: WarpOptions = {}): PlaneLike {
  const p = prepare(ctx, 'warpAffine', dst, src, M, 6, options);
  p.k.affine(dst, src, p.cn, inverse, p.border, value, p.s);
  return dst;
}

/**
 * Warps `src` into `dst` by the 3x3 homography `M` (row-major), bilinear: byte for byte OpenCV's
 * `warpPerspective(src, dst, M, dst.size(), INTER_LINEAR [| WARP_INVERSE_MAP], border,
 * borderValue)` as OpenCV.js computes it (its positions in doubles per block of columns, then
 * fixed point; see ts/kernels/warp/reference.ts). Same formats and errors as warpAffine.
 * Returns `dst`.
 */
export function warpPerspective(
  ctx: KernelContext,
  dst: PlaneLike,
  src: PlaneLike,
  M: ArrayLike<number>,
  options: WarpOptions = {},
): PlaneLike {
  const p = prepare(ctx, 'warpPerspective', dst, src, M, 9, options);
  p.k.perspective(dst, src, p.cn, inverse, p.border, value, p.s);
  return dst;
}
