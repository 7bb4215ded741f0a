import { contextOf, type ContextSource, type KernelContext } from '../core/context.js';
import { FramekitError } from '../errors.js';
import { FlowPoints } from '../features/flow-points.js';
import { Keypoints } from '../features/keypoints.js';
import { allocPoints, freePoints } from '../features/points.js';
import type { Frame } from '../frame/frame.js';
import type { PlaneLike } from '../image/plane.js';
import { checkFast, planFast, runFast, type FastPlan } from '../kernels/fast/api.js';
import { HomographyResult } from '../kernels/homography/api.js';
import { allocFlowPyramid, opticalFlow } from '../kernels/lk/api.js';
import type { FlowPyramid } from '../kernels/lk/pyramid.js';
import { Pose } from '../kernels/pose/api.js';
import type { Canvas } from './annotate.js';
import { MIN_INLIERS, Relocalizer } from './relocalize.js';
import { drawTrack, trackRecord, truthError, type TrackView } from './report.js';
import { DONE, FrameStep, NEED_FLOW } from './step.js';
import type { Mat3, SyntheticFrame } from './synthetic.js';
import type { TrackAsyncOptions, TrackerOptions, TrackResult, TruthError } from './types.js';

export { STAGES, type Stage, type TrackAsyncOptions, type TrackerOptions, type TrackResult, type TruthError } from './types.js';

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
export class Tracker implements TrackView {
  readonly keypoints: Keypoints;
  readonly flow: FlowPoints;
  readonly homography: HomographyResult;
  readonly pose: Pose;
  /** What the tracker found in the last frame (one object, reused). */
  readonly result: TrackResult;
  /** Homography from the first frame to the current one (row-major), composed frame by frame. */
  readonly fromFirst: Mat3;
  /** Where the current points were in the previous frame (x, y pairs; for drawing flow vectors). */
  readonly previous: Float32Array;
  readonly intrinsics: Mat3 | null;
  readonly #ctx: KernelContext;
  /** FAST's options, checked once (no object per frame). */
  readonly #fast: FastPlan;
  readonly #pyr: [FlowPyramid, FlowPyramid];
  readonly #src: Float32Array;
  readonly #dst: Float32Array;
  readonly #reloc: Relocalizer | null;
  readonly #step: FrameStep;
  #disposed = false;

  /** Reserves everything from the arena of `src` (a Framekit or its kernel context): call at setup. */
  constructor(src: ContextSource, o: TrackerOptions) {
    const ctx = (this.#ctx = contextOf(src));
    this.#fast = planFast({ threshold: o.threshold ?? 20, nonmax: true });
    const n = o.features ?? 500;
    this.keypoints = Keypoints.alloc(ctx, Math.max(1, n * 16));
    this.flow = FlowPoints.alloc(ctx, n);
    this.homography = HomographyResult.alloc(ctx, n);
    this.pose = Pose.alloc(ctx);
    const pyr = { win: o.win ?? 21, maxLevel: o.levels ?? 3 };
    this.#pyr = [allocFlowPyramid(ctx, o.width, o.height, pyr), allocFlowPyramid(ctx, o.width, o.height, pyr)];
    this.#src = allocPoints(ctx, n);
    this.#dst = allocPoints(ctx, n);
    this.intrinsics = o.intrinsics ?? null;
    const every = o.keyframeEvery ?? 30;
    if (!Number.isInteger(every) || every < 1)
      throw new FramekitError('E_ARGUMENT', `keyframeEvery must be a positive integer, got ${String(every)}`);
    const m = o.orbFeatures ?? Math.max(n, 100);
    if (!Number.isInteger(m) || m < MIN_INLIERS)
      throw new FramekitError('E_ARGUMENT', `orbFeatures must be an integer >= ${MIN_INLIERS}, got ${String(m)}`);
    this.#reloc = (o.relocalize ?? true) ? new Relocalizer(ctx, o.width, o.height, every, m) : null;
    this.#step = new FrameStep(ctx, {
      flow: this.flow,
      homography: this.homography,
      pose: this.pose,
      pyramids: this.#pyr,
      src: this.#src,
      dst: this.#dst,
      target: n,
      width: o.width,
      height: o.height,
      intrinsics: this.intrinsics,
      initialPose: o.initialPose ?? null,
      predict: o.predict ?? true,
      shallow: (o.shallowFirst ?? true) && pyr.maxLevel > 0 ? Object.freeze({ useInitialFlow: true, maxLevel: pyr.maxLevel - 1 }) : null,
      reloc: this.#reloc,
    });
    this.result = this.#step.result;
    this.fromFirst = this.#step.fromFirst;
    this.previous = this.#step.previous;
  }

  /**
   * Returns everything the tracker reserved to the arena (points, pyramids, keypoints, keyframe
   * features). The tracker, and the results it attached to frames, must not be used afterwards:
   * `process` then throws E_STATE. Calling it twice does nothing more.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const ctx = this.#ctx;
    for (const r of [this.keypoints.region, this.flow.region, this.homography.region, this.pose.region]) ctx.arena.free(r);
    for (const p of this.#pyr) for (const r of p.regions) ctx.arena.free(r);
    freePoints(ctx, this.#src);
    freePoints(ctx, this.#dst);
    this.#reloc?.free();
  }

  /** Runs the pipeline on one frame, on this thread, and attaches keypoints, pyramid, flow and pose to it. */
  process(frame: Frame | PlaneLike): TrackResult {
    const s = this.#begin();
    const ctx = this.#ctx;
    for (let need = s.start(frame); need !== DONE; need = s.next()) {
      if (need === NEED_FLOW) opticalFlow(ctx, s.flow, s.prevPyramid, s.nextPyramid, s.flowOptions);
      else s.corners = this.#corners(s.gray!);
    }
    return s.result;
  }

  /**
   * `process`, with parts of the work elsewhere: Lucas-Kanade and FAST split across `pool`'s workers
   * (the same points and corners as on this thread), and/or the refill corners taken from
   * `keypoints` (for example a WebGPU keypoint chain's output for this very frame, awaited only
   * when the refill needs it, so the GPU works while this thread tracks). Keypoints of a pyramid
   * level `octave` > 0 are scaled to level 0. Resolves to the same result object as `process`.
   */
  async processAsync(frame: Frame | PlaneLike, o: TrackAsyncOptions = {}): Promise<TrackResult> {
    const s = this.#begin();
    const ctx = this.#ctx;
    const pool = o.pool;
    for (let need = s.start(frame); need !== DONE; need = s.next()) {
      if (need === NEED_FLOW) {
        if (pool) await pool.opticalFlow(s.flow, s.prevPyramid, s.nextPyramid, s.flowOptions);
        else opticalFlow(ctx, s.flow, s.prevPyramid, s.nextPyramid, s.flowOptions);
      } else if (o.keypoints) s.corners = await o.keypoints;
      else if (pool) s.corners = await pool.fast(this.keypoints, s.gray!, this.#fast);
      else s.corners = this.#corners(s.gray!);
    }
    return s.result;
  }

  #begin(): FrameStep {
    if (this.#disposed) throw new FramekitError('E_STATE', 'Tracker: used after dispose()');
    return this.#step;
  }

  /** FAST on this thread with the options checked at creation. */
  #corners(gray: PlaneLike): Keypoints {
    checkFast(this.#ctx, this.keypoints, gray);
    return runFast(this.#ctx, this.#fast, this.keypoints, gray);
  }

  /** Scores the estimate against a synthetic frame's ground truth (null for the first frame). */
  errorAgainst(truth: SyntheticFrame, first: SyntheticFrame, width: number, height: number): TruthError | null {
    return truthError(this, truth, first, width, height);
  }

  /** One JSON-ready record of the last frame. Allocates: for output, not the frame loop. */
  toJSON(err: TruthError | null): Record<string, unknown> {
    return trackRecord(this, err);
  }

  /** Draws the tracked points (green), their flow from the previous frame (yellow) and the pose axes. */
  draw(c: Canvas, axisLength = 100): void {
    drawTrack(c, this, axisLength);
  }
}
