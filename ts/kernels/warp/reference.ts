import type { PlaneLike } from '../../image/plane.js';

/*
 * The oracle of OpenCV's warpAffine / warpPerspective with INTER_LINEAR on 8-bit images, as
 * OpenCV.js computes them (imgwarp.cpp: WarpAffineInvoker / WarpPerspectiveInvoker, then remap's
 * remapBilinear with the fixed-point table; checked byte for byte against OpenCV.js in the tests):
 *
 * 1. Every destination pixel (x, y) gets a source position in 1/32 pixel (INTER_BITS = 5), X and Y:
 *    - affine, M the inverse map (dst -> src), AB_BITS = 10:
 *        X = (round((M1 y + M2) 1024) + 16 + round(M0 x 1024)) >> 5     (int32 adds, wrapping)
 *    - perspective, in blocks of bw0 columns starting at x0 (bw0 = min(1024 / min(16, dstH), dstW)):
 *        X0 = M0 x0 + M1 y + M2, W0 = M6 x0 + M7 y + M8, and for x = x0 + i:
 *        W = W0 + M6 i;  W = W != 0 ? 32 / W : 0;  X = round(clamp((X0 + M0 i) W))
 *      in doubles, clamp to the int32 range as std::min / std::max do (NaN -> INT_MAX), round to
 *      nearest even. The block start matters: X0 + M0 i is not always M0 (x0 + i) + ... in doubles.
 * 2. sx = X >> 5, fx = X & 31 (likewise y). The four taps weigh (32 - fx)(32 - fy), fx (32 - fy),
 *    (32 - fx) fy, fx fy: OpenCV's 15-bit table is these times 32, so its (sum + 2^14) >> 15 equals
 *    (sum + 512) >> 10 here (its fx = fy = 0 entry, 32767 and a 1 on the far tap, gives the same).
 * 3. Taps outside the source: BORDER_REPLICATE clamps each coordinate; BORDER_CONSTANT takes the
 *    border value for a tap outside, and the border value for the whole pixel when its 2x2 block
 *    lies entirely outside (sx >= w, sx + 1 < 0, ...).
 */

export type WarpBorder = 'constant' | 'replicate';

/** Where the fixed-point source positions come from: the destination row and column give X, Y. */
export type PositionFn = (x: number, y: number, out: Int32Array) => void;

const INT_MAX = 2147483647;
const INT_MIN = -2147483648;

/** lrint: nearest, ties to even (saturate_cast<int> of a double in range). */
export function roundEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** saturate_cast<int>(double): nearest even, saturated to int32 (NaN, as OpenCV.js gives it, to INT_MIN). */
export function saturateInt(v: number): number {
  if (Number.isNaN(v)) return INT_MIN;
  const r = roundEven(v);
  return r > INT_MAX ? INT_MAX : r < INT_MIN ? INT_MIN : r;
}

/** One destination pixel from fixed-point source position (X, Y): `cn` bytes at `out[d]`, taps from `inp`. */
function pixel(
  out: Uint8Array,
  d: number,
  inp: Uint8Array,
  src: PlaneLike,
  cn: number,
  X: number,
  Y: number,
  border: WarpBorder,
  value: readonly number[],
): void {
  const w = src.width;
  const h = src.height;
  const sx = X >> 5;
  const sy = Y >> 5;
  const fx = X & 31;
  const fy = Y & 31;
  if (border === 'constant' && (sx >= w || sx + 1 < 0 || sy >= h || sy + 1 < 0)) {
    for (let c = 0; c < cn; c++) out[d + c] = value[c]!;
    return;
  }
  const clamp = (v: number, n: number) => (v < 0 ? 0 : v >= n ? n - 1 : v);
  for (let c = 0; c < cn; c++) {
    let sum = 512;
    for (let k = 0; k < 4; k++) {
      const tx = sx + (k & 1);
      const ty = sy + (k >> 1);
      let v: number;
      if (tx >= 0 && tx < w && ty >= 0 && ty < h) v = inp[src.ptr + ty * src.stride + tx * cn + c]!;
      else if (border === 'constant') v = value[c]!;
      else v = inp[src.ptr + clamp(ty, h) * src.stride + clamp(tx, w) * cn + c]!;
      sum += v * (k & 1 ? fx : 32 - fx) * (k >> 1 ? fy : 32 - fy);
    }
    out[d + c] = sum >> 10;
  }
}

/** Samples every destination pixel at the positions `position` gives. */
function sampleAll(
  out: Uint8Array,
  dst: PlaneLike,
  inp: Uint8Array,
  src: PlaneLike,
  cn: number,
  position: PositionFn,
  border: WarpBorder,
  value: readonly number[],
) {
  const xy = new Int32Array(2);
  for (let y = 0; y < dst.height; y++) {
    for (let x = 0; x < dst.width; x++) {
      position(x, y, xy);
      pixel(out, dst.ptr + y * dst.stride + x * cn, inp, src, cn, xy[0]!, xy[1]!, border, value);
    }
  }
}

/** warpAffine with `m` (6 doubles, row-major) mapping destination to source. */
export function warpAffineReference(
  heap: Uint8Array,
  dst: PlaneLike,
  src: PlaneLike,
  cn: number,
  m: ArrayLike<number>,
  border: WarpBorder,
  value: readonly number[],
): void {
  const m0 = m[0]!, m1 = m[1]!, m2 = m[2]!, m3 = m[3]!, m4 = m[4]!, m5 = m[5]!; // prettier-ignore
  sampleAll(heap, dst, heap, src, cn, (x, y, out) => {
    const X0 = (saturateInt((m1 * y + m2) * 1024) + 16) | 0;
    const Y0 = (saturateInt((m4 * y + m5) * 1024) + 16) | 0;
    out[0] = ((X0 + saturateInt(m0 * x * 1024)) | 0) >> 5;
    out[1] = ((Y0 + saturateInt(m3 * x * 1024)) | 0) >> 5;
  }, border, value); // prettier-ignore
}

/** OpenCV's horizontal block width for warpPerspective at this destination size. */
export function perspectiveBlockWidth(dstWidth: number, dstHeight: number): number {
  return Math.min(Math.floor(1024 / Math.min(16, dstHeight)), dstWidth);
}

/** std::max(INT_MIN, std::min(INT_MAX, v)) then saturate_cast<int>: NaN becomes INT_MAX. */
function clampRound(v: number): number {
  const a = v < INT_MAX ? v : INT_MAX;
  return roundEven(INT_MIN < a ? a : INT_MIN);
}

/** warpPerspective with `m` (9 doubles, row-major) mapping destination to source. */
export function warpPerspectiveReference(
  heap: Uint8Array,
  dst: PlaneLike,
  src: PlaneLike,
  cn: number,
  m: ArrayLike<number>,
  border: WarpBorder,
  value: readonly number[],
): void {
  warpPerspectiveArrays(heap, dst, heap, src, cn, m, border, value);
}

/**
 * warpPerspectiveReference between two byte arrays (`dst.ptr` indexes `out`, `src.ptr` indexes
 * `inp`): for images outside framekit's memory, such as ts/track/synthetic.ts renders.
 */
export function warpPerspectiveArrays(
  out: Uint8Array,
  dst: PlaneLike,
  inp: Uint8Array,
  src: PlaneLike,
  cn: number,
  m: ArrayLike<number>,
  border: WarpBorder,
  value: readonly number[],
): void {
  const bw = perspectiveBlockWidth(dst.width, dst.height);
  sampleAll(out, dst, inp, src, cn, (x, y, out) => {
    const x0 = x - (x % bw);
    const i = x - x0;
    const X0 = m[0]! * x0 + m[1]! * y + m[2]!;
    const Y0 = m[3]! * x0 + m[4]! * y + m[5]!;
    const W0 = m[6]! * x0 + m[7]! * y + m[8]!;
    let W = W0 + m[6]! * i;
    W = W !== 0 ? 32 / W : 0;
    out[0] = clampRound((X0 + m[0]! * i) * W);
    out[1] = clampRound((Y0 + m[3]! * i) * W);
  }, border, value); // prettier-ignore
}
