import { FAST_KEYPOINT_SIZE } from '../../core/formats.js';
import { FramekitError } from '../../errors.js';
import { checkKeypoints, type Keypoints } from '../../features/keypoints.js';
import { scratch } from '../../features/scratch.js';
import { checkPlane, type PlaneLike } from '../../image/plane.js';
import type { Framekit } from '../../framekit.js';

export interface FastOptions {
  /** Intensity difference from the centre a circle pixel must exceed, 0..255 (default 10, as OpenCV). */
  threshold?: number;
  /** Keep only corners whose score beats their 8 neighbours' (default true, as OpenCV). */
  nonmax?: boolean;
}

/**
 * FAST-9 corners of a gray plane into `out`: the same keypoints, in the same order, with the same
 * responses as OpenCV's FastFeatureDetector (TYPE_9_16); size 7, angle -1, octave 0. Returns `out`
 * with `count` set (and `found`, larger when `out.capacity` cut the list).
 */
export function fast(fk: Framekit, out: Keypoints, src: PlaneLike, o: FastOptions = {}): Keypoints {
  const threshold = o.threshold ?? 10;
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 255) {
    throw new FramekitError('E_ARGUMENT', `fast: threshold must be an integer from 0 to 255, got ${String(threshold)}`, { threshold });
  }
  if (src.format !== 'gray')
    throw new FramekitError('E_FORMAT', `fast: src must be a gray plane, got ${src.format}`, { format: src.format });
  checkPlane(src, fk.arena, 'src');
  checkKeypoints(out, fk.arena, 'out');
  const k = fk.kernels.fast;
  const nonmax = o.nonmax ?? true;
  const ptr = nonmax ? scratch(fk.arena, k.scratchBytes(src.width)) : 0;
  const found = k.run(out, src, threshold, nonmax, ptr);
  out.found = found;
  out.count = Math.min(found, out.capacity);
  out.angle.fill(-1, 0, out.count);
  out.size.fill(FAST_KEYPOINT_SIZE, 0, out.count);
  out.octave.fill(0, 0, out.count);
  return out;
}
