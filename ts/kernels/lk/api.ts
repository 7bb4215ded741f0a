import { pyrDown } from '../pyrdown/api.js';
import { FramekitError } from '../../errors.js';
import { checkFlowPoints, type FlowPoints } from '../../features/flow-points.js';
import { checkPlane, type PlaneLike } from '../../image/plane.js';
import type { KernelContext } from '../../core/context.js';
import { FlowPyramid } from './pyramid.js';
import type { LkParams } from './reference.js';

export interface FlowOptions {
  /** Window side in pixels (default: the pyramid's, 21); at most the pyramid's. */
  win?: number;
  /** Highest level to use, as OpenCV's maxLevel (default: every level both pyramids have). */
  maxLevel?: number;
  /** Iterations per level at most (default 30, as OpenCV's criteria; clamped to 0..100). */
  maxCount?: number;
  /** Stop when a step is shorter than this many pixels (default 0.01; clamped to 0..10). */
  epsilon?: number;
  /** Lose points whose gradient matrix's smaller eigenvalue / window area is below this (default 1e-4). */
  minEigThreshold?: number;
  /** Start from `points.next` instead of `points.prev` (OPTFLOW_USE_INITIAL_FLOW). */
  useInitialFlow?: boolean;
  /** Report the minimum eigenvalue in `err` instead of the window difference (OPTFLOW_LK_GET_MIN_EIGENVALS). */
  minEigenvalsAsError?: boolean;
}

/** Allocates a pyramid for frames `width` x `height` (see FlowPyramid). Call at setup. */
export function allocFlowPyramid(
  ctx: KernelContext,
  width: number,
  height: number,
  o: { maxLevel?: number; win?: number; derivatives?: boolean } = {},
): FlowPyramid {
  // Whole-level derivative images only where the kernel reads them (the reference).
  return new FlowPyramid(ctx.arena, ctx.heap, width, height, {
    ...o,
    derivatives: (o.derivatives ?? true) && ctx.kernels.lk.needsDerivatives,
  });
}

/**
 * Fills `pyr` from a gray frame: level 0 is a copy of `gray`, each level above is pyrDown of the one
 * below (the AssemblyScript kernel, bit-exact with OpenCV), every level padded, and where the
 * pyramid keeps them (the reference backend) each level's Scharr gradients. Returns `pyr`.
 */
export function buildFlowPyramid(ctx: KernelContext, pyr: FlowPyramid, gray: PlaneLike): FlowPyramid {
  if (gray.format !== 'gray') throw new FramekitError('E_FORMAT', `buildFlowPyramid: src must be a gray plane, got ${gray.format}`);
  checkPlane(gray, ctx.arena, 'src');
  if (gray.width !== pyr.width || gray.height !== pyr.height) {
    throw new FramekitError(
      'E_DIMENSION',
      `buildFlowPyramid: the pyramid is for ${pyr.width}x${pyr.height}, src is ${gray.width}x${gray.height}`,
    );
  }
  for (const r of pyr.regions)
    if (!ctx.arena.contains(r.ptr, r.size))
      throw new FramekitError('E_OUT_OF_BOUNDS', 'buildFlowPyramid: the pyramid is not in this arena');
  const k = ctx.kernels.lk;
  const heap = ctx.heap;
  const l0 = pyr.levels[0]!.image;
  for (let y = 0; y < gray.height; y++)
    heap.copyWithin(l0.ptr + y * l0.stride, gray.ptr + y * gray.stride, gray.ptr + y * gray.stride + gray.width);
  pyr.levels.forEach((level, i) => {
    if (i > 0) pyrDown(ctx, level.image, pyr.levels[i - 1]!.image);
    k.pad(level.image, pyr.pad);
    if (pyr.derivatives) k.scharr(level.image, level.deriv, level.derivStride);
  });
  pyr.built = true;
  return pyr;
}

const num = (name: string, v: unknown, min: number, max: number, int: boolean): number => {
  if (typeof v !== 'number' || !Number.isFinite(v) || (int && !Number.isInteger(v)) || v < min || v > max) {
    throw new FramekitError(
      'E_ARGUMENT',
      `opticalFlow: ${name} must be ${int ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(v)}`,
    );
  }
  return v;
};

/** What `opticalFlow` runs, after every check: the top level and the kernel's parameters. */
export interface FlowPlan {
  maxLevel: number;
  params: LkParams;
}

/** Checks `opticalFlow`'s arguments (typed errors) and resolves its options; shared with the worker pool's split. */
export function flowPlan(ctx: KernelContext, points: FlowPoints, prev: FlowPyramid, next: FlowPyramid, o: FlowOptions = {}): FlowPlan {
  checkFlowPoints(points, ctx.arena);
  if (!prev.built || !next.built) throw new FramekitError('E_STATE', 'opticalFlow: build both pyramids (buildFlowPyramid) first');
  if (ctx.kernels.lk.needsDerivatives && !prev.derivatives) {
    throw new FramekitError('E_ARGUMENT', 'opticalFlow: the prev pyramid was made without derivatives');
  }
  if (prev.width !== next.width || prev.height !== next.height)
    throw new FramekitError('E_DIMENSION', 'opticalFlow: prev and next pyramids differ in size');
  const win = num('win', o.win ?? prev.win, 3, Math.min(prev.win, next.win), true);
  const maxLevel = Math.min(num('maxLevel', o.maxLevel ?? 16, 0, 16, true), prev.maxLevel, next.maxLevel);
  const maxCount = Math.min(Math.max(num('maxCount', o.maxCount ?? 30, 0, 1e9, true), 0), 100);
  const epsilon = Math.min(num('epsilon', o.epsilon ?? 0.01, 0, 1e9, false), 10);
  const minEig = num('minEigThreshold', o.minEigThreshold ?? 1e-4, 0, 1e9, false);
  const params: LkParams = {
    win,
    maxCount,
    eps: epsilon * epsilon,
    minEig,
    useInitialFlow: o.useInitialFlow === true,
    minEigErr: o.minEigenvalsAsError === true,
  };
  return { maxLevel, params };
}

/**
 * Pyramidal Lucas-Kanade from `prev` to `next` for `points.prev[0 .. count)`, as OpenCV's
 * calcOpticalFlowPyrLK: writes `points.next`, `points.status` (0 for points lost, outside the
 * image, or not finite numbers) and `points.err`. `prev` needs derivatives. Returns `points`.
 * Float arithmetic, so within tolerances rather than bit for bit: of the points both track, at least
 * 95% land within 0.1 px of OpenCV.js's, and the builds agree within 0.002 px (test/unit/lk.test.ts).
 */
export function opticalFlow(ctx: KernelContext, points: FlowPoints, prev: FlowPyramid, next: FlowPyramid, o: FlowOptions = {}): FlowPoints {
  const { maxLevel, params: p } = flowPlan(ctx, points, prev, next, o);
  points.status.fill(1, 0, points.count);
  const k = ctx.kernels.lk;
  for (let level = maxLevel; level >= 0; level--) k.level(prev.levels[level]!, next.levels[level]!, points, level, maxLevel, p);
  return points;
}
