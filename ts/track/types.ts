import type { FlowPoints } from '../features/flow-points.js';
import type { Keypoints } from '../features/keypoints.js';
import type { HomographyResult } from '../kernels/homography/api.js';
import type { FlowOptions } from '../kernels/lk/api.js';
import type { FlowPyramid } from '../kernels/lk/pyramid.js';
import type { Pose } from '../kernels/pose/api.js';
import type { Relocalizer } from './relocalize.js';
import type { WorkerPool } from '../workers/pool.js';
import type { Mat3 } from './synthetic.js';

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

/** Everything a step works on, reserved by the tracker at setup. */
export interface StepParts {
  flow: FlowPoints;
  homography: HomographyResult;
  pose: Pose;
  pyramids: [FlowPyramid, FlowPyramid];
  src: Float32Array;
  dst: Float32Array;
  target: number;
  width: number;
  height: number;
  intrinsics: Mat3 | null;
  initialPose: Mat3 | null;
  predict: boolean;
  /** Lucas-Kanade's options from predicted places, one level short of the top; null when not used. */
  shallow: FlowOptions | null;
  reloc: Relocalizer | null;
}
