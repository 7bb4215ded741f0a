import type { Descriptors } from '../features/descriptors.js';
import type { Keypoints } from '../features/keypoints.js';
import type { Matches } from '../features/matches.js';
import type { FlowPoints } from '../features/flow-points.js';
import { FramekitError } from '../errors.js';
import type { Frame } from '../frame/frame.js';
import type { Framekit } from '../framekit.js';
import type { PlaneLike } from '../image/plane.js';
import type { HomographyResult } from '../kernels/homography/api.js';
import type { FlowPyramid } from '../kernels/lk/pyramid.js';
import type { FlowOptions } from '../kernels/lk/api.js';
import type { FastOptions } from '../kernels/fast/api.js';
import type { OrbPyramid } from '../kernels/orb/api.js';
import type { WorkerPool } from '../workers/pool.js';
import type { Pose } from '../kernels/pose/api.js';
import { axes, dot, GREEN, line, YELLOW, type Canvas } from './annotate.js';
import { mat3Apply, mat3Invert, mat3Mul, type Mat3, type SyntheticFrame } from './synthetic.js';

export interface TrackerOptions {
  width: number;
  height: number;
  /** Points to keep tracked (default 500): FAST corners replenish them when tracking loses some. */
  features?: number;
  /** FAST threshold (default 20). */
  threshold?: number;
  /** Lucas-Kanade window side (default 21) and pyramid levels above the base (default 3). */
  win?: number;
  levels?: number;
  /**
   * Start Lucas-Kanade one pyramid level lower when it starts from predicted places (default
   * true): the points then begin near where they are, so the top level, there to catch large
   * motion, has little to find, and it costs a quarter of the flow. When the frame's homography
   * then keeps fewer than half the points it carried (a sudden jolt the prediction missed), the
   * flow runs again over every level from the same start, and the frame reports `deepened`.
   */
  shallowFirst?: boolean;
  /** Camera intrinsics (row-major 3x3). With them and `initialPose`, the tracker reports the pose of every frame. */
  intrinsics?: Mat3 | undefined;
  /** Plane-to-image homography of the first frame (the plane's known starting view, as a marker gives). */
  initialPose?: Mat3 | undefined;
  /**
   * Start Lucas-Kanade from where the last frame-to-frame homography moves each point (a constant
   * motion model), rather than from where the point was (default true). Smooth camera motion then
   * leaves the flow only the change of motion to find.
   */
  predict?: boolean;
  /**
   * Recover from a lost track (default true): every `keyframeEvery` well-tracked frames the tracker
   * keeps the frame's ORB features (keypoints, descriptors) and its map from the first frame; when
   * a frame has too few inliers, ORB features of that frame are matched to the keyframe's and a
   * RANSAC homography puts the track back, with its pose, and reseeds the points.
   */
  relocalize?: boolean;
  /**
   * Frames between ORB keyframes while tracking holds (default 30). A keyframe, and a
   * relocalization, run ORB on that frame in the frame loop (25-40 ms at 1080p on one core): a
   * latency spike every `keyframeEvery` frames that `relocalize: false` avoids.
   */
  keyframeEvery?: number;
  /** ORB features per keyframe and per relocalization (default `features`, at least 100). */
  orbFeatures?: number;
}

/** Where `processAsync` sends parts of a frame's work. */
export interface TrackAsyncOptions {
  /** Split Lucas-Kanade (by points) and FAST (by rows) across this pool's workers. */
  pool?: WorkerPool | undefined;
  /**
   * Refill from these corners instead of running FAST (for example a WebGPU keypoint chain's, for
   * this frame). Positions are in their pyramid level's pixels, as a keypoint chain lists them:
   * `octave` o means a level 2^o times smaller.
   */
  keypoints?: Keypoints | Promise<Keypoints> | undefined;
}

/** The stages whose time the tracker reports, in pipeline order. */
export const STAGES = ['pyramid', 'flow', 'geometry', 'features'] as const;
export type Stage = (typeof STAGES)[number];

/** What the tracker found in the last frame. One object, reused for every frame: copy what you keep. */
export interface TrackResult {
  seq: number;
  /** Corners FAST found in this frame. */
  keypoints: number;
  /** Points Lucas-Kanade carried over from the previous frame. */
  tracked: number;
  /** Tracked points consistent with the frame-to-frame homography (RANSAC inliers). */
  inliers: number;
  /** True when the pose of this frame is known (`tracker.pose`). */
  hasPose: boolean;
  /** True when this frame's track was recovered by matching ORB features to the keyframe. */
  relocalized: boolean;
  /** True when this frame became the ORB keyframe. */
  keyframe: boolean;
  /** True when the flow ran a second time over every pyramid level (see `shallowFirst`). */
  deepened: boolean;
  ms: Record<Stage | 'total', number>;
}

export interface TruthError {
  /** Mean distance (px) between the frame's corners mapped from the first frame by the estimate and by the truth. */
  cornerPx: number;
  /** Angle of the rotation between estimated and true camera rotation (degrees). */
  rotationDeg: number | null;
  /** Distance between estimated and true translation, in percent of the true one. */
  translationPct: number | null;
}

const now = () => performance.now();
/** Side of the grid cells that keep new corners apart from tracked points (pixels). */
const CELL = 16;
/** Fewer frame-to-frame inliers than this: the track is lost. Also the least a relocalization needs. */
const MIN_INLIERS = 15;
/** Lucas-Kanade's options, made once: start from the predicted places, or from the points themselves. */
const FROM_GUESS: FlowOptions = Object.freeze({ useInitialFlow: true });
const FROM_PREV: FlowOptions = Object.freeze({});
/** Matches farther apart than this many bits are not used to relocalize. */
const MAX_HAMMING = 64;

/** What relocalization keeps: the keyframe's ORB features and its map from the first frame, and the current frame's. */
interface Relocalizer {
  every: number;
  features: number;
  pyr: OrbPyramid;
  key: { kp: Keypoints; desc: Descriptors; fromFirst: Mat3; seq: number };
  cur: { kp: Keypoints; desc: Descriptors };
  matches: Matches;
  h: HomographyResult;
  from: Float32Array;
  to: Float32Array;
}

/**
 * The tracking pipeline over gray frames, as a visual-odometry front end does it:
 *   pyramid   each frame's pyramid (with Scharr derivatives) is built once and serves as `next`
 *             for this frame's flow and as `prev` for the following one
 *   flow      pyramidal Lucas-Kanade carries the points from the previous frame
 *   geometry  RANSAC homography between the two point sets; its inliers survive; composed from the
 *             first frame it gives, with intrinsics, the camera pose
 *   features  FAST corners refill empty grid cells until `features` points are tracked; ORB
 *             features of a keyframe every `keyframeEvery` frames, and of a frame whose track is
 *             lost, matched to the keyframe's to recover the track (relocalization)
 * Everything is reserved from the arena when the tracker is made; `process` allocates nothing.
 */
export class Tracker {
  readonly keypoints: Keypoints;
  readonly flow: FlowPoints;
  readonly homography: HomographyResult;
  readonly pose: Pose;
  readonly result: TrackResult = {
    seq: -1,
    keypoints: 0,
    tracked: 0,
    inliers: 0,
    hasPose: false,
    relocalized: false,
    keyframe: false,
    deepened: false,
    ms: { pyramid: 0, flow: 0, geometry: 0, features: 0, total: 0 },
  };
  /** Homography from the first frame to the current one (row-major), composed frame by frame. */
  readonly fromFirst: Mat3 = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  /** Where the current points were in the previous frame (x, y pairs; for drawing flow vectors). */
  readonly previous: Float32Array;
  readonly #fk: Framekit;
  /** FAST's options, made once (no object per frame). */
  readonly #fastOptions: FastOptions;
  readonly #target: number;
  readonly #pyr: [FlowPyramid, FlowPyramid];
  readonly #src: Float32Array;
  readonly #dst: Float32Array;
  readonly #grid: Uint8Array;
  readonly #gw: number;
  readonly #width: number;
  readonly #height: number;
  readonly #K: Mat3 | null;
  readonly #P0: Mat3 | null;
  readonly #P: Mat3 = new Float64Array(9);
  readonly #predict: boolean;
  /** Lucas-Kanade's options from predicted places, one level short of the top; null when not used. */
  readonly #shallow: FlowOptions | null;
  /** The last frame-to-frame homography, when `#moving` (the last frame had one). */
  readonly #motion: Mat3 = new Float64Array(9);
  #moving = false;
  readonly #reloc: Relocalizer | null;
  #cur = 0;

  constructor(fk: Framekit, o: TrackerOptions) {
    this.#fk = fk;
    this.#fastOptions = Object.freeze({ threshold: o.threshold ?? 20, nonmax: true });
    const n = (this.#target = o.features ?? 500);
    this.keypoints = fk.allocKeypoints(Math.max(1, n * 16));
    this.flow = fk.allocFlowPoints(n);
    this.homography = fk.allocHomography(n);
    this.pose = fk.allocPose();
    const pyr = { win: o.win ?? 21, maxLevel: o.levels ?? 3 };
    this.#pyr = [fk.allocFlowPyramid(o.width, o.height, pyr), fk.allocFlowPyramid(o.width, o.height, pyr)];
    this.#src = fk.allocPoints(n);
    this.#dst = fk.allocPoints(n);
    this.previous = new Float32Array(2 * n);
    this.#width = o.width;
    this.#height = o.height;
    this.#gw = Math.ceil(o.width / CELL);
    this.#grid = new Uint8Array(this.#gw * Math.ceil(o.height / CELL));
    this.#K = o.intrinsics ?? null;
    this.#P0 = o.initialPose ?? null;
    this.#predict = o.predict ?? true;
    this.#shallow =
      (o.shallowFirst ?? true) && pyr.maxLevel > 0 ? Object.freeze({ useInitialFlow: true, maxLevel: pyr.maxLevel - 1 }) : null;
    const every = o.keyframeEvery ?? 30;
    if (!Number.isInteger(every) || every < 1)
      throw new FramekitError('E_ARGUMENT', `keyframeEvery must be a positive integer, got ${String(every)}`);
    const m = o.orbFeatures ?? Math.max(n, 100);
    if (!Number.isInteger(m) || m < MIN_INLIERS)
      throw new FramekitError('E_ARGUMENT', `orbFeatures must be an integer >= ${MIN_INLIERS}, got ${String(m)}`);
    this.#reloc =
      (o.relocalize ?? true)
        ? {
            every,
            features: m,
            pyr: fk.allocOrbPyramid(o.width, o.height),
            key: { kp: fk.allocKeypoints(m), desc: fk.allocDescriptors(m), fromFirst: new Float64Array(9), seq: -1 },
            cur: { kp: fk.allocKeypoints(m), desc: fk.allocDescriptors(m) },
            matches: fk.allocMatches(m),
            h: fk.allocHomography(m),
            from: fk.allocPoints(m),
            to: fk.allocPoints(m),
          }
        : null;
  }

  /**
   * Returns everything the tracker reserved to the arena (points, pyramids, keypoints, keyframe
   * features). The tracker, and the results it attached to frames, must not be used afterwards:
   * `process` then throws E_STATE. Calling it twice does nothing more.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const arena = this.#fk.arena;
    for (const r of [this.keypoints.region, this.flow.region, this.homography.region, this.pose.region]) arena.free(r);
    for (const p of this.#pyr) for (const r of p.regions) arena.free(r);
    this.#fk.freePoints(this.#src);
    this.#fk.freePoints(this.#dst);
    const z = this.#reloc;
    if (z) {
      z.pyr.free(this.#fk);
      for (const r of [z.key.kp.region, z.key.desc.region, z.cur.kp.region, z.cur.desc.region, z.matches.region, z.h.region]) arena.free(r);
      this.#fk.freePoints(z.from);
      this.#fk.freePoints(z.to);
    }
  }

  #disposed = false;

  /** Runs the pipeline on one frame and attaches keypoints, pyramid, flow and pose to it. */
  process(frame: Frame | PlaneLike): TrackResult {
    const gray = this.#begin(frame);
    const fk = this.#fk;
    let o = this.#flowReady();
    if (o) fk.opticalFlow(this.flow, this.#prevPyr, this.#nextPyr, o);
    let tracked = this.#fitAfterFlow();
    if ((o = this.#deeper(o, tracked))) {
      fk.opticalFlow(this.flow, this.#prevPyr, this.#nextPyr, o);
      tracked = this.#fitAfterFlow();
    }
    const inliers = this.#geometry(tracked);
    const kept = this.#keyframeOrRecover(gray, inliers);
    fk.fast(this.keypoints, gray, this.#fastOptions);
    return this.#end(frame, this.keypoints, tracked, kept);
  }

  /**
   * `process`, with parts of the work elsewhere: Lucas-Kanade and FAST split across `pool`'s workers
   * (the same points and corners as on this thread), and/or the refill corners taken from
   * `keypoints` (for example a WebGPU keypoint chain's output for this very frame, awaited only
   * when the refill needs it, so the GPU works while this thread tracks). Keypoints of a pyramid
   * level `octave` > 0 are scaled to level 0. Resolves to the same result object as `process`.
   */
  async processAsync(frame: Frame | PlaneLike, o: TrackAsyncOptions = {}): Promise<TrackResult> {
    const gray = this.#begin(frame);
    const flow = async (f: FlowOptions) => {
      if (o.pool) await o.pool.opticalFlow(this.flow, this.#prevPyr, this.#nextPyr, f);
      else this.#fk.opticalFlow(this.flow, this.#prevPyr, this.#nextPyr, f);
    };
    let f = this.#flowReady();
    if (f) await flow(f);
    let tracked = this.#fitAfterFlow();
    if ((f = this.#deeper(f, tracked))) {
      await flow(f);
      tracked = this.#fitAfterFlow();
    }
    const inliers = this.#geometry(tracked);
    const kept = this.#keyframeOrRecover(gray, inliers);
    let kp: Keypoints;
    if (o.keypoints) kp = await o.keypoints;
    else if (o.pool) kp = await o.pool.fast(this.keypoints, gray, this.#fastOptions);
    else kp = this.#fk.fast(this.keypoints, gray, this.#fastOptions);
    return this.#end(frame, kp, tracked, kept);
  }

  get #prevPyr(): FlowPyramid {
    return this.#pyr[this.#cur]!;
  }

  get #nextPyr(): FlowPyramid {
    return this.#pyr[1 - this.#cur]!;
  }

  #t0 = 0;
  /** This frame's time per stage so far (the flow and the fit run twice when the flow deepens). */
  #pyramidMs = 0;
  #flowMs = 0;
  #geometryMs = 0;
  /** When the stage being timed began. */
  #t = 0;
  /** Pairs the last fit used (tracked points, in `#src`/`#dst`). */
  #pairs = 0;

  /** Starts a frame: its pyramid (the `next` of this frame's flow). Returns its gray plane. */
  #begin(frame: Frame | PlaneLike): PlaneLike {
    if (this.#disposed) throw new FramekitError('E_STATE', 'Tracker: used after dispose()');
    const isFrame = typeof (frame as Frame).attach === 'function';
    const gray = isFrame ? (frame as Frame).gray() : (frame as PlaneLike);
    this.result.seq++;
    this.result.deepened = false;
    this.#flowMs = this.#geometryMs = 0;
    this.#t0 = now();
    this.#fk.buildFlowPyramid(this.#nextPyr, gray);
    this.#t = now();
    this.#pyramidMs = this.#t - this.#t0;
    return gray;
  }

  /**
   * When there are points to carry from a previous frame: writes their predicted places and returns
   * the flow's options (from the predicted places over the shallower pyramid, or from the points
   * themselves over all of it). Null when there is nothing to track.
   */
  #flowReady(): FlowOptions | null {
    const f = this.flow;
    if (this.result.seq === 0 || f.count === 0) {
      f.count = 0;
      return null;
    }
    if (!this.#predict || !this.#moving) return FROM_PREV;
    this.#guess(this.#motion);
    return this.#shallow ?? FROM_GUESS;
  }

  /**
   * After a shallow flow whose fit keeps fewer than half the points (or none), the options to run it
   * again over every level, from the predicted places written afresh; else null.
   */
  #deeper(o: FlowOptions | null, tracked: number): FlowOptions | null {
    if (o === null || o !== this.#shallow) return null;
    const h = this.homography;
    if (tracked > 0 && h.homography && 2 * h.inliers >= this.flow.count && h.inliers >= MIN_INLIERS) return null;
    this.#guess(this.#motion);
    this.result.deepened = true;
    return FROM_GUESS;
  }

  /** Counts the tracked points and fits the frame-to-frame homography to them; times both. */
  #fitAfterFlow(): number {
    const t1 = now();
    this.#flowMs += t1 - this.#t;
    const f = this.flow;
    let n = 0;
    for (let i = 0; i < f.count; i++) n += f.status[i]!;
    this.#fit(n);
    this.#t = now();
    this.#geometryMs += this.#t - t1;
    return n;
  }

  /** Refills from `kp`, swaps the pyramids, attaches the results and fills in the result record. */
  #end(frame: Frame | PlaneLike, kp: Keypoints, tracked: number, inliers: number): TrackResult {
    this.#replenish(kp);
    const t4 = now();
    const r = this.result;
    const next = this.#nextPyr;
    this.#cur = 1 - this.#cur;
    if (typeof (frame as Frame).attach === 'function') {
      const fr = frame as Frame;
      fr.attach('pyramid', next).attach('keypoints', kp).attach('flow', this.flow);
      if (r.hasPose) fr.attach('pose', this.pose);
    }
    r.keypoints = kp.count;
    r.tracked = tracked;
    r.inliers = inliers;
    r.ms.pyramid = this.#pyramidMs;
    r.ms.flow = this.#flowMs;
    r.ms.geometry = this.#geometryMs;
    r.ms.features = t4 - this.#t;
    r.ms.total = t4 - this.#t0;
    return r;
  }

  /** Puts the tracked pairs in `#src`/`#dst` and fits the frame-to-frame homography to them. */
  #fit(tracked: number): void {
    const f = this.flow;
    const src = this.#src;
    const dst = this.#dst;
    let n = 0;
    for (let i = 0; i < f.count; i++) {
      if (!f.status[i]) continue;
      src[2 * n] = f.prev[2 * i]!;
      src[2 * n + 1] = f.prev[2 * i + 1]!;
      dst[2 * n] = f.next[2 * i]!;
      dst[2 * n + 1] = f.next[2 * i + 1]!;
      n++;
    }
    this.#pairs = n;
    if (tracked > 0) this.#fk.findHomography(this.homography, src, dst, n, { threshold: 2 });
  }

  /**
   * After the last fit: keeps its inliers as the points to carry on (in `flow.prev`, their previous
   * places in `previous`), composes `fromFirst` and the pose. Returns the inlier count (0 when no
   * homography was found: the points carry on unfiltered).
   */
  #geometry(tracked: number): number {
    const t = now();
    const inliers = this.#commit(tracked);
    this.#geometryMs += (this.#t = now()) - t;
    return inliers;
  }

  #commit(tracked: number): number {
    const f = this.flow;
    const src = this.#src;
    const dst = this.#dst;
    const n = this.#pairs;
    this.result.hasPose = false;
    if (tracked === 0) {
      f.count = 0;
      return 0;
    }
    const h = this.homography;
    const H = h.homography;
    let kept = 0;
    for (let i = 0; i < n; i++) {
      if (H && !h.mask[i]) continue;
      this.previous[2 * kept] = src[2 * i]!;
      this.previous[2 * kept + 1] = src[2 * i + 1]!;
      f.prev[2 * kept] = dst[2 * i]!;
      f.prev[2 * kept + 1] = dst[2 * i + 1]!;
      kept++;
    }
    f.count = kept;
    if (!H) {
      this.#moving = false;
      return 0;
    }
    this.#motion.set(H);
    this.#moving = true;
    mat3Mul(H, this.fromFirst, this.fromFirst);
    this.#updatePose();
    return h.inliers;
  }

  /**
   * After the geometry: makes this frame the ORB keyframe when the track holds and the keyframe is
   * due (or there is none), or recovers a lost track against the keyframe. Returns the frame's
   * inlier count (the relocalization's when it recovered the track).
   */
  #keyframeOrRecover(gray: PlaneLike, inliers: number): number {
    const r = this.result;
    r.relocalized = false;
    r.keyframe = false;
    const z = this.#reloc;
    if (!z) return inliers;
    const fk = this.#fk;
    const lost = r.seq > 0 && inliers < MIN_INLIERS;
    if (!lost) {
      if (z.key.seq >= 0 && r.seq - z.key.seq < z.every) return inliers;
      fk.orb(z.key.kp, z.key.desc, z.pyr, gray, { features: z.features });
      z.key.fromFirst.set(this.fromFirst);
      z.key.seq = r.seq;
      r.keyframe = true;
      return inliers;
    }
    if (z.key.seq < 0 || z.key.kp.count < MIN_INLIERS) return inliers;
    fk.orb(z.cur.kp, z.cur.desc, z.pyr, gray, { features: z.features });
    if (z.cur.kp.count < MIN_INLIERS) return inliers;
    const m = fk.match(z.matches, z.cur.desc, z.key.desc, { crossCheck: true, maxDistance: MAX_HAMMING });
    for (let i = 0; i < m.count; i++) {
      const q = m.queryIdx[i]!;
      const t = m.trainIdx[i]!;
      z.from[2 * i] = z.key.kp.x[t]!;
      z.from[2 * i + 1] = z.key.kp.y[t]!;
      z.to[2 * i] = z.cur.kp.x[q]!;
      z.to[2 * i + 1] = z.cur.kp.y[q]!;
    }
    if (m.count < MIN_INLIERS) return inliers;
    const h = fk.findHomography(z.h, z.from, z.to, m.count, { threshold: 3 });
    if (!h.homography || h.inliers < MIN_INLIERS) return inliers;
    // Back on track: first frame -> keyframe -> this frame; the inlier features are the new points.
    mat3Mul(h.homography, z.key.fromFirst, this.fromFirst);
    const f = this.flow;
    f.count = 0;
    for (let i = 0; i < m.count && f.count < this.#target; i++) {
      if (!h.mask[i]) continue;
      const j = f.count++;
      f.prev[2 * j] = this.previous[2 * j] = z.to[2 * i]!;
      f.prev[2 * j + 1] = this.previous[2 * j + 1] = z.to[2 * i + 1]!;
    }
    this.#moving = false;
    this.#updatePose();
    r.relocalized = true;
    return h.inliers;
  }

  /** The pose from `fromFirst`, when intrinsics and the first frame's pose are known. */
  #updatePose(): void {
    if (this.#K && this.#P0) {
      mat3Mul(this.fromFirst, this.#P0, this.#P);
      this.#fk.poseFromHomography(this.pose, this.#P, this.#K);
      this.result.hasPose = true;
    }
  }

  /** Writes each point's predicted place, `M` applied to where it is, to `flow.next`. */
  #guess(M: Mat3): void {
    const f = this.flow;
    for (let i = 0; i < f.count; i++) {
      const x = f.prev[2 * i]!;
      const y = f.prev[2 * i + 1]!;
      const w = M[6]! * x + M[7]! * y + M[8]!;
      const px = (M[0]! * x + M[1]! * y + M[2]!) / w;
      const py = (M[3]! * x + M[4]! * y + M[5]!) / w;
      // A point the motion sends behind the camera or to infinity starts where it is.
      const ok = w > 1e-6 && Number.isFinite(px) && Number.isFinite(py);
      f.next[2 * i] = ok ? px : x;
      f.next[2 * i + 1] = ok ? py : y;
    }
  }

  /**
   * Adds new corners in grid cells no tracked point occupies, until `features` points. FAST lists
   * corners in raster order; a cell takes the first one, which spreads points over the image the
   * way a bucketed detector does.
   */
  #replenish(k: Keypoints): void {
    const f = this.flow;
    const g = this.#grid;
    const gw = this.#gw;
    g.fill(0);
    for (let i = 0; i < f.count; i++) g[((f.prev[2 * i + 1]! / CELL) | 0) * gw + ((f.prev[2 * i]! / CELL) | 0)] = 1;
    const w = this.#width;
    const h = this.#height;
    for (let i = 0; i < k.count && f.count < this.#target; i++) {
      const scale = 1 << k.octave[i]!;
      const x = k.x[i]! * scale;
      const y = k.y[i]! * scale;
      if (!(x >= 0 && x < w && y >= 0 && y < h)) continue;
      const c = ((y / CELL) | 0) * gw + ((x / CELL) | 0);
      if (g[c]) continue;
      g[c] = 1;
      const j = f.count++;
      f.prev[2 * j] = this.previous[2 * j] = x;
      f.prev[2 * j + 1] = this.previous[2 * j + 1] = y;
    }
  }

  /** Scores the estimate against a synthetic frame's ground truth (null for the first frame). */
  errorAgainst(truth: SyntheticFrame, first: SyntheticFrame, width: number, height: number): TruthError | null {
    if (this.result.seq === 0) return null;
    const trueFromFirst = mat3Mul(truth.planeToImage, mat3Invert(first.planeToImage));
    let sum = 0;
    for (const [x, y] of [
      [0, 0],
      [width, 0],
      [0, height],
      [width, height],
    ] as const) {
      const [ax, ay] = mat3Apply(this.fromFirst, x, y);
      const [bx, by] = mat3Apply(trueFromFirst, x, y);
      sum += Math.hypot(ax - bx, ay - by);
    }
    let rotationDeg: number | null = null;
    let translationPct: number | null = null;
    if (this.result.hasPose) {
      const R = this.pose.R;
      const T = truth.pose.R;
      let trace = 0; // trace(R^T T)
      for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) trace += R[j * 3 + i]! * T[j * 3 + i]!;
      rotationDeg = (Math.acos(Math.min(1, Math.max(-1, (trace - 1) / 2))) * 180) / Math.PI;
      const t = truth.pose.t;
      translationPct = (100 * Math.hypot(this.pose.t[0]! - t[0], this.pose.t[1]! - t[1], this.pose.t[2]! - t[2])) / Math.hypot(...t);
    }
    return { cornerPx: sum / 4, rotationDeg, translationPct };
  }

  /** One JSON-ready record of the last frame. Allocates: for output, not the frame loop. */
  toJSON(err: TruthError | null): Record<string, unknown> {
    const r = this.result;
    const ms = Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, +v.toFixed(3)]));
    const round = (a: ArrayLike<number>) => Array.from(a, (v) => +v.toFixed(6));
    const pose = r.hasPose ? { R: round(this.pose.R), t: round(this.pose.t) } : null;
    const e = err && {
      cornerPx: +err.cornerPx.toFixed(3),
      rotationDeg: err.rotationDeg === null ? null : +err.rotationDeg.toFixed(4),
      translationPct: err.translationPct === null ? null : +err.translationPct.toFixed(4),
    };
    return {
      seq: r.seq,
      keypoints: r.keypoints,
      tracked: r.tracked,
      inliers: r.inliers,
      relocalized: r.relocalized,
      keyframe: r.keyframe,
      deepened: r.deepened,
      pose,
      ms,
      ...(e ? { error: e } : {}),
    };
  }

  /** Draws the tracked points (green), their flow from the previous frame (yellow) and the pose axes. */
  draw(c: Canvas, axisLength = 100): void {
    const f = this.flow;
    for (let i = 0; i < f.count; i++) {
      const x = f.prev[2 * i]!;
      const y = f.prev[2 * i + 1]!;
      line(c, this.previous[2 * i]!, this.previous[2 * i + 1]!, x, y, YELLOW);
      dot(c, x, y, GREEN);
    }
    if (this.result.hasPose && this.#K) axes(c, this.#K, this.pose.R, this.pose.t, axisLength);
  }
}
