import type { Keypoints } from '../features/keypoints.js';
import type { Frame } from '../frame/frame.js';
import type { Framekit } from '../framekit.js';
import type { PlaneLike } from '../image/plane.js';
import { dot, GREEN, line, YELLOW, type Canvas } from './annotate.js';
import { mat3Apply, mat3Invert, mat3Mul, type Mat3, type SyntheticFrame } from './synthetic.js';

export interface TrackerOptions {
  width: number;
  height: number;
  /** Points to keep tracked (default 500): FAST corners replenish them when tracking loses some. */
  features?: number;
  /** FAST threshold (default 20). */
  threshold?: number;
  /** Camera intrinsics (row-major 3x3). With them, and a known pose of the first frame, the tracker reports pose. */
  intrinsics?: Mat3 | undefined;
}

/** The stages whose time the tracker reports, in pipeline order. */
export const STAGES = ['features', 'flow', 'geometry'] as const;
export type Stage = (typeof STAGES)[number];

/** What the tracker found in the last frame. One object, reused for every frame: copy what you keep. */
export interface TrackResult {
  seq: number;
  /** Corners detected in this frame. */
  keypoints: number;
  /** Points carried over from the previous frame by optical flow. */
  tracked: number;
  /** Tracked points consistent with the frame-to-frame homography. */
  inliers: number;
  ms: Record<Stage | 'total', number>;
}

export interface TruthError {
  /** Mean distance between the image corners mapped by the estimated and the true homography from frame 0. */
  cornerPx: number;
  rotationDeg: number | null;
  translationPct: number | null;
}

const now = () => performance.now();
/** Side of the grid cells that keep new corners apart from tracked points (pixels). */
const CELL = 16;

/**
 * The tracking pipeline over gray frames: corners (FAST, strongest per grid cell), and, as the
 * flow and geometry kernels join, optical flow of those points to the next frame, the
 * frame-to-frame homography and the pose. Everything it needs is reserved from the arena when it is
 * made; `process` allocates nothing.
 */
export class Tracker {
  readonly keypoints: Keypoints;
  readonly result: TrackResult = { seq: -1, keypoints: 0, tracked: 0, inliers: 0, ms: { features: 0, flow: 0, geometry: 0, total: 0 } };
  /** Current points (x, y) and where they were in the previous frame; `count` of them are valid. */
  readonly points: { x: Float32Array; y: Float32Array; px: Float32Array; py: Float32Array; count: number };
  /** Homography from the first frame to the current one (row-major), while tracking holds. */
  readonly fromFirst: Mat3 = Float64Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1);
  readonly #fk: Framekit;
  readonly #threshold: number;
  readonly #target: number;
  readonly #grid: Uint8Array;
  readonly #gw: number;
  readonly #K: Mat3 | null;

  constructor(fk: Framekit, o: TrackerOptions) {
    this.#fk = fk;
    this.#threshold = o.threshold ?? 20;
    this.#target = o.features ?? 500;
    this.keypoints = fk.allocKeypoints(Math.max(1, this.#target * 16));
    const n = this.#target;
    this.points = { x: new Float32Array(n), y: new Float32Array(n), px: new Float32Array(n), py: new Float32Array(n), count: 0 };
    this.#gw = Math.ceil(o.width / CELL);
    this.#grid = new Uint8Array(this.#gw * Math.ceil(o.height / CELL));
    this.#K = o.intrinsics ?? null;
  }

  /** Runs the pipeline on one frame (its gray plane) and attaches the keypoints to it. */
  process(frame: Frame | PlaneLike): TrackResult {
    const gray = 'gray' in frame && typeof frame.gray === 'function' ? (frame as Frame).gray() : (frame as PlaneLike);
    const r = this.result;
    const t0 = now();
    // Flow and geometry join here when their kernels land; until then no point survives a frame.
    this.points.count = 0;
    const t1 = now();
    const t2 = now();
    this.#fk.fast(this.keypoints, gray, { threshold: this.#threshold, nonmax: true });
    this.#replenish();
    const t3 = now();
    if ('attach' in frame) frame.attach('keypoints', this.keypoints);
    r.seq++;
    r.keypoints = this.keypoints.count;
    r.tracked = 0;
    r.inliers = 0;
    r.ms.flow = t1 - t0;
    r.ms.geometry = t2 - t1;
    r.ms.features = t3 - t2;
    r.ms.total = t3 - t0;
    return r;
  }

  /**
   * Adds the strongest new corners in grid cells no tracked point occupies, until `features` points.
   * FAST returns corners in raster order; a cell takes the first corner above the threshold, which
   * spreads points over the image the way a bucketed detector does.
   */
  #replenish(): void {
    const p = this.points;
    const g = this.#grid;
    g.fill(0);
    for (let i = 0; i < p.count; i++) g[((p.y[i]! / CELL) | 0) * this.#gw + ((p.x[i]! / CELL) | 0)] = 1;
    const k = this.keypoints;
    for (let i = 0; i < k.count && p.count < this.#target; i++) {
      const c = ((k.y[i]! / CELL) | 0) * this.#gw + ((k.x[i]! / CELL) | 0);
      if (g[c]) continue;
      g[c] = 1;
      p.x[p.count] = p.px[p.count] = k.x[i]!;
      p.y[p.count] = p.py[p.count] = k.y[i]!;
      p.count++;
    }
  }

  /** Scores the estimate against a synthetic frame's ground truth (null until the geometry stage runs). */
  errorAgainst(truth: SyntheticFrame, first: SyntheticFrame): TruthError | null {
    if (this.result.seq === 0 || this.result.inliers === 0) return null;
    const trueFromFirst = mat3Mul(truth.planeToImage, mat3Invert(first.planeToImage));
    const K = this.#K;
    let sum = 0;
    const corners: Array<[number, number]> = K ? [[0, 0], [2 * K[2]!, 0], [0, 2 * K[5]!], [2 * K[2]!, 2 * K[5]!]] : [[0, 0]];
    for (const [x, y] of corners) {
      const [ax, ay] = mat3Apply(this.fromFirst, x, y);
      const [bx, by] = mat3Apply(trueFromFirst, x, y);
      sum += Math.hypot(ax - bx, ay - by);
    }
    return { cornerPx: sum / corners.length, rotationDeg: null, translationPct: null };
  }

  /** One JSON-ready record of the last frame. Allocates: for output, not the frame loop. */
  toJSON(err: TruthError | null): Record<string, unknown> {
    const r = this.result;
    const ms = Object.fromEntries(Object.entries(r.ms).map(([k, v]) => [k, +v.toFixed(3)]));
    return { seq: r.seq, keypoints: r.keypoints, tracked: r.tracked, inliers: r.inliers, pose: null, ms, ...(err ? { error: err } : {}) };
  }

  /** Draws keypoints (green) and flow vectors (yellow) of the last frame. */
  draw(c: Canvas): void {
    const p = this.points;
    for (let i = 0; i < p.count; i++) {
      line(c, p.px[i]!, p.py[i]!, p.x[i]!, p.y[i]!, YELLOW);
      dot(c, p.x[i]!, p.y[i]!, GREEN);
    }
  }
}
