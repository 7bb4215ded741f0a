import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';
import { autoKsize } from './coefficients.js';
import { gaussianPlan, type GaussianPlan } from './plan.js';

/** Largest kernel side accepted (OpenCV has no limit; this keeps a call's scratch small). */
export const MAX_GAUSSIAN_KSIZE = 255;

/** Throws unless `dst` and `src` are gray planes of one size inside the arena, distinct unless `inPlace` allows dst === src. */
export function checkGrayPair(ctx: KernelContext, name: string, dst: PlaneLike, src: PlaneLike, inPlace = false): void {
  if (src.format !== 'gray')
    throw new FramekitError('E_FORMAT', `${name}: src must be a gray plane, got ${src.format}`, { format: src.format });
  if (dst.format !== 'gray')
    throw new FramekitError('E_FORMAT', `${name}: dst must be a gray plane, got ${dst.format}`, { format: dst.format });
  checkPlane(src, ctx.arena, 'src');
  checkPlane(dst, ctx.arena, 'dst');
  if (dst.width !== src.width || dst.height !== src.height) {
    throw new FramekitError('E_DIMENSION', `${name}: dst is ${dst.width}x${dst.height}, src is ${src.width}x${src.height}`);
  }
  const same = inPlace && dst.ptr === src.ptr && dst.stride === src.stride;
  if (!same && planesOverlap(dst, src)) throw new FramekitError('E_ARGUMENT', `${name}: dst overlaps src`);
}

function side(name: string, ksize: number, sigma: number): number {
  if (!Number.isFinite(sigma))
    throw new FramekitError('E_ARGUMENT', `gaussianBlur: sigma must be a finite number, got ${String(sigma)}`, { sigma });
  const k = ksize <= 0 && sigma > 0 ? autoKsize(sigma) : ksize;
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0 || k > MAX_GAUSSIAN_KSIZE) {
    throw new FramekitError(
      'E_ARGUMENT',
      `gaussianBlur: ${name} must be odd, 1..${MAX_GAUSSIAN_KSIZE} (or 0 with sigma > 0), got ${String(ksize)}`,
      { [name]: ksize, sigma },
    );
  }
  return k;
}

/** A Gaussian blur's options, checked and resolved once (`planGaussian`); reuse it across frames. */
export interface GaussianSpec {
  /** Kernel width and height (odd). */
  kw: number;
  kh: number;
  /** Sigmas as OpenCV takes them (0: derived from the size). */
  sx: number;
  sy: number;
}

/**
 * Checks a blur's options as OpenCV's GaussianBlur takes them and resolves them into `into` (a new
 * spec when omitted: make it once at setup). Allocates nothing when `into` is given. The single-thread
 * call and the worker pool check options here.
 */
export function planGaussian(
  ksize = 5,
  sigma = 0,
  ksizeY = ksize,
  sigmaY = 0,
  into: GaussianSpec = { kw: 1, kh: 1, sx: 0, sy: 0 },
): GaussianSpec {
  const sy = sigmaY > 0 ? sigmaY : sigma;
  into.kw = side('ksize', ksize, sigma);
  into.kh = side('ksizeY', ksizeY, sy);
  into.sx = Math.max(sigma, 0);
  into.sy = Math.max(sy, 0);
  return into;
}

/** The tables for `spec` on a `width` x `height` image (a side of 1 pixel is not blurred along), cached. */
export function gaussianTables(spec: GaussianSpec, width: number, height: number): GaussianPlan {
  return gaussianPlan(width === 1 ? 1 : spec.kw, height === 1 ? 1 : spec.kh, spec.sx, spec.sy);
}

/** The blur on planes already checked (`checkGrayPair`) with a spec from `planGaussian`. Returns `dst`. */
export function runGaussian(ctx: KernelContext, spec: GaussianSpec, dst: PlaneLike, src: PlaneLike): PlaneLike {
  const plan = gaussianTables(spec, src.width, src.height);
  const k = ctx.kernels.gaussian;
  const bytes = k.scratchBytes(src.width, plan);
  k.run(dst, src, plan, bytes > 0 ? ctx.scratch.take(bytes) : 0);
  return dst;
}

const callSpec: GaussianSpec = { kw: 1, kh: 1, sx: 0, sy: 0 };

/**
 * Gaussian blur of a gray plane into `dst` (same size), bit-exact with OpenCV's
 * `GaussianBlur(src, dst, Size(ksize, ksizeY), sigma, sigmaY)` on 8-bit images with the default
 * BORDER_REFLECT_101. As in OpenCV: ksize odd; 0 with sigma > 0 derives it from sigma; sigma <= 0
 * derives sigma from ksize; sigmaY <= 0 means sigma; a side of the image of 1 pixel is not blurred
 * along. Kernel tables are computed once per (ksize, sigma) and cached. Returns `dst`.
 */
export function gaussianBlur(
  ctx: KernelContext,
  dst: PlaneLike,
  src: PlaneLike,
  ksize = 5,
  sigma = 0,
  ksizeY = ksize,
  sigmaY = 0,
): PlaneLike {
  const spec = planGaussian(ksize, sigma, ksizeY, sigmaY, callSpec);
  checkGrayPair(ctx, 'gaussianBlur', dst, src);
  return runGaussian(ctx, spec, dst, src);
}
