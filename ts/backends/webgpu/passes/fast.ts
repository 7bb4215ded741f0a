import { KEYPOINT_BYTES, KEYPOINT_HEADER_BYTES, KEYPOINT_Y_SHIFT } from '../../../core/formats.js';
import { FramekitError } from '../../../errors.js';
import { dispatch, type Dispatch, type GpuPlane } from '../pass.js';
import type { GpuPool } from '../pool.js';

export interface FastOptions {
  /** OpenCV's FAST threshold, 0..255. */
  threshold: number;
  /** 3x3 non-maximum suppression on the score (OpenCV's default: on). */
  nonmax: boolean;
  /** Pyramid level this plane is; stored with each keypoint. */
  level: number;
}

/**
 * shaders/fast.wgsl: FAST-9 scores of a gray plane into `scores` (a u16 plane of the same size), then
 * non-maximum suppression and compaction into `keypoints` with an atomic counter (the list's layout:
 * KEYPOINT_HEADER_BYTES, then KEYPOINT_BYTES a record, in ts/core/formats.ts). Several levels may
 * append to one keypoint buffer; the caller clears its counter once per frame.
 */
export class FastPass {
  readonly #score: Dispatch;
  readonly #compact: Dispatch;
  readonly params: GPUBuffer;

  constructor(pool: GpuPool, keypoints: GPUBuffer, capacity: number, src: GpuPlane, scores: GpuPlane, o: FastOptions) {
    if (!Number.isInteger(o.threshold) || o.threshold < 0 || o.threshold > 255) {
      throw new FramekitError('E_ARGUMENT', `fast pass: threshold must be an integer 0..255, got ${o.threshold}`);
    }
    if (src.format !== 'gray' || scores.format !== 'u16' || scores.width !== src.width || scores.height !== src.height) {
      throw new FramekitError('E_DIMENSION', `fast pass: scores must be a ${src.width}x${src.height} u16 plane`);
    }
    if (src.width >= 1 << KEYPOINT_Y_SHIFT || src.height >= 1 << (32 - KEYPOINT_Y_SHIFT) || o.level > 255)
      throw new FramekitError('E_DIMENSION', 'fast pass: x, y must fit 16 bits and level 8');
    if (keypoints.size < KEYPOINT_HEADER_BYTES + capacity * KEYPOINT_BYTES)
      throw new FramekitError('E_BUFFER_SIZE', 'fast pass: keypoint buffer too small');
    const words = new Uint32Array([
      src.width,
      src.height,
      src.strideWords,
      scores.strideWords,
      o.threshold,
      o.nonmax ? 1 : 0,
      o.level,
      capacity,
    ]);
    this.params = pool.uniform(`fast level ${o.level} params`, words);
    const bindings = ['uniform', 'read', 'write', 'write'] as const;
    const buffers = [this.params, src.buffer, scores.buffer, keypoints];
    this.#score = dispatch(pool, 'fast', 'score', [...bindings], buffers, scores.strideWords, src.height);
    this.#compact = dispatch(pool, 'fast', 'compact', [...bindings], buffers, scores.strideWords, src.height);
  }

  encode(pass: GPUComputePassEncoder): void {
    this.#score.encode(pass);
    this.#compact.encode(pass);
  }
}
