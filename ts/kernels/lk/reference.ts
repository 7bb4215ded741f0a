import { LK_FLT_SCALE_BITS, LK_W_BITS } from '../../core/formats.js';
import type { FlowPoints } from '../../features/flow-points.js';
import type { PlaneLike } from '../../image/plane.js';
import type { FlowLevel } from './pyramid.js';

// The oracles for pyramidal Lucas-Kanade, plain loops over the shared memory, following OpenCV's
// lkpyramid.cpp step by step (calcSharrDeriv, copyMakeBorder REFLECT_101, LKTrackerInvoker).
// Float sums use JS doubles where OpenCV uses float: a float kernel, compared with a tolerance.

const reflect101 = (i: number, n: number): number => {
  if (n === 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
};

/** Fills the `pad`-pixel border of `img` (a view of a padded plane's interior) by reflection. */
export function padReference(heap: Uint8Array, img: PlaneLike, pad: number): void {
  const { ptr, width: w, height: h, stride: s } = img;
  for (let y = -pad; y < h + pad; y++) {
    for (let x = -pad; x < w + pad; x++) {
      if (x >= 0 && x < w && y >= 0 && y < h) continue;
      heap[ptr + y * s + x] = heap[ptr + reflect101(y, h) * s + reflect101(x, w)]!;
    }
  }
}

/** OpenCV's calcSharrDeriv: interleaved int16 (dx, dy), 3x3 Scharr unscaled, reflect-101 borders. */
export function scharrReference(heap: Uint8Array, i16: Int16Array, src: PlaneLike, deriv: number, derivStride: number): void {
  const { ptr, width: w, height: h, stride: s } = src;
  const px = (x: number, y: number) => heap[ptr + reflect101(y, h) * s + reflect101(x, w)]!;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dx = 3 * (px(x + 1, y - 1) - px(x - 1, y - 1)) + 10 * (px(x + 1, y) - px(x - 1, y)) + 3 * (px(x + 1, y + 1) - px(x - 1, y + 1));
      const dy = 3 * (px(x - 1, y + 1) - px(x - 1, y - 1)) + 10 * (px(x, y + 1) - px(x, y - 1)) + 3 * (px(x + 1, y + 1) - px(x + 1, y - 1));
      const o = (deriv >> 1) + y * derivStride + 2 * x;
      i16[o] = dx;
      i16[o + 1] = dy;
    }
  }
}

/** cvRound: nearest, ties to even. */
const round = (x: number) => {
  const f = Math.floor(x);
  const r = x - f;
  return r > 0.5 || (r === 0.5 && f % 2 !== 0) ? f + 1 : f;
};

/** The bilinear weights of (a, b) in 0..1, LK_W_BITS fraction bits, summing to exactly 1 << LK_W_BITS. */
function weights(a: number, b: number): [number, number, number, number] {
  const f = Math.fround;
  const one = 1 << LK_W_BITS;
  const w00 = round(f(f(f(1 - a) * f(1 - b)) * one));
  const w01 = round(f(f(a * f(1 - b)) * one));
  const w10 = round(f(f(f(1 - a) * b) * one));
  return [w00, w01, w10, one - w00 - w01 - w10];
}

export interface LkParams {
  win: number;
  maxCount: number;
  /** Squared step at which iterations stop. */
  eps: number;
  minEig: number;
  useInitialFlow: boolean;
  minEigErr: boolean;
  /**
   * How the SIMD kernel builds its bilinear pixel pairs (same results either way): 'swizzle' is
   * faster under JavaScriptCore, 'interleave' under V8. Default: the one for this engine.
   */
  pairs?: 'swizzle' | 'interleave';
}

/** One level of OpenCV's LKTrackerInvoker for every point (see rust/src/lk/mod.rs for the outline). */
export function lkLevelReference(
  heap: Uint8Array,
  i16: Int16Array,
  I: FlowLevel,
  J: FlowLevel,
  pts: FlowPoints,
  level: number,
  maxLevel: number,
  o: LkParams,
): void {
  const win = o.win;
  const half = (win - 1) * 0.5;
  const { width: cols, height: rows } = I.image;
  const inside = (x: number, y: number) => x >= -win && x < cols && y >= -win && y < rows;
  const scale = 1 / (1 << level);
  const iwin = new Int32Array(win * win);
  const ix = new Int32Array(win * win);
  const iy = new Int32Array(win * win);
  const FLT_SCALE = 1 / (1 << LK_FLT_SCALE_BITS);
  const area = win * win;
  const sampleU8 = (img: PlaneLike, x0: number, y0: number, w: number[], x: number, y: number) => {
    const p = img.ptr + (y0 + y) * img.stride + x0 + x;
    const v = heap[p]! * w[0]! + heap[p + 1]! * w[1]! + heap[p + img.stride]! * w[2]! + heap[p + img.stride + 1]! * w[3]!;
    return (v + (1 << (LK_W_BITS - 6))) >> (LK_W_BITS - 5); // pixels scaled by 32, as OpenCV's patch
  };
  const residual = (x0: number, y0: number, w: number[], absOnly: boolean) => {
    let b1 = 0;
    let b2 = 0;
    for (let y = 0; y < win; y++) {
      for (let x = 0; x < win; x++) {
        const k = y * win + x;
        const diff = sampleU8(J.image, x0, y0, w, x, y) - iwin[k]!;
        if (absOnly) b1 += Math.abs(diff);
        else {
          b1 += diff * ix[k]!;
          b2 += diff * iy[k]!;
        }
      }
    }
    return [b1, b2] as const;
  };
  for (let i = 0; i < pts.count; i++) {
    const px = Math.fround(pts.prev[2 * i]! * scale - half);
    const py = Math.fround(pts.prev[2 * i + 1]! * scale - half);
    let nx: number;
    let ny: number;
    if (level === maxLevel) {
      if (o.useInitialFlow) [nx, ny] = [pts.next[2 * i]! * scale, pts.next[2 * i + 1]! * scale];
      else [nx, ny] = [px + half, py + half];
    } else [nx, ny] = [pts.next[2 * i]! * 2, pts.next[2 * i + 1]! * 2];
    pts.next[2 * i] = nx;
    pts.next[2 * i + 1] = ny;
    const ipx = Math.floor(px);
    const ipy = Math.floor(py);
    if (![px, py, nx, ny].every(Number.isFinite) || !inside(ipx, ipy)) {
      if (level === 0) {
        pts.status[i] = 0;
        pts.err[i] = 0;
      }
      continue;
    }
    const w = weights(px - ipx, py - ipy);
    let [a11, a12, a22] = [0, 0, 0];
    const ds = I.derivStride;
    for (let y = 0; y < win; y++) {
      for (let x = 0; x < win; x++) {
        const k = y * win + x;
        iwin[k] = sampleU8(I.image, ipx, ipy, w, x, y);
        const d = (I.deriv >> 1) + (ipy + y) * ds + 2 * (ipx + x);
        const g = (c: number) =>
          (i16[d + c]! * w[0] + i16[d + c + 2]! * w[1] + i16[d + ds + c]! * w[2] + i16[d + ds + c + 2]! * w[3] + (1 << (LK_W_BITS - 1))) >>
          LK_W_BITS;
        ix[k] = g(0);
        iy[k] = g(1);
        a11 += ix[k]! * ix[k]!;
        a12 += ix[k]! * iy[k]!;
        a22 += iy[k]! * iy[k]!;
      }
    }
    [a11, a12, a22] = [a11 * FLT_SCALE, a12 * FLT_SCALE, a22 * FLT_SCALE];
    const det = a11 * a22 - a12 * a12;
    const eig = (a22 + a11 - Math.sqrt((a11 - a22) * (a11 - a22) + 4 * a12 * a12)) / (2 * area);
    if (o.minEigErr) pts.err[i] = eig;
    if (eig < o.minEig || det < 1.1920929e-7) {
      if (level === 0) pts.status[i] = 0;
      continue;
    }
    nx -= half;
    ny -= half;
    let prevDelta = [0, 0];
    for (let j = 0; j < o.maxCount; j++) {
      const inx = Math.floor(nx);
      const iny = Math.floor(ny);
      if (!inside(inx, iny)) {
        if (level === 0) pts.status[i] = 0;
        break;
      }
      const [b1, b2] = residual(inx, iny, weights(nx - inx, ny - iny), false);
      const delta = [((a12 * b2 - a22 * b1) * FLT_SCALE) / det, ((a12 * b1 - a11 * b2) * FLT_SCALE) / det];
      nx += delta[0]!;
      ny += delta[1]!;
      pts.next[2 * i] = nx + half;
      pts.next[2 * i + 1] = ny + half;
      if (delta[0]! * delta[0]! + delta[1]! * delta[1]! <= o.eps) break;
      if (j > 0 && Math.abs(delta[0]! + prevDelta[0]!) < 0.01 && Math.abs(delta[1]! + prevDelta[1]!) < 0.01) {
        pts.next[2 * i] = nx + half - delta[0]! * 0.5;
        pts.next[2 * i + 1] = ny + half - delta[1]! * 0.5;
        break;
      }
      prevDelta = delta;
    }
    if (pts.status[i] && level === 0 && !o.minEigErr) {
      const qx = pts.next[2 * i]! - half;
      const qy = pts.next[2 * i + 1]! - half;
      const iqx = Math.floor(qx);
      const iqy = Math.floor(qy);
      if (!inside(iqx, iqy)) {
        pts.status[i] = 0;
        continue;
      }
      pts.err[i] = residual(iqx, iqy, weights(qx - iqx, qy - iqy), true)[0] / (32 * area);
    }
  }
}
