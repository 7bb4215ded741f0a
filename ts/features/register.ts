import { contextOf, type ContextSource, type KernelContext } from '../core/context.js';
import type { PlaneLike } from '../image/plane.js';
import { findHomography, HomographyResult, type HomographyOptions } from '../kernels/homography/api.js';
import { matchHamming } from '../kernels/match/api.js';
import { orb, OrbPyramid } from '../kernels/orb/api.js';
import type { Region } from '../memory/arena.js';
import { PatchAligner } from './align.js';
import { Descriptors } from './descriptors.js';
import { Keypoints } from './keypoints.js';
import { Matches } from './matches.js';

/** What registerPair found; everything lives in the arena until `free()`. */
export interface PairRegistration {
  a: { kps: Keypoints; desc: Descriptors };
  b: { kps: Keypoints; desc: Descriptors };
  matches: Matches;
  /**
   * Match indices, pair k is match `order[k]`: the `refined` pairs first, then the others, each part
   * by increasing Hamming distance (ties in match order).
   */
  order: Uint32Array;
  /**
   * The matched points of A and of B (pixel centres), x, y pairs, `matches.count` of each, in `order`;
   * B's point of each of the first `refined` pairs is where the window alignment put it.
   */
  src: Float32Array;
  dst: Float32Array;
  /**
   * How many pairs were refined (see registerPair): the homography was fitted on those, and
   * `homography.mask` is 0 beyond them. 0 when refinement was off or did not apply: the homography
   * is then RANSAC's on every pair.
   */
  refined: number;
  homography: HomographyResult;
  /** Returns every region this registration took to the arena. */
  free(): void;
}

/** ORB of one gray plane: keypoints and descriptors for up to `features` (a fresh pyramid), and its scale factor. */
export function orbOf(src: ContextSource, gray: PlaneLike, features: number): { kps: Keypoints; desc: Descriptors; scaleFactor: number } {
  const ctx = contextOf(src);
  const kps = Keypoints.alloc(ctx, features);
  const desc = Descriptors.alloc(ctx, features);
  const pyr = new OrbPyramid(ctx, gray.width, gray.height);
  orb(ctx, kps, desc, pyr, gray, { features });
  pyr.free(ctx);
  return { kps, desc, scaleFactor: pyr.scaleFactor };
}

/**
 * Where a keypoint of pyramid level l lies in pixel-centre coordinates of level 0. ORB (OpenCV's
 * and ours) reports x_l s^l, but pixel x_l of a level resized by 1 / s^l covers level-0 pixels
 * around (x_l + 0.5) s^l - 0.5: the reported point is off by (s^l - 1) / 2 on each axis, 1.3 px on
 * level 7. Corresponding points often come from different levels (one view is foreshortened), so
 * the offsets do not cancel in a homography; adding them back lowers its error.
 */
function centreOffsets(scaleFactor: number): Float64Array {
  const off = new Float64Array(32);
  for (let l = 0; l < 32; l++) off[l] = (Math.pow(scaleFactor, l) - 1) / 2;
  return off;
}

/** registerPair's options: findHomography's, and whether to refine the matched points. */
export interface RegisterOptions extends HomographyOptions {
  /**
   * Refine B's matched points by aligning image windows under RANSAC's homography, then fit the
   * homography again on the refined pairs (default true; see registerPair).
   */
  refine?: boolean;
}

/** Window radius for a keypoint of level l: WINDOW s^l px (the structure a level-l corner spans), at most MAX_WINDOW. */
const WINDOW = 8;
const MAX_WINDOW = 16;
/** Refinement rounds: the second aligns with the refined model's windows and takes up pairs RANSAC's model missed. */
const ROUNDS = 2;

/**
 * Registers two gray planes as `framekit match` does: ORB (up to `features` keypoints each),
 * cross-checked Hamming matches, and the RANSAC homography taking A's matched points (each moved to
 * its pixel centre on level 0, see centreOffsets) to B's. The pairs go to findHomography closest
 * first, with `sorted` (PROSAC: the likeliest inliers are drawn first, which finds the model where
 * few matches are right, as under strong viewpoint changes). `options` are passed on; minInliers
 * defaults to 10 here: 4 points always fit some homography, which says nothing about two unrelated
 * images.
 *
 * Then, unless `options.refine` is false, the correspondences are measured again (PatchAligner,
 * features/align.ts): keypoints sit on their pyramid level's grid, up to s^l / 2 px off, and that,
 * not the matching or the estimator, limits the accuracy under strong viewpoint changes. Each inlier
 * pair's B point becomes where a window around A's point, carried into B by the homography, aligns
 * best (window radius WINDOW s^l for A's level l; a pair whose window leaves an image, lacks texture
 * or moves more than `threshold` px is left out), and findHomography runs again on the refined
 * pairs alone, same options. A second round re-aligns, with the refitted model, every pair whose
 * keypoints that model puts within `threshold`. When a refit finds nothing, RANSAC's first
 * homography on all pairs stands. Allocates: a one-shot, not for the frame loop.
 */
export function registerPair(
  from: ContextSource,
  a: PlaneLike,
  b: PlaneLike,
  features: number,
  options: RegisterOptions = {},
): PairRegistration {
  const ctx = contextOf(from);
  const { refine = true, ...o } = options;
  const hopts: HomographyOptions = { minInliers: 10, sorted: true, ...o };
  const A = orbOf(ctx, a, features);
  const B = orbOf(ctx, b, features);
  const matches = matchHamming(ctx, Matches.alloc(ctx, features), A.desc, B.desc, { crossCheck: true });
  const n = matches.count;
  const region: Region = ctx.arena.alloc(Math.max(16, 16 * n), 'match points');
  const src = new Float32Array(ctx.memory.buffer, region.ptr, 2 * n);
  const dst = new Float32Array(ctx.memory.buffer, region.ptr + 8 * n, 2 * n);
  // Counting sort by distance (0..256), stable.
  const starts = new Uint32Array(258);
  for (let k = 0; k < n; k++) starts[matches.distance[k]! + 1]!++;
  for (let d = 1; d < 258; d++) starts[d]! += starts[d - 1]!;
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[starts[matches.distance[k]!]!++] = k;
  const [offA, offB] = [centreOffsets(A.scaleFactor), centreOffsets(B.scaleFactor)];
  for (let k = 0; k < n; k++) {
    const [i, j] = [matches.queryIdx[order[k]!]!, matches.trainIdx[order[k]!]!];
    const [oa, ob] = [offA[A.kps.octave[i]!]!, offB[B.kps.octave[j]!]!];
    [src[2 * k], src[2 * k + 1], dst[2 * k], dst[2 * k + 1]] = [A.kps.x[i]! + oa, A.kps.y[i]! + oa, B.kps.x[j]! + ob, B.kps.y[j]! + ob];
  }
  const homography = findHomography(ctx, HomographyResult.alloc(ctx, Math.max(1, n)), src, dst, n, hopts);
  const refined = refine ? refinePairs(ctx, a, b, A, order, src, dst, homography, hopts) : 0;
  return {
    a: A,
    b: B,
    matches,
    order,
    src,
    dst,
    refined,
    homography,
    free() {
      for (const r of [homography.region, region, matches.region, B.desc.region, B.kps.region, A.desc.region, A.kps.region])
        ctx.arena.free(r);
    },
  };
}

/**
 * registerPair's refinement rounds (see there), in place: reorders `order`, `src` and `dst` (refined
 * pairs first) and refits `result`; returns how many pairs were refined, 0 when no refit found a
 * homography (everything then as it came in).
 */
function refinePairs(
  ctx: KernelContext,
  a: PlaneLike,
  b: PlaneLike,
  A: { kps: Keypoints; scaleFactor: number },
  order: Uint32Array,
  src: Float32Array,
  dst: Float32Array,
  result: HomographyResult,
  o: HomographyOptions,
): number {
  const n = result.count;
  if (!result.homography) return 0;
  const threshold = result.params.threshold;
  const [src0, dst0, order0] = [src.slice(), dst.slice(), order.slice()];
  const radius = new Float64Array(n);
  for (let k = 0; k < n; k++) radius[k] = WINDOW * Math.pow(A.scaleFactor, A.kps.octave[order0[k]!]!);
  const aligner = new PatchAligner(ctx.heap, a, b, MAX_WINDOW);
  const h = new Float64Array(result.homography);
  const selected = result.mask.slice(0, n);
  const moved = new Float32Array(2 * n);
  const done = new Uint8Array(n);
  const pt = new Float64Array(2);
  let refined = 0;
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      // Every pair whose keypoints the refitted model puts within the threshold.
      for (let k = 0; k < n; k++) {
        const [x, y] = [src0[2 * k]!, src0[2 * k + 1]!];
        const iw = 1 / (h[6]! * x + h[7]! * y + h[8]!);
        const du = (h[0]! * x + h[1]! * y + h[2]!) * iw - dst0[2 * k]!;
        const dv = (h[3]! * x + h[4]! * y + h[5]!) * iw - dst0[2 * k + 1]!;
        selected[k] = du * du + dv * dv <= threshold * threshold ? 1 : 0;
      }
    }
    let m = 0;
    for (let k = 0; k < n; k++) {
      // A pair refined in the previous round starts where it was found.
      const start = done[k] ? moved.subarray(2 * k, 2 * k + 2) : undefined;
      done[k] = selected[k] && aligner.align(h, src0[2 * k]!, src0[2 * k + 1]!, radius[k]!, threshold, pt, start) ? 1 : 0;
      if (done[k]) [moved[2 * k], moved[2 * k + 1]] = [pt[0]!, pt[1]!];
      m += done[k]!;
    }
    // Refined pairs first, then the others, each in the order they came.
    let [p, q] = [0, m];
    for (let k = 0; k < n; k++) {
      const at = done[k] ? p++ : q++;
      order[at] = order0[k]!;
      [src[2 * at], src[2 * at + 1]] = [src0[2 * k]!, src0[2 * k + 1]!];
      [dst[2 * at], dst[2 * at + 1]] = done[k] ? [moved[2 * k]!, moved[2 * k + 1]!] : [dst0[2 * k]!, dst0[2 * k + 1]!];
    }
    findHomography(ctx, result, src, dst, m, o);
    if (!result.homography) break;
    result.mask.fill(0, m, n);
    h.set(result.homography);
    refined = m;
  }
  if (result.homography) return refined;
  // A refit found nothing: RANSAC's homography on every pair, as before refinement.
  order.set(order0);
  src.set(src0);
  dst.set(dst0);
  findHomography(ctx, result, src, dst, n, o);
  return 0;
}
