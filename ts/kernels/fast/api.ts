import { FAST_KEYPOINT_SIZE } from '../../core/formats.js';
import { FramekitError } from '../../errors.js';
import { checkKeypoints, type Keypoints } from '../../features/keypoints.js';
import { checkPlane, type PlaneLike } from '../../image/plane.js';
import type { KernelContext } from '../../core/context.js';

export interface FastOptions {
  /** Intensity difference from the centre a circle pixel must exceed, 0..255 (default 10, as OpenCV). */
  threshold?: number;
  /** Keep only corners whose score beats their 8 neighbours' (default true, as OpenCV). */
  nonmax?: boolean;
}

/** FAST's options, checked and resolved once (`planFast`); reuse it across frames. */
export interface FastPlan {
  threshold: number;
  nonmax: boolean;
}

/**
 * Checks FAST's options and resolves their defaults into `into` (a new plan when omitted: make it
 * once at setup). Allocates nothing when `into` is given. The single-thread call, the worker pool
 * and the GPU chain all check options here.
 */
export function planFast(o: FastOptions = {}, into: FastPlan = { threshold: 10, nonmax: true }): FastPlan {
  const threshold = o.threshold ?? 10;
  if (!Number.isInteger(threshold) || threshold < 0 || threshold > 255) {
    throw new FramekitError('E_ARGUMENT', `fast: threshold must be an integer from 0 to 255, got ${String(threshold)}`, { threshold });
  }
  into.threshold = threshold;
  into.nonmax = o.nonmax ?? true;
  return into;
}

/** The per-call checks: `src` a gray plane and `out` a keypoint list, both inside the arena. */
export function checkFast(ctx: KernelContext, out: Keypoints, src: PlaneLike): void {
  if (src.format !== 'gray')
    throw new FramekitError('E_FORMAT', `fast: src must be a gray plane, got ${src.format}`, { format: src.format });
  checkPlane(src, ctx.arena, 'src');
  checkKeypoints(out, ctx.arena, 'out');
}

/** Fills the fields FAST leaves fixed (size FAST_KEYPOINT_SIZE = 7, angle -1, octave 0) for the first `n` keypoints. */
export function fastFields(out: Keypoints, n: number): void {
  out.angle.fill(-1, 0, n);
  out.size.fill(FAST_KEYPOINT_SIZE, 0, n);
  out.octave.fill(0, 0, n);
}

/** FAST on planes already checked (`checkFast`) with a plan from `planFast`. Returns `out`. */
export function runFast(ctx: KernelContext, plan: FastPlan, out: Keypoints, src: PlaneLike): Keypoints {
  const k = ctx.kernels.fast;
  const ptr = plan.nonmax ? ctx.scratch.take(k.scratchBytes(src.width)) : 0;
  const found = k.run(out, src, plan.threshold, plan.nonmax, ptr);
  out.found = found;
  out.count = Math.min(found, out.capacity);
  fastFields(out, out.count);
  return out;
}

const callPlan: FastPlan = { threshold: 10, nonmax: true };

/**
 * FAST-9 corners of a gray plane into `out`: the same keypoints, in the same order, with the same
 * responses as OpenCV's FastFeatureDetector (TYPE_9_16); size 7, angle -1, octave 0. Returns `out`
 * with `count` set (and `found`, larger when `out.capacity` cut the list).
 */
export function fast(ctx: KernelContext, out: Keypoints, src: PlaneLike, o: FastOptions = {}): Keypoints {
  const plan = planFast(o, callPlan);
  checkFast(ctx, out, src);
  return runFast(ctx, plan, out, src);
}
