import type { FlowPoints } from '../features/flow-points.js';
import type { Pose } from '../kernels/pose/api.js';
import { axes, dot, GREEN, line, YELLOW, type Canvas } from './annotate.js';
import { mat3Apply, mat3Invert, mat3Mul, type Mat3, type SyntheticFrame } from './synthetic.js';
import type { TrackResult, TruthError } from './types.js';

/** What reporting and drawing read of a tracker: its last result, map, pose and points. */
export interface TrackView {
  readonly result: Readonly<TrackResult>;
  readonly fromFirst: Mat3;
  readonly pose: Pose;
  readonly flow: FlowPoints;
  readonly previous: Float32Array;
  /** The camera intrinsics the tracker was given, or null. */
  readonly intrinsics: Mat3 | null;
}

/** Scores the estimate against a synthetic frame's ground truth (null for the first frame). */
export function truthError(v: TrackView, truth: SyntheticFrame, first: SyntheticFrame, width: number, height: number): TruthError | null {
  if (v.result.seq === 0) return null;
  const trueFromFirst = mat3Mul(truth.planeToImage, mat3Invert(first.planeToImage));
  let sum = 0;
  for (const [x, y] of [
    [0, 0],
    [width, 0],
    [0, height],
    [width, height],
  ] as const) {
    const [ax, ay] = mat3Apply(v.fromFirst, x, y);
    const [bx, by] = mat3Apply(trueFromFirst, x, y);
    sum += Math.hypot(ax - bx, ay - by);
  }
  let rotationDeg: number | null = null;
  let translationPct: number | null = null;
  if (v.result.hasPose) {
    const R = v.pose.R;
    const T = truth.pose.R;
    let trace = 0; // trace(R^T T)
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) trace += R[j * 3 + i]! * T[j * 3 + i]!;
    rotationDeg = (Math.acos(Math.min(1, Math.max(-1, (trace - 1) / 2))) * 180) / Math.PI;
    const t = truth.pose.t;
    translationPct = (100 * Math.hypot(v.pose.t[0]! - t[0], v.pose.t[1]! - t[1], v.pose.t[2]! - t[2])) / Math.hypot(...t);
  }
  return { cornerPx: sum / 4, rotationDeg, translationPct };
}

/** One JSON-ready record of the last frame. Allocates: for output, not the frame loop. */
export function trackRecord(v: TrackView, err: TruthError | null): Record<string, unknown> {
  const r = v.result;
  const ms = Object.fromEntries(Object.entries(r.ms).map(([k, x]) => [k, +x.toFixed(3)]));
  const round = (a: ArrayLike<number>) => Array.from(a, (x) => +x.toFixed(6));
  const pose = r.hasPose ? { R: round(v.pose.R), t: round(v.pose.t) } : null;
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
export function drawTrack(c: Canvas, v: TrackView, axisLength = 100): void {
  const f = v.flow;
  for (let i = 0; i < f.count; i++) {
    const x = f.prev[2 * i]!;
    const y = f.prev[2 * i + 1]!;
    line(c, v.previous[2 * i]!, v.previous[2 * i + 1]!, x, y, YELLOW);
    dot(c, x, y, GREEN);
  }
  if (v.result.hasPose && v.intrinsics) axes(c, v.intrinsics, v.pose.R, v.pose.t, axisLength);
}
