/**
 * OpenCV's 8-bit Gaussian kernels, as integers summing to 256 (ufixedpoint16, 8 fraction bits),
 * following smooth.dispatch.cpp:
 * - getGaussianKernelBitExact: for sigma <= 0 and n in {1, 3, 5, 7, 9} fixed binomial-like tables;
 *   otherwise sigma = sigma > 0 ? sigma : fma(n, 0.15, 0.35), k[i] = exp(-x^2 / (8 sigma^2)) with
 *   x = 2i - (n - 1), normalised by multiplying with 1 / sum, in IEEE doubles;
 * - getGaussianKernelFixedPoint_ED: the outer taps rounded (to nearest, ties to even) with the
 *   rounding error carried to the next tap, the centre = 256 - the rest, so the sum is exact.
 * OpenCV computes exp with its own soft-float routine, this module with Math.exp; both are within
 * an ulp, which can change a tap only if k * 256 lands within ~1e-14 of a half: the tests compare
 * with OpenCV.js over many sigmas.
 */

const FIXED: Record<number, number[]> = {
  1: [1],
  3: [0.25, 0.5, 0.25],
  5: [0.0625, 0.25, 0.375, 0.25, 0.0625],
  7: [0.03125, 0.109375, 0.21875, 0.28125, 0.21875, 0.109375, 0.03125],
  9: [4 / 256, 13 / 256, 30 / 256, 51 / 256, 60 / 256, 51 / 256, 30 / 256, 13 / 256, 4 / 256],
};

/** A double as mantissa x 2^exponent, both exact (finite, non-zero input). */
function decompose(v: number): [bigint, number] {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  const hi = dv.getUint32(0);
  const lo = dv.getUint32(4);
  const e = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (e !== 0) m |= 1n << 52n;
  return [v < 0 ? -m : m, (e === 0 ? 1 : e) - 1075];
}

/** a * b + c rounded once, as C's fma (OpenCV's softdouble mulAdd), via exact integer arithmetic. */
export function fma(a: number, b: number, c: number): number {
  if (a === 0 || b === 0 || c === 0) return a * b + c;
  const [ma, ea] = decompose(a);
  const [mb, eb] = decompose(b);
  const [mc, ec] = decompose(c);
  const ep = ea + eb;
  const e = Math.min(ep, ec);
  const n = ((ma * mb) << BigInt(ep - e)) + (mc << BigInt(ec - e));
  // Number(bigint) rounds to nearest, ties to even; scaling by a power of two is exact here.
  return Number(n) * 2 ** e;
}

/** getGaussianKernelBitExact: the normalised kernel in doubles. */
export function gaussianKernelDoubles(n: number, sigma: number): number[] {
  if (sigma <= 0 && FIXED[n]) return FIXED[n]!.slice();
  const s = sigma > 0 ? sigma : fma(n, 0.15, 0.35);
  const scale2X = -0.125 / (s * s);
  const half = (n - 1) >> 1;
  const values: number[] = [];
  let sum = 0;
  for (let i = 0, x = 1 - n; i < half; i++, x += 2) {
    const t = Math.exp(x * x * scale2X);
    values.push(t);
    sum += t;
  }
  sum = sum * 2 + 1;
  const mul = 1 / sum;
  const out = new Array<number>(n);
  for (let i = 0; i < half; i++) out[i] = out[n - 1 - i] = values[i]! * mul;
  out[half] = mul;
  return out;
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** getGaussianKernelFixedPoint_ED with 8 fraction bits: integers summing to 256 (odd n). */
export function gaussianKernelQ8(n: number, sigma: number): Int32Array {
  const k = gaussianKernelDoubles(n, sigma);
  const out = new Int32Array(n);
  const half = n >> 1;
  let err = 0;
  let sum = 0;
  for (let i = 0; i < half; i++) {
    const adj = k[i]! * 256 + err;
    const v = roundHalfEven(adj);
    err = adj - v;
    out[i] = out[n - 1 - i] = v;
    sum += v;
  }
  out[half] = 256 - 2 * sum;
  return out;
}

/** OpenCV's automatic size for a sigma on 8-bit images: cvRound(sigma * 3 * 2 + 1) | 1. */
export function autoKsize(sigma: number): number {
  return roundHalfEven(sigma * 3 * 2 + 1) | 1;
}
