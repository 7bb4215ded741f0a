import { FramekitError } from '../../errors.js';
import type { Framekit } from '../../framekit.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';
import { scratch } from '../scratch.js';
import { autoKsize } from './coefficients.js';
import { gaussianPlan } from './plan.js';

/** Largest kernel side accepted (OpenCV has no limit; this keeps a call's scratch small). */
export const MAX_GAUSSIAN_KSIZE = 255;

/** Throws unless `dst` and `src` are gray planes of one size inside the arena, distinct unless `inPlace` allows dst === src. */
export function checkGrayPair(fk: Framekit, name: string, dst: PlaneLike, src: PlaneLike, inPlace = false): void {
  if (src.format !== 'gray')
    throw new FramekitError('E_FORMAT', `${name}: src must be a gray plane, got ${src.format}`, { format: src.format });
  if (dst.format !== 'gray')
    throw new FramekitError('E_FORMAT', `${name}: dst must be a gray plane, got ${dst.format}`, { format: dst.format });
  checkPlane(src, fk.arena, 'src');
  checkPlane(dst, fk.arena, 'dst');
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

/**
 * Gaussian blur of a gray plane into `dst` (same size), bit-exact with OpenCV's
 * `GaussianBlur(src, dst, Size(ksize, ksizeY), sigma, sigmaY)` on 8-bit images with the default
 * BORDER_REFLECT_101. As in OpenCV: ksize odd; 0 with sigma > 0 derives it from sigma; sigma <= 0
 * derives sigma from ksize; sigmaY <= 0 means sigma; a side of the image of 1 pixel is not blurred
 * along. Kernel tables are computed once per (ksize, sigma) and cached. Returns `dst`.
 */
export function gaussianBlur(fk: Framekit, dst: PlaneLike, src: PlaneLike, ksize = 5, sigma = 0, ksizeY = ksize, sigmaY = 0): PlaneLike {
  const sy = sigmaY > 0 ? sigmaY : sigma;
  let kw = side('ksize', ksize, sigma);
  let kh = side('ksizeY', ksizeY, sy);
  checkGrayPair(fk, 'gaussianBlur', dst, src);
  if (src.width === 1) kw = 1;
  if (src.height === 1) kh = 1;
  const plan = gaussianPlan(kw, kh, Math.max(sigma, 0), Math.max(sy, 0));
  const k = fk.kernels.gaussian;
  const bytes = k.scratchBytes(src.width, plan);
  k.run(dst, src, plan, bytes > 0 ? scratch(fk, bytes) : 0);
  return dst;
}
