/*
 * The reference refit of a RANSAC model on its inliers: the normalised DLT over all of them, then
 * Levenberg-Marquardt on the reprojection error, in Hartley-normalised coordinates. The twin of
 * rust/src/homography/refine.rs, step for step (see there for the why). Allocates: an oracle.
 */
import { denormalise, normaliser, smallestEigenvector, solve } from './linalg.js';

type Norm = [number, number, number];

class Inliers {
  constructor(
    readonly src: Float32Array,
    readonly dst: Float32Array,
    readonly mask: Uint8Array,
    readonly ts: Norm,
    readonly td: Norm,
  ) {}

  get(i: number): [number, number, number, number] | null {
    if (this.mask[i] === 0) return null;
    const { ts, td } = this;
    return [
      (this.src[2 * i]! - ts[0]) * ts[2],
      (this.src[2 * i + 1]! - ts[1]) * ts[2],
      (this.dst[2 * i]! - td[0]) * td[2],
      (this.dst[2 * i + 1]! - td[1]) * td[2],
    ];
  }

  cost(h: number[]): number {
    let c = 0;
    for (let i = 0; i < this.mask.length; i++) {
      const p = this.get(i);
      if (!p) continue;
      const [x, y, u, v] = p;
      const iw = 1 / (h[6]! * x + h[7]! * y + 1);
      const ru = (h[0]! * x + h[1]! * y + h[2]!) * iw - u;
      const rv = (h[3]! * x + h[4]! * y + h[5]!) * iw - v;
      c += ru * ru + rv * rv;
    }
    return c;
  }

  /** The normalised DLT from four weighted sums of p p^T (see refine.rs for the block structure). */
  dlt(): number[] | null {
    const s1 = new Array<number>(6).fill(0);
    const su = new Array<number>(6).fill(0);
    const sv = new Array<number>(6).fill(0);
    const sq = new Array<number>(6).fill(0);
    for (let i = 0; i < this.mask.length; i++) {
      const p = this.get(i);
      if (!p) continue;
      const [x, y, u, v] = p;
      const pp = [x * x, x * y, x, y * y, y, 1];
      const q = u * u + v * v;
      for (let k = 0; k < 6; k++) {
        s1[k]! += pp[k]!;
        su[k]! += u * pp[k]!;
        sv[k]! += v * pp[k]!;
        sq[k]! += q * pp[k]!;
      }
    }
    const T = [
      [0, 1, 2],
      [1, 3, 4],
      [2, 4, 5],
    ];
    const ata = Array.from({ length: 9 }, () => new Array<number>(9).fill(0));
    for (let j = 0; j < 3; j++) {
      for (let k = 0; k < 3; k++) {
        const t = T[j]![k]!;
        ata[j]![k] = s1[t]!;
        ata[3 + j]![3 + k] = s1[t]!;
        ata[j]![6 + k] = -su[t]!;
        ata[6 + k]![j] = -su[t]!;
        ata[3 + j]![6 + k] = -sv[t]!;
        ata[6 + k]![3 + j] = -sv[t]!;
        ata[6 + j]![6 + k] = sq[t]!;
      }
    }
    const e = smallestEigenvector(ata);
    if (!(Math.abs(e[8]!) > 1e-12)) return null;
    const h = e.map((x) => x / e[8]!);
    h[8] = 1;
    return h;
  }

  /** J^T J and J^T r at `h`, from the block sums (see refine.rs for the structure). */
  normalEquations(h: number[]): [number[][], number[]] {
    const saa = [
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ];
    const sua = [
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    const sva = [
      [0, 0],
      [0, 0],
      [0, 0],
    ];
    const sbb = [
      [0, 0],
      [0, 0],
    ];
    const g = new Array<number>(8).fill(0);
    for (let i = 0; i < this.mask.length; i++) {
      const p = this.get(i);
      if (!p) continue;
      const [x, y, u, v] = p;
      const iw = 1 / (h[6]! * x + h[7]! * y + 1);
      const pu = (h[0]! * x + h[1]! * y + h[2]!) * iw;
      const pv = (h[3]! * x + h[4]! * y + h[5]!) * iw;
      const ru = pu - u;
      const rv = pv - v;
      const a = [x * iw, y * iw, iw];
      const q = pu * pu + pv * pv;
      const e = pu * ru + pv * rv;
      for (let j = 0; j < 3; j++) {
        for (let k = j; k < 3; k++) saa[j]![k]! += a[j]! * a[k]!;
        for (let l = 0; l < 2; l++) {
          sua[j]![l]! += pu * a[j]! * a[l]!;
          sva[j]![l]! += pv * a[j]! * a[l]!;
        }
        g[j]! += a[j]! * ru;
        g[3 + j]! += a[j]! * rv;
      }
      for (let l = 0; l < 2; l++) {
        for (let m = l; m < 2; m++) sbb[l]![m]! += q * a[l]! * a[m]!;
        g[6 + l]! -= a[l]! * e;
      }
    }
    const jtj = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    for (let j = 0; j < 3; j++) {
      for (let k = j; k < 3; k++) {
        jtj[j]![k] = saa[j]![k]!;
        jtj[3 + j]![3 + k] = saa[j]![k]!;
      }
      for (let l = 0; l < 2; l++) {
        jtj[j]![6 + l] = -sua[j]![l]!;
        jtj[3 + j]![6 + l] = -sva[j]![l]!;
      }
    }
    for (let l = 0; l < 2; l++) for (let m = l; m < 2; m++) jtj[6 + l]![6 + m] = sbb[l]![m]!;
    for (let j = 0; j < 8; j++) for (let k = 0; k < j; k++) jtj[j]![k] = jtj[k]![j]!;
    return [jtj, g];
  }

  levenbergMarquardt(h: number[], iters: number): number[] {
    let cost = this.cost(h);
    let lambda = 1e-3;
    for (let it = 0; it < iters; it++) {
      if (!(cost > 0)) break;
      const [jtj, step] = this.normalEquations(h);
      for (let j = 0; j < 8; j++) {
        jtj[j]![j]! *= 1 + lambda;
        step[j] = -step[j]!;
      }
      if (!solve(jtj, step, 1e-300)) {
        lambda *= 10;
        continue;
      }
      const next = h.slice();
      let largest = 0;
      for (let k = 0; k < 8; k++) {
        next[k]! += step[k]!;
        if (Math.abs(step[k]!) > largest) largest = Math.abs(step[k]!);
      }
      if (!(largest > 1e-12)) break;
      const c = this.cost(next);
      if (c < cost) {
        const converged = cost - c <= 1e-10 * cost;
        h = next;
        cost = c;
        lambda *= 0.1;
        if (converged) break;
      } else lambda *= 10;
    }
    return h;
  }
}

/** Refit on the points whose mask byte is 1; null when fewer than 4, coincident, or degenerate. */
export function refitReference(src: Float32Array, dst: Float32Array, mask: Uint8Array, lmIters: number): number[] | null {
  const n = mask.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += mask[i]!;
  if (m < 4) return null;
  const ts = normaliser(n, (i) => (mask[i] !== 0 ? [src[2 * i]!, src[2 * i + 1]!] : null));
  const td = normaliser(n, (i) => (mask[i] !== 0 ? [dst[2 * i]!, dst[2 * i + 1]!] : null));
  if (!ts || !td) return null;
  const set = new Inliers(src, dst, mask, ts, td);
  const h = set.dlt();
  if (!h) return null;
  return denormalise(set.levenbergMarquardt(h, lmIters), ts, td);
}
