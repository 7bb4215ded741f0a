/*
 * The oracle of RANSAC homography: the twin of rust/src/homography (mod.rs, minimal.rs, score.rs),
 * written as plain loops with the same operations in the same order, so that the reference, the
 * scalar build and the SIMD build return the same matrix bit for bit and the same inlier mask.
 * The reprojection error is computed in f32 (each step rounded with Math.fround) exactly as the
 * WebAssembly code computes it. Allocates small arrays: an oracle, not for the frame loop.
 */
import { denormalise, normaliser, solve } from './linalg.js';
import { refitReference } from './refine.js';

export const TOO_FEW_POINTS = -1;
export const DEGENERATE = -2;
export const NO_CONSENSUS = -3;

/** Draws of a sample that fails the geometric checks before RANSAC gives up (OpenCV's getSubset: 10000). */
const MAX_ATTEMPTS = 10000;
/** PROSAC's T_N: the draws over which sampling widens from the first 4 points to all of them. */
const PROSAC_DRAWS = 200000;
/** Refits of a local optimisation, at most, and the Levenberg-Marquardt steps of each. */
const LO_ROUNDS = 4;
const LO_LM_ITERS = 5;
/** Refits of the final model on its inliers, at most. */
const FINAL_ROUNDS = 8;

/** What a call takes besides the points and outputs (already validated). */
export interface HomographyParams {
  threshold: number;
  confidence: number;
  maxIters: number;
  seed: number;
  refineIters: number;
  minInliers: number;
  /** The points come best first (by match quality): sample the first ones first (PROSAC). */
  sorted: boolean;
}

const f = Math.fround;
type Pt = [number, number];

/** Reprojection test in f32: w = (h6 x + h7 y) + h8, u = ((h0 x + h1 y) + h2) / w - X, ... */
function isInlier(h: Float32Array, src: Float32Array, dst: Float32Array, i: number, t2: number): boolean {
  const x = src[2 * i]!;
  const y = src[2 * i + 1]!;
  const iw = f(1 / f(f(f(h[6]! * x) + f(h[7]! * y)) + h[8]!));
  const u = f(f(f(f(f(h[0]! * x) + f(h[1]! * y)) + h[2]!) * iw) - dst[2 * i]!);
  const v = f(f(f(f(f(h[3]! * x) + f(h[4]! * y)) + h[5]!) * iw) - dst[2 * i + 1]!);
  return f(f(u * u) + f(v * v)) <= t2;
}

function inlierMask(h: Float32Array, src: Float32Array, dst: Float32Array, t2: number, mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) {
    const m = isInlier(h, src, dst, i, t2);
    mask[i] = m ? 1 : 0;
    n += m ? 1 : 0;
  }
  return n;
}

function countInliers(h: Float32Array, src: Float32Array, dst: Float32Array, n: number, t2: number): number {
  let c = 0;
  for (let i = 0; i < n; i++) if (isInlier(h, src, dst, i, t2)) c++;
  return c;
}

/** Squared reprojection error in f32, the steps of isInlier. */
function error2(h: Float32Array, src: Float32Array, dst: Float32Array, i: number): number {
  const x = src[2 * i]!;
  const y = src[2 * i + 1]!;
  const iw = f(1 / f(f(f(h[6]! * x) + f(h[7]! * y)) + h[8]!));
  const u = f(f(f(f(f(h[0]! * x) + f(h[1]! * y)) + h[2]!) * iw) - dst[2 * i]!);
  const v = f(f(f(f(f(h[3]! * x) + f(h[4]! * y)) + h[5]!) * iw) - dst[2 * i + 1]!);
  return f(f(u * u) + f(v * v));
}

/**
 * MSAC score of a hypothesis: the inlier count and the truncated quadratic cost, the sum over
 * points of min(e^2, t2) (a point whose error is not <= t2, NaN included, costs t2). In f32, summed
 * in the order of the SIMD build: four lane sums over the points 4k + lane of the whole blocks of 4,
 * added ((l0 + l1) + l2) + l3, then the last n % 4 points one by one.
 */
function score(h: Float32Array, src: Float32Array, dst: Float32Array, n: number, t2: number, out: { count: number; cost: number }): void {
  const lanes = [0, 0, 0, 0];
  let count = 0;
  const blocks = n >> 2;
  for (let i = 0; i < 4 * blocks; i++) {
    const e = error2(h, src, dst, i);
    const inl = e <= t2;
    count += inl ? 1 : 0;
    lanes[i & 3] = f(lanes[i & 3]! + (inl ? e : t2));
  }
  let cost = f(f(f(lanes[0]! + lanes[1]!) + lanes[2]!) + lanes[3]!);
  for (let i = 4 * blocks; i < n; i++) {
    const e = error2(h, src, dst, i);
    const inl = e <= t2;
    count += inl ? 1 : 0;
    cost = f(cost + (inl ? e : t2));
  }
  out.count = count;
  out.cost = cost;
}

/** A 32-bit hash of which points are inliers: h = 31 h + i + 1 over them, wrapping. */
function maskHash(mask: Uint8Array): number {
  let h = 0;
  for (let i = 0; i < mask.length; i++) if (mask[i] !== 0) h = (Math.imul(h, 31) + i + 1) >>> 0;
  return h;
}

/** Twice the signed area of a sample triangle, 0 when its smallest angle has sin^2 <= 1e-6. */
function orientation(p: Pt[], t: readonly number[]): number {
  const [ax, ay] = p[t[0]!]!;
  const d1x = p[t[1]!]![0] - ax;
  const d1y = p[t[1]!]![1] - ay;
  const d2x = p[t[2]!]![0] - ax;
  const d2y = p[t[2]!]![1] - ay;
  const cross = d1x * d2y - d1y * d2x;
  if (cross * cross <= 1e-6 * (d1x * d1x + d1y * d1y) * (d2x * d2x + d2y * d2y)) return 0;
  return cross;
}

const TRIPLES = [
  [0, 1, 2],
  [0, 1, 3],
  [0, 2, 3],
  [1, 2, 3],
] as const;

/** No collinear triple in either image, and the triples all keep or all flip their orientation. */
function goodSample(s: Pt[], d: Pt[]): boolean {
  let flipped = 0;
  for (const t of TRIPLES) {
    const a = orientation(s, t);
    const b = orientation(d, t);
    if (a === 0 || b === 0) return false;
    if (a < 0 !== b < 0) flipped++;
  }
  return flipped === 0 || flipped === 4;
}

/** The 4-point normalised DLT with h33 = 1 (an 8 x 8 system), checked on its own sample. */
function solve4(s: Pt[], d: Pt[]): number[] | null {
  const ts = normaliser(4, (i) => s[i]!);
  const td = normaliser(4, (i) => d[i]!);
  if (!ts || !td) return null;
  const a: number[][] = [];
  const b: number[] = [];
  for (let i = 0; i < 4; i++) {
    const x = (s[i]![0] - ts[0]) * ts[2];
    const y = (s[i]![1] - ts[1]) * ts[2];
    const u = (d[i]![0] - td[0]) * td[2];
    const v = (d[i]![1] - td[1]) * td[2];
    a.push([x, y, 1, 0, 0, 0, -x * u, -y * u], [0, 0, 0, x, y, 1, -x * v, -y * v]);
    b.push(u, v);
  }
  if (!solve(a, b, 1e-10)) return null;
  const h = denormalise([...b, 1], ts, td);
  if (!h) return null;
  for (let i = 0; i < 4; i++) {
    const [x, y] = s[i]!;
    const w = h[6]! * x + h[7]! * y + h[8]!;
    if (!(Math.abs(w) > 1e-12)) return null;
    const eu = (h[0]! * x + h[1]! * y + h[2]!) / w - d[i]![0];
    const ev = (h[3]! * x + h[4]! * y + h[5]!) / w - d[i]![1];
    if (!(eu * eu + ev * ev < 1e-2)) return null;
  }
  return h;
}

/** The least integer >= x, for 0 <= x < 2^53 (by truncation, as in Rust where core has no ceil). */
function ceil(x: number): number {
  const k = Math.trunc(x);
  return k < x ? k + 1 : k;
}

/** Least k with (1 - w^4)^k <= 1 - confidence, at most maxIters (by multiplication, as in Rust). */
function iterationsNeeded(inliers: number, n: number, confidence: number, maxIters: number): number {
  const w = inliers / n;
  let p = w * w;
  p *= p;
  const q = 1 - p;
  const target = 1 - confidence;
  let k = 0;
  let prod = 1;
  while (k < maxIters && prod > target) {
    prod *= q;
    k++;
  }
  return k;
}

/**
 * RANSAC homography from `src` to `dst` (interleaved f32 x, y; `mask.length` points). Writes the
 * matrix (row-major, h33 = 1) to `outH` on success and 1/0 per point to `mask`; returns the inlier
 * count, or TOO_FEW_POINTS / DEGENERATE / NO_CONSENSUS, and the iterations run.
 */
export function findHomographyReference(
  src: Float32Array,
  dst: Float32Array,
  p: HomographyParams,
  outH: Float64Array,
  mask: Uint8Array,
): { status: number; iterations: number } {
  const n = mask.length;
  mask.fill(0);
  if (n < 4) return { status: TOO_FEW_POINTS, iterations: 0 };
  const t2 = f(p.threshold * p.threshold);
  let rng = p.seed === 0 ? 0x9e3779b9 : p.seed >>> 0;
  let best: number[] | null = null;
  let bestCount = 0;
  let bestCost = Infinity;
  const sc = { count: 0, cost: 0 };
  let limit = n === 4 ? 1 : p.maxIters;
  let iter = 0;
  const idx = [0, 1, 2, 3];
  // PROSAC (Chum and Matas 2005): draw t samples from the first `m` points, m growing as the
  // expected count of draws T'_m from U_m runs out: T_m = T_N C(m, 4) / C(n, 4).
  let m = p.sorted ? 4 : n;
  let tm = PROSAC_DRAWS;
  for (let i = 0; i < 4; i++) tm = (tm * (4 - i)) / (n - i);
  let tmDraws = 1;
  let draws = 0;
  let s: Pt[] = [];
  let d: Pt[] = [];
  while (iter < limit) {
    // A sample that passes the geometric checks, drawn again (not counted as an iteration) until one
    // does, as OpenCV's getSubset: with few inliers most random samples fail them.
    let found = false;
    for (let attempt = 0; attempt < (n === 4 ? 1 : MAX_ATTEMPTS); attempt++) {
      if (n > 4) {
        draws++;
        if (draws > tmDraws && m < n) {
          const next = (tm * (m + 1)) / (m + 1 - 4);
          tmDraws += ceil(next - tm);
          tm = next;
          m++;
        }
        // Past T'_m: 4 points of U_m; before it: the m-th point and 3 of U_{m-1}.
        const fresh = m < n && tmDraws >= draws;
        const pool = fresh ? m - 1 : m;
        for (let k = fresh ? 1 : 0; k < 4; k++) {
          for (;;) {
            rng ^= rng << 13;
            rng ^= rng >>> 17;
            rng ^= rng << 5;
            rng >>>= 0;
            const i = rng % pool;
            if (!idx.slice(fresh ? 1 : 0, k).includes(i)) {
              idx[k] = i;
              break;
            }
          }
        }
        if (fresh) idx[0] = m - 1;
      }
      s = idx.map((i): Pt => [src[2 * i]!, src[2 * i + 1]!]);
      d = idx.map((i): Pt => [dst[2 * i]!, dst[2 * i + 1]!]);
      if (goodSample(s, d)) {
        found = true;
        break;
      }
    }
    if (!found) break;
    iter++;
    let h = solve4(s, d);
    if (!h) continue;
    score(Float32Array.from(h), src, dst, n, t2, sc);
    if (!(sc.cost < bestCost)) continue;
    // Local optimisation (LO-RANSAC): refit on the new best model's inliers, while that lowers the cost.
    let count = sc.count;
    let cost = sc.cost;
    for (let round = 0; round < LO_ROUNDS && count >= 8; round++) {
      inlierMask(Float32Array.from(h), src, dst, t2, mask);
      const r = refitReference(src, dst, mask, LO_LM_ITERS);
      if (!r) break;
      score(Float32Array.from(r), src, dst, n, t2, sc);
      if (!(sc.cost < cost)) break;
      h = r;
      count = sc.count;
      cost = sc.cost;
    }
    best = h;
    bestCost = cost;
    if (count > bestCount) {
      bestCount = count;
      limit = Math.min(limit, iterationsNeeded(count, n, p.confidence, p.maxIters));
    }
  }
  if (!best) {
    mask.fill(0);
    return { status: DEGENERATE, iterations: iter };
  }
  // The final model: least squares (with Levenberg-Marquardt) on the inliers, again on the inliers
  // of the result, until they settle (the same count and the same hash of the set). A refit that
  // loses more than a tenth of the inliers is not taken.
  let h = best;
  let inliers = inlierMask(Float32Array.from(h), src, dst, t2, mask);
  for (let round = 0; round < FINAL_ROUNDS; round++) {
    const r = refitReference(src, dst, mask, p.refineIters);
    if (!r || countInliers(Float32Array.from(r), src, dst, n, t2) * 10 < inliers * 9) break;
    h = r;
    const before = inliers;
    const beforeHash = maskHash(mask);
    inliers = inlierMask(Float32Array.from(h), src, dst, t2, mask);
    if (inliers === before && maskHash(mask) === beforeHash) break;
  }
  if (inliers < 4 || inliers < p.minInliers) {
    mask.fill(0);
    return { status: NO_CONSENSUS, iterations: iter };
  }
  outH.set(h);
  return { status: inliers, iterations: iter };
}
