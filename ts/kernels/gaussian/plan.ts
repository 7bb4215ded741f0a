import { gaussianKernelQ8 } from './coefficients.js';

/**
 * Everything a Gaussian blur needs besides the planes, computed once per (size, sigma) and cached:
 * - `kx`, `ky`: OpenCV's Q8 kernels (integers summing to 256), what the reference applies;
 * - `rx`, `ry`: the same divided by their common factor (a power of two, since they sum to 256),
 *   and `shift` = 16 - log2 of both factors, so (sum rx ry p + round) >> shift is exactly OpenCV's
 *   (sum kx ky p + 2^15) >> 16 in fewer bits;
 * - `wide`: 0 when 255 * sum(rx) * sum(ry) fits 16-bit lanes; else 1 (32-bit sums), or 2 when two
 *   vertical sums still fit i16 (2 * 255 * sum(ry) < 2^15), so mirrored taps add before multiplying.
 */
export interface GaussianPlan {
  readonly kx: Int32Array;
  readonly ky: Int32Array;
  readonly rx: Int32Array;
  readonly ry: Int32Array;
  readonly shift: number;
  readonly wide: 0 | 1 | 2;
}

function reduce(k: Int32Array): [Int32Array, number] {
  let g = 256;
  for (const v of k) while (v % g !== 0) g >>= 1;
  return [k.map((v) => v / g), Math.log2(g)];
}

const cache = new Map<string, GaussianPlan>();

/** The plan for kernel sizes (odd, >= 1) and sigmas; cached, so it allocates once per distinct key. */
export function gaussianPlan(kw: number, kh: number, sx: number, sy: number): GaussianPlan {
  const key = `${kw},${kh},${sx},${sy}`;
  let p = cache.get(key);
  if (!p) {
    const kx = gaussianKernelQ8(kw, sx);
    const ky = kw === kh && sx === sy ? kx : gaussianKernelQ8(kh, sy);
    const [rx, lx] = reduce(kx);
    const [ry, ly] = reduce(ky);
    const shift = 16 - lx - ly;
    const narrow = 255 * (256 >> lx) * (256 >> ly) + (shift > 0 ? 1 << (shift - 1) : 0) <= 0xffff;
    p = { kx, ky, rx, ry, shift, wide: narrow ? 0 : 2 * 255 * (256 >> ly) <= 0x7fff ? 2 : 1 };
    if (cache.size > 64) cache.clear();
    cache.set(key, p);
  }
  return p;
}
