import { contextOf, type ContextSource } from '../core/context.js';
import type { PlaneLike } from '../image/plane.js';
import { findHomography, HomographyResult, type HomographyOptions } from '../kernels/homography/api.js';
import { matchHamming } from '../kernels/match/api.js';
import { orb, OrbPyramid } from '../kernels/orb/api.js';
import type { Region } from '../memory/arena.js';
import { Descriptors } from './descriptors.js';
import { Keypoints } from './keypoints.js';
import { Matches } from './matches.js';

/** What registerPair found; everything lives in the arena until `free()`. */
export interface PairRegistration {
  a: { kps: Keypoints; desc: Descriptors };
  b: { kps: Keypoints; desc: Descriptors };
  matches: Matches;
  /** Match indices by increasing Hamming distance (ties in match order): pair k is match `order[k]`. */
  order: Uint32Array;
  /** The matched points of A and of B (pixel centres), x, y pairs, `matches.count` of each, in `order`. */
  src: Float32Array;
  dst: Float32Array;
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

/**
 * Registers two gray planes as `framekit match` does: ORB (up to `features` keypoints each),
 * cross-checked Hamming matches, and the RANSAC homography taking A's matched points (each moved to
 * its pixel centre on level 0, see centreOffsets) to B's. The
 * pairs go to findHomography closest first, with `sorted` (PROSAC: the likeliest inliers are drawn
 * first, which finds the model where few matches are right, as under strong viewpoint changes).
 * `options` are passed on; minInliers defaults to 10 here: 4 points always fit some homography,
 * which says nothing about two unrelated images. Allocates: a one-shot, not for the frame loop.
 */
export function registerPair(
  from: ContextSource,
  a: PlaneLike,
  b: PlaneLike,
  features: number,
  options: HomographyOptions = {},
): PairRegistration {
  const ctx = contextOf(from);
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
  const homography = findHomography(ctx, HomographyResult.alloc(ctx, Math.max(1, n)), src, dst, n, {
    minInliers: 10,
    sorted: true,
    ...options,
  });
  return {
    a: A,
    b: B,
    matches,
    order,
    src,
    dst,
    homography,
    free() {
      for (const r of [homography.region, region, matches.region, B.desc.region, B.kps.region, A.desc.region, A.kps.region])
        ctx.arena.free(r);
    },
  };
}
