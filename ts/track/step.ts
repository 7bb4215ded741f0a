import type { KernelContext } from '../core/context.js';
import type { FlowPoints } from '../features/flow-points.js';
import type { Keypoints } from '../features/keypoints.js';
import type { Frame } from '../frame/frame.js';
import type { PlaneLike } from '../image/plane.js';
import { findHomography } from '../kernels/homography/api.js';
import { buildFlowPyramid, type FlowOptions } from '../kernels/lk/api.js';
import type { FlowPyramid } from '../kernels/lk/pyramid.js';
import { poseFromHomography } from '../kernels/pose/api.js';
import { FramekitError } from '../errors.js';
import { MIN_INLIERS } from './relocalize.js';
import { CELL, predictPoints, refill, trackedPairs } from './points.js';
import { mat3Mul, type Mat3 } from './synthetic.js';
import type { StepParts, TrackResult } from './types.js';

/** What a step asks its runner for next (see FrameStep). */
export const DONE = 0;
/** Lucas-Kanade of `flow` from `prevPyramid` to `nextPyramid` with `flowOptions`. */
export const NEED_FLOW = 1;
/** Corners of `gray` for the refill, handed back in `corners`. */
export const NEED_CORNERS = 2;

const now = () => performance.now();
/** Lucas-Kanade's options, made once: start from the predicted places, or from the points themselves. */
const FROM_GUESS: FlowOptions = Object.freeze({ useInitialFlow: true });
const FROM_PREV: FlowOptions = Object.freeze({});
const FIT = Object.freeze({ threshold: 2 });

/**
 * One frame of tracking as a resumable sequence, the same for `process` and `processAsync`: `start`
 * and `next` run every part that needs no kernel runner, and return what they need run next
 * (NEED_FLOW, NEED_CORNERS) or DONE. The caller runs it (on this thread, on a worker pool, from a
 * GPU chain's output), synchronously or not, then calls `next`. Holds no per-frame allocation.
 */
export class FrameStep {
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
  readonly flow: FlowPoints;
  readonly target: number;
  /** For NEED_FLOW: the options to run it with. */
  flowOptions: FlowOptions = FROM_PREV;
  /** For NEED_CORNERS: the frame's gray plane; the runner puts the corners found in `corners`. */
  gray: PlaneLike | null = null;
  corners: Keypoints | null = null;

  readonly #ctx: KernelContext;
  readonly #p: StepParts;
  readonly #grid: Uint8Array;
  readonly #gw: number;
  readonly #P: Mat3 = new Float64Array(9);
  /** The last frame-to-frame homography, when `#moving` (the last frame had one). */
  readonly #motion: Mat3 = new Float64Array(9);
  #moving = false;
  #cur = 0;
  /** Where the sequence is: 0 idle, 1 after the first flow, 2 after the deeper flow, 3 after the corners. */
  #phase = 0;
  #frame: Frame | PlaneLike | null = null;
  #firstFlow: FlowOptions | null = null;
  #tracked = 0;
  #inliers = 0;
  #t0 = 0;
  /** This frame's time per stage so far (the flow and the fit run twice when the flow deepens). */
  #pyramidMs = 0;
  #flowMs = 0;
  #geometryMs = 0;
  /** When the stage being timed began. */
  #t = 0;
  /** Pairs the last fit used (tracked points, in `src`/`dst`). */
  #pairs = 0;

  constructor(ctx: KernelContext, parts: StepParts) {
    this.#ctx = ctx;
    this.#p = parts;
    this.flow = parts.flow;
    this.target = parts.target;
    this.previous = new Float32Array(2 * parts.target);
    this.#gw = Math.ceil(parts.width / CELL);
    this.#grid = new Uint8Array(this.#gw * Math.ceil(parts.height / CELL));
  }

  get prevPyramid(): FlowPyramid {
    return this.#p.pyramids[this.#cur]!;
  }

  get nextPyramid(): FlowPyramid {
    return this.#p.pyramids[1 - this.#cur]!;
  }

  /** Starts a frame: its pyramid (the `next` of this frame's flow), then as far as the first need. */
  start(frame: Frame | PlaneLike): number {
    const isFrame = typeof (frame as Frame).attach === 'function';
    const gray = isFrame ? (frame as Frame).gray() : (frame as PlaneLike);
    this.#frame = frame;
    this.gray = gray;
    this.corners = null;
    this.result.seq++;
    this.result.deepened = false;
    this.#flowMs = this.#geometryMs = 0;
    this.#t0 = now();
    buildFlowPyramid(this.#ctx, this.nextPyramid, gray);
    this.#t = now();
    this.#pyramidMs = this.#t - this.#t0;
    const o = (this.#firstFlow = this.#flowReady());
    if (o) return this.#need(1, NEED_FLOW, o);
    return this.#afterFirstFlow();
  }

  /** Goes on after the runner did what the last call asked for. */
  next(): number {
    switch (this.#phase) {
      case 1:
        return this.#afterFirstFlow();
      case 2:
        this.#tracked = this.#fitAfterFlow();
        return this.#toCorners();
      case 3:
        this.#phase = 0;
        this.#end();
        return DONE;
      default:
        return DONE;
    }
  }

  #need(phase: number, need: number, o: FlowOptions = this.flowOptions): number {
    this.#phase = phase;
    this.flowOptions = o;
    return need;
  }

  #afterFirstFlow(): number {
    const tracked = (this.#tracked = this.#fitAfterFlow());
    const o = this.#deeper(this.#firstFlow, tracked);
    if (o) return this.#need(2, NEED_FLOW, o);
    return this.#toCorners();
  }

  #toCorners(): number {
    const t = now();
    const inliers = this.#commit(this.#tracked);
    this.#geometryMs += (this.#t = now()) - t;
    this.#inliers = this.#keyframeOrRecover(this.gray!, inliers);
    return this.#need(3, NEED_CORNERS);
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
    if (!this.#p.predict || !this.#moving) return FROM_PREV;
    predictPoints(this.flow, this.#motion);
    return this.#p.shallow ?? FROM_GUESS;
  }

  /**
   * After a shallow flow whose fit keeps fewer than half the points (or none), the options to run it
   * again over every level, from the predicted places written afresh; else null.
   */
  #deeper(o: FlowOptions | null, tracked: number): FlowOptions | null {
    if (o === null || o !== this.#p.shallow) return null;
    const h = this.#p.homography;
    if (tracked > 0 && h.homography && 2 * h.inliers >= this.flow.count && h.inliers >= MIN_INLIERS) return null;
    predictPoints(this.flow, this.#motion);
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

  /** Refills from the corners, swaps the pyramids, attaches the results and fills in the result record. */
  #end(): void {
    const kp = this.corners!;
    const frame = this.#frame!;
    refill(this.flow, this.previous, this.target, kp, this.#grid, this.#gw, this.#p.width, this.#p.height);
    const t4 = now();
    const r = this.result;
    const next = this.nextPyramid;
    this.#cur = 1 - this.#cur;
    if (typeof (frame as Frame).attach === 'function') {
      const fr = frame as Frame;
      fr.attach('pyramid', next).attach('keypoints', kp).attach('flow', this.flow);
      if (r.hasPose) fr.attach('pose', this.#p.pose);
    }
    r.keypoints = kp.count;
    r.tracked = this.#tracked;
    r.inliers = this.#inliers;
    r.ms.pyramid = this.#pyramidMs;
    r.ms.flow = this.#flowMs;
    r.ms.geometry = this.#geometryMs;
    r.ms.features = t4 - this.#t;
    r.ms.total = t4 - this.#t0;
    this.#frame = null;
  }

  /** Puts the tracked pairs in `src`/`dst` and fits the frame-to-frame homography to them. */
  #fit(tracked: number): void {
    const { src, dst } = this.#p;
    const n = (this.#pairs = trackedPairs(this.flow, src, dst));
    if (tracked > 0) findHomography(this.#ctx, this.#p.homography, src, dst, n, FIT);
  }

  /**
   * After the last fit: keeps its inliers as the points to carry on (in `flow.prev`, their previous
   * places in `previous`), composes `fromFirst` and the pose. Returns the inlier count (0 when no
   * homography was found: the points carry on unfiltered).
   */
  #commit(tracked: number): number {
    const f = this.flow;
    const { src, dst } = this.#p;
    const n = this.#pairs;
    this.result.hasPose = false;
    if (tracked === 0) {
      f.count = 0;
      return 0;
    }
    const h = this.#p.homography;
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
    const z = this.#p.reloc;
    if (!z) return inliers;
    const lost = r.seq > 0 && inliers < MIN_INLIERS;
    if (!lost) {
      r.keyframe = z.keyframeIfDue(gray, r.seq, this.fromFirst);
      return inliers;
    }
    const n = z.recover(gray, this);
    if (n < 0) return inliers;
    this.#moving = false;
    this.#updatePose();
    r.relocalized = true;
    return n;
  }

  /** The pose from `fromFirst`, when intrinsics and the first frame's pose are known. */
  #updatePose(): void {
    const { intrinsics: K, initialPose: P0 } = this.#p;
    if (K && P0) {
      mat3Mul(this.fromFirst, P0, this.#P);
      try {
        poseFromHomography(this.#ctx, this.#p.pose, this.#P, K);
        this.result.hasPose = true;
      } catch (e) {
        // A composed homography that went singular or non-finite gives no pose for this frame; the
        // track goes on (points, flow and relocalization do not need it) instead of ending the run.
        if (!(e instanceof FramekitError) || e.code !== 'E_ARGUMENT') throw e;
        this.result.hasPose = false;
      }
    }
  }
}
