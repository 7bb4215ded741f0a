import { FramekitError } from '../../errors.js';
import type { Framekit } from '../../framekit.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';
import { scratch } from '../scratch.js';
import { derivPlan } from './kernels.js';

function checkSize(name: string, a: PlaneLike, b: PlaneLike): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new FramekitError('E_DIMENSION', `${name}: planes differ in size (${a.width}x${a.height} and ${b.width}x${b.height})`);
  }
}

function needFormat(name: string, p: PlaneLike, what: string, format: PlaneLike['format']): void {
  if (p.format !== format)
    throw new FramekitError('E_FORMAT', `${name}: ${what} must be a ${format} plane, got ${p.format}`, { format: p.format });
}

/**
 * Derivative of a gray plane into an 'i16' plane of the same size, bit-exact with OpenCV's
 * `Sobel(src, dst, CV_16S, dx, dy, ksize)` (BORDER_REFLECT_101, scale 1, delta 0); ksize -1 is
 * Scharr, as OpenCV's FILTER_SCHARR. Kernels OpenCV rejects throw E_ARGUMENT, and so do the few
 * OpenCV accepts whose sums could saturate int16 (ksize 7 and up, high orders). Returns `dst`.
 */
export function sobel(fk: Framekit, dst: PlaneLike, src: PlaneLike, dx = 1, dy = 0, ksize = 3): PlaneLike {
  const plan = derivPlan(dx, dy, ksize);
  needFormat('sobel', src, 'src', 'gray');
  needFormat('sobel', dst, 'dst', 'i16');
  checkPlane(src, fk.arena, 'src');
  checkPlane(dst, fk.arena, 'dst');
  checkSize('sobel', dst, src);
  if (planesOverlap(dst, src)) throw new FramekitError('E_ARGUMENT', 'sobel: dst overlaps src');
  const k = fk.kernels.sobel;
  const bytes = k.scratchBytes(src.width, plan);
  k.run(dst, src, plan, bytes > 0 ? scratch(fk, bytes) : 0);
  return dst;
}

/** L1 gradient magnitude of two 'i16' derivative planes: dst = saturate_i16(|dx| + |dy|). Returns `dst`. */
export function gradientMagnitude(fk: Framekit, dst: PlaneLike, dx: PlaneLike, dy: PlaneLike): PlaneLike {
  needFormat('gradientMagnitude', dst, 'dst', 'i16');
  needFormat('gradientMagnitude', dx, 'dx', 'i16');
  needFormat('gradientMagnitude', dy, 'dy', 'i16');
  checkPlane(dst, fk.arena, 'dst');
  checkPlane(dx, fk.arena, 'dx');
  checkPlane(dy, fk.arena, 'dy');
  checkSize('gradientMagnitude', dst, dx);
  checkSize('gradientMagnitude', dst, dy);
  if (planesOverlap(dst, dx) || planesOverlap(dst, dy)) throw new FramekitError('E_ARGUMENT', 'gradientMagnitude: dst overlaps an input');
  fk.kernels.sobel.magnitude(dst, dx, dy);
  return dst;
}
