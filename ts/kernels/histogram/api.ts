import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import { checkPlane, type PlaneLike } from '../../image/plane.js';
import { checkGrayPair } from '../gaussian/api.js';
import { equalizeLut, otsuThreshold } from './math.js';

// Per-module working tables, made once: calls are synchronous, so one set serves every call.
const hist = new Uint32Array(256);
const table = new Uint8Array(256);

function checkGray(ctx: KernelContext, name: string, src: PlaneLike): void {
  if (src.format !== 'gray')
    throw new FramekitError('E_FORMAT', `${name}: src must be a gray plane, got ${src.format}`, { format: src.format });
  checkPlane(src, ctx.arena, 'src');
}

/**
 * The 256-bin histogram of a gray plane (OpenCV's calcHist with 256 bins over [0, 256)) into `out`,
 * which is returned; allocated when omitted (not for the frame loop).
 */
export function histogram(ctx: KernelContext, src: PlaneLike, out: Uint32Array = new Uint32Array(256)): Uint32Array {
  checkGray(ctx, 'histogram', src);
  if (!(out instanceof Uint32Array) || out.length < 256)
    throw new FramekitError('E_BUFFER_SIZE', 'histogram: out must be a Uint32Array of 256', { length: out?.length });
  const k = ctx.kernels.histogram;
  return k.histogram(src, out, k.scratchBytes ? ctx.scratch.take(k.scratchBytes) : 0);
}

/** Histogram equalisation of a gray plane into `dst`, bit-exact with OpenCV's equalizeHist. Returns `dst`. */
export function equalizeHist(ctx: KernelContext, dst: PlaneLike, src: PlaneLike): PlaneLike {
  checkGrayPair(ctx, 'equalizeHist', dst, src, true);
  const k = ctx.kernels.histogram;
  const ptr = k.scratchBytes ? ctx.scratch.take(k.scratchBytes) : 0;
  k.histogram(src, hist, ptr);
  const single = equalizeLut(table, hist, src.width * src.height);
  if (single >= 0) table.fill(single);
  k.lut(dst, src, table, ptr);
  return dst;
}

export type ThresholdType = 'binary' | 'binary_inv';

/** OpenCV's saturate_cast<uchar>(cvRound(v)). */
function toByte(v: number): number {
  const f = Math.floor(v);
  const r = v - f > 0.5 || (v - f === 0.5 && f % 2 !== 0) ? f + 1 : f;
  return Math.min(255, Math.max(0, r));
}

function apply(ctx: KernelContext, dst: PlaneLike, src: PlaneLike, thresh: number, maxval: number, type: ThresholdType): void {
  const hi = toByte(maxval);
  // OpenCV on 8-bit: ithresh = cvFloor(thresh); below 0 every pixel passes, from 255 none does.
  const t = Math.min(255, Math.max(-1, Math.floor(thresh)));
  ctx.kernels.histogram.threshold(dst, src, t, type === 'binary' ? hi : 0, type === 'binary' ? 0 : hi);
}

function checkThreshold(thresh: number, maxval: number, type: ThresholdType): void {
  if (!Number.isFinite(thresh) || !Number.isFinite(maxval))
    throw new FramekitError('E_ARGUMENT', 'threshold: thresh and maxval must be finite numbers', { thresh, maxval });
  if (type !== 'binary' && type !== 'binary_inv')
    throw new FramekitError('E_ARGUMENT', `threshold: type must be 'binary' or 'binary_inv', got ${String(type)}`);
}

/**
 * OpenCV's threshold(src, dst, thresh, maxval, THRESH_BINARY or THRESH_BINARY_INV) on a gray plane:
 * dst = src > floor(thresh) ? maxval : 0 (or the inverse). Returns the threshold used, floor(thresh), as
 * OpenCV does for 8-bit images.
 * dst may be src (in place).
 */
export function threshold(
  ctx: KernelContext,
  dst: PlaneLike,
  src: PlaneLike,
  thresh: number,
  maxval = 255,
  type: ThresholdType = 'binary',
): number {
  checkThreshold(thresh, maxval, type);
  checkGrayPair(ctx, 'threshold', dst, src, true);
  apply(ctx, dst, src, thresh, maxval, type);
  return Math.floor(thresh);
}

/**
 * threshold with THRESH_OTSU: the threshold that maximises the between-class variance of the
 * histogram (OpenCV's getThreshVal_Otsu, same float64 steps), then the binary threshold with it.
 * Returns that threshold. dst may be src (in place).
 */
export function thresholdOtsu(ctx: KernelContext, dst: PlaneLike, src: PlaneLike, maxval = 255, type: ThresholdType = 'binary'): number {
  checkThreshold(0, maxval, type);
  checkGrayPair(ctx, 'thresholdOtsu', dst, src, true);
  const k = ctx.kernels.histogram;
  k.histogram(src, hist, k.scratchBytes ? ctx.scratch.take(k.scratchBytes) : 0);
  const t = otsuThreshold(hist, src.width * src.height);
  apply(ctx, dst, src, t, maxval, type);
  return t;
}
