import type { KernelContext } from '../core/context.js';
import { Descriptors } from '../features/descriptors.js';
import type { FlowPoints } from '../features/flow-points.js';
import { Keypoints } from '../features/keypoints.js';
import { Matches } from '../features/matches.js';
import { allocPoints, freePoints } from '../features/points.js';
import type { PlaneLike } from '../image/plane.js';
import { findHomography, HomographyResult } from '../kernels/homography/api.js';
import { matchHamming } from '../kernels/match/api.js';
import { orb, OrbPyramid, type OrbOptions } from '../kernels/orb/api.js';
import { mat3Mul, type Mat3 } from './synthetic.js';

/** Fewer frame-to-frame inliers than this: the track is lost. Also the least a relocalization needs. */
export const MIN_INLIERS = 15;
/** Matches farther apart than this many bits are not used to relocalize. */
const MAX_HAMMING = 64;
const MATCH = Object.freeze({ crossCheck: true, maxDistance: MAX_HAMMING });
const FIT = Object.freeze({ threshold: 3 });

/** What a recovery writes: the map from the first frame and the points to carry on. */
export interface RecoveryTarget {
  readonly fromFirst: Mat3;
  readonly flow: FlowPoints;
  readonly previous: Float32Array;
  /** Points wanted in all. */
  readonly target: number;
}

/**
 * Relocalization: every `every` well-tracked frames, the frame's ORB features (keypoints,
 * descriptors) and its map from the first frame become the keyframe; a frame whose track is lost
 * has its ORB features matched to the keyframe's, and a RANSAC homography puts the track back.
 * Everything is reserved from the arena when it is made.
 */
export class Relocalizer {
  readonly #ctx: KernelContext;
  readonly #every: number;
  readonly #orb: OrbOptions;
  readonly #pyr: OrbPyramid;
  readonly #key: { kp: Keypoints; desc: Descriptors; fromFirst: Mat3; seq: number };
  readonly #cur: { kp: Keypoints; desc: Descriptors };
  readonly #matches: Matches;
  readonly #h: HomographyResult;
  readonly #from: Float32Array;
  readonly #to: Float32Array;

  /** Allocates: call at setup. */
  constructor(ctx: KernelContext, width: number, height: number, every: number, features: number) {
    this.#ctx = ctx;
    this.#every = every;
    this.#orb = Object.freeze({ features });
    this.#pyr = new OrbPyramid(ctx, width, height);
    this.#key = { kp: Keypoints.alloc(ctx, features), desc: Descriptors.alloc(ctx, features), fromFirst: new Float64Array(9), seq: -1 };
    this.#cur = { kp: Keypoints.alloc(ctx, features), desc: Descriptors.alloc(ctx, features) };
    this.#matches = Matches.alloc(ctx, features);
    this.#h = HomographyResult.alloc(ctx, features);
    this.#from = allocPoints(ctx, features);
    this.#to = allocPoints(ctx, features);
  }

  /** Makes frame `seq` (its gray plane, its map from the first frame) the keyframe when one is due. Returns whether it did. */
  keyframeIfDue(gray: PlaneLike, seq: number, fromFirst: Mat3): boolean {
    const key = this.#key;
    if (key.seq >= 0 && seq - key.seq < this.#every) return false;
    orb(this.#ctx, key.kp, key.desc, this.#pyr, gray, this.#orb);
    key.fromFirst.set(fromFirst);
    key.seq = seq;
    return true;
  }

  /**
   * Matches the lost frame's ORB features to the keyframe's; when a homography with enough inliers
   * fits them, writes first frame -> keyframe -> this frame into `t.fromFirst`, makes the inlier
   * features the points to carry on, and returns the inlier count. Returns -1 (nothing written) otherwise.
   */
  recover(gray: PlaneLike, t: RecoveryTarget): number {
    const ctx = this.#ctx;
    const key = this.#key;
    const cur = this.#cur;
    if (key.seq < 0 || key.kp.count < MIN_INLIERS) return -1;
    orb(ctx, cur.kp, cur.desc, this.#pyr, gray, this.#orb);
    if (cur.kp.count < MIN_INLIERS) return -1;
    const m = matchHamming(ctx, this.#matches, cur.desc, key.desc, MATCH);
    const from = this.#from;
    const to = this.#to;
    for (let i = 0; i < m.count; i++) {
      const q = m.queryIdx[i]!;
      const k = m.trainIdx[i]!;
      from[2 * i] = key.kp.x[k]!;
      from[2 * i + 1] = key.kp.y[k]!;
      to[2 * i] = cur.kp.x[q]!;
      to[2 * i + 1] = cur.kp.y[q]!;
    }
    if (m.count < MIN_INLIERS) return -1;
    const h = findHomography(ctx, this.#h, from, to, m.count, FIT);
    if (!h.homography || h.inliers < MIN_INLIERS) return -1;
    // Back on track: first frame -> keyframe -> this frame; the inlier features are the new points.
    mat3Mul(h.homography, key.fromFirst, t.fromFirst);
    const f = t.flow;
    f.count = 0;
    for (let i = 0; i < m.count && f.count < t.target; i++) {
      if (!h.mask[i]) continue;
      const j = f.count++;
      f.prev[2 * j] = t.previous[2 * j] = to[2 * i]!;
      f.prev[2 * j + 1] = t.previous[2 * j + 1] = to[2 * i + 1]!;
    }
    return h.inliers;
  }

  /** Returns every region it reserved to the arena. */
  free(): void {
    const ctx = this.#ctx;
    this.#pyr.free(ctx);
    const k = this.#key;
    const c = this.#cur;
    for (const r of [k.kp.region, k.desc.region, c.kp.region, c.desc.region, this.#matches.region, this.#h.region]) ctx.arena.free(r);
    freePoints(ctx, this.#from);
    freePoints(ctx, this.#to);
  }
}
