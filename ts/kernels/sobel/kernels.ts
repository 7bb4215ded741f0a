import { FramekitError } from '../../errors.js';

/**
 * OpenCV's derivative kernels (deriv.cpp getSobelKernels / getScharrKernels), as integers, for
 * one axis: `order` 0 smooths, 1..3 differentiates. ksize 1 means no smoothing along that axis and a
 * 3-tap difference for order > 0; ksize -1 is Scharr ([3 10 3] / [-1 0 1]).
 */
export function derivKernel(ksize: number, order: number): number[] {
  if (ksize === -1) return order === 0 ? [3, 10, 3] : [-1, 0, 1];
  const n = ksize === 1 && order > 0 ? 3 : ksize;
  if (n === 1) return [1];
  if (n === 3) return order === 0 ? [1, 2, 1] : order === 1 ? [-1, 0, 1] : [1, -2, 1];
  // Binomial smoothing (n - order - 1 passes of [1 1]) then `order` passes of [-1 1], as OpenCV.
  const k = new Array<number>(n + 1).fill(0);
  k[0] = 1;
  for (let i = 0; i < n - order - 1; i++) {
    let old = k[0]!;
    for (let j = 1; j <= n; j++) {
      const nv = k[j]! + k[j - 1]!;
      k[j - 1] = old;
      old = nv;
    }
  }
  for (let i = 0; i < order; i++) {
    let old = -k[0]!;
    for (let j = 1; j <= n; j++) {
      const nv = k[j - 1]! - k[j]!;
      k[j - 1] = old;
      old = nv;
    }
  }
  return k.slice(0, n);
}

/** 0: neither, 1: k[i] = k[n-1-i], 2: k[i] = -k[n-1-i] (the separable engine's unrolled paths). */
export function symmetryOf(k: ArrayLike<number>): 0 | 1 | 2 {
  const n = k.length;
  let sym = true;
  let anti = true;
  for (let i = 0; i < n; i++) {
    if (k[i] !== k[n - 1 - i]) sym = false;
    if (k[i] !== -k[n - 1 - i]!) anti = false;
  }
  return sym ? 1 : anti ? 2 : 0;
}

export interface DerivPlan {
  readonly kx: Int16Array;
  readonly ky: Int16Array;
  readonly symX: number;
  readonly symY: number;
}

const cache = new Map<string, DerivPlan>();

/**
 * Kernels for Sobel(dx, dy, ksize) (ksize -1: Scharr), checked as OpenCV checks them, plus one
 * limit of framekit's: every result must fit int16 without saturating (true for ksize <= 5 and
 * orders <= 2 or so; OpenCV would saturate the others). Cached; allocates once per distinct key.
 */
export function derivPlan(dx: number, dy: number, ksize: number): DerivPlan {
  const key = `${dx},${dy},${ksize}`;
  let p = cache.get(key);
  if (p) return p;
  const bad = (why: string) => new FramekitError('E_ARGUMENT', `sobel: ${why} (dx=${dx}, dy=${dy}, ksize=${ksize})`, { dx, dy, ksize });
  if (![dx, dy].every((o) => Number.isInteger(o) && o >= 0)) throw bad('dx and dy must be non-negative integers');
  if (dx + dy === 0) throw bad('dx + dy must be at least 1');
  if (ksize === -1) {
    if (dx + dy !== 1) throw bad('Scharr takes dx + dy = 1');
  } else {
    if (!Number.isInteger(ksize) || ksize < 1 || ksize % 2 === 0 || ksize > 31) throw bad('ksize must be odd, 1..31 (or -1 for Scharr)');
    if (Math.max(ksize, 3) <= dx || Math.max(ksize, 3) <= dy) throw bad('ksize must exceed the derivative order');
  }
  const kx = derivKernel(ksize, dx);
  const ky = derivKernel(ksize, dy);
  const abs = (k: number[]) => k.reduce((s, v) => s + Math.abs(v), 0);
  if (255 * abs(kx) * abs(ky) > 32767 || abs(ky) > 255)
    throw bad('results could exceed int16 (OpenCV would saturate them); use ksize <= 5 and lower orders');
  p = { kx: Int16Array.from(kx), ky: Int16Array.from(ky), symX: symmetryOf(kx), symY: symmetryOf(ky) };
  if (cache.size > 64) cache.clear();
  cache.set(key, p);
  return p;
}
