import type { Keypoints } from '../features/keypoints.js';
import type { Framekit } from '../framekit.js';
import type { PlaneLike } from '../image/plane.js';

export interface TrackerOptions {
  width: number;
  height: number;
  /** Most keypoints kept per frame (default 500). */
  features?: number;
  /** FAST threshold (default 20). */
  threshold?: number;
}

/** Milliseconds each stage of the last frame took. */
export interface StageTimes {
  features: number;
  total: number;
}

/** What the tracker found in the last frame. One object, reused for every frame: copy what you keep. */
export interface TrackResult {
  seq: number;
  keypoints: number;
  ms: StageTimes;
}

const now = () => performance.now();

/**
 * The tracking pipeline over gray frames: features now; pyramid, flow and pose as their kernels
 * join. Everything it needs is reserved from the arena when it is made; `process` allocates nothing.
 */
export class Tracker {
  readonly keypoints: Keypoints;
  readonly result: TrackResult = { seq: -1, keypoints: 0, ms: { features: 0, total: 0 } };
  readonly #fk: Framekit;
  readonly #threshold: number;

  constructor(fk: Framekit, o: TrackerOptions) {
    this.#fk = fk;
    this.#threshold = o.threshold ?? 20;
    this.keypoints = fk.allocKeypoints(Math.max(1, (o.features ?? 500) * 8));
  }

  /** Runs the pipeline on one gray frame. */
  process(gray: PlaneLike): TrackResult {
    const r = this.result;
    const t0 = now();
    this.#fk.fast(this.keypoints, gray, { threshold: this.#threshold, nonmax: true });
    const t1 = now();
    r.seq++;
    r.keypoints = this.keypoints.count;
    r.ms.features = t1 - t0;
    r.ms.total = t1 - t0;
    return r;
  }
}
