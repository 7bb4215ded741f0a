import { allocPlane } from '../../image/alloc.js';
import { FramekitError } from '../../errors.js';
import { contextOf, type ContextSource, type KernelContext } from '../../core/context.js';
import { Plane, checkPlane, planesOverlap, type PlaneLike } from '../../image/plane.js';

/** The size OpenCV's pyrDown gives a `width` x `height` image: ((w + 1) / 2, (h + 1) / 2). */
export function pyrDownSize(width: number, height: number): [number, number] {
  return [(width + 1) >> 1, (height + 1) >> 1];
}

/**
 * The checks of one pyramid level (pyrDown has no options: this is its whole plan): both gray,
 * inside the arena, `dst` of pyrDownSize(src), not overlapping.
 */
export function checkPyrDown(ctx: KernelContext, dst: PlaneLike, src: PlaneLike): void {
  if (src.format !== 'gray')
    throw new FramekitError('E_FORMAT', `pyrDown: src must be a gray plane, got ${src.format}`, { format: src.format });
  if (dst.format !== 'gray')
    throw new FramekitError('E_FORMAT', `pyrDown: dst must be a gray plane, got ${dst.format}`, { format: dst.format });
  checkPlane(src, ctx.arena, 'src');
  checkPlane(dst, ctx.arena, 'dst');
  const w = (src.width + 1) >> 1;
  const h = (src.height + 1) >> 1;
  if (dst.width !== w || dst.height !== h) {
    throw new FramekitError(
      'E_DIMENSION',
      `pyrDown: dst must be ${w}x${h} for a ${src.width}x${src.height} src, got ${dst.width}x${dst.height}`,
      {
        expected: [w, h],
        actual: [dst.width, dst.height],
      },
    );
  }
  if (planesOverlap(dst, src)) throw new FramekitError('E_ARGUMENT', 'pyrDown: dst overlaps src');
}

/** pyrDown on planes already checked (`checkPyrDown`). Returns `dst`. */
export function runPyrDown(ctx: KernelContext, dst: PlaneLike, src: PlaneLike): PlaneLike {
  const k = ctx.kernels.pyrDown;
  const bytes = k.scratchBytes(src.width);
  k.run(dst, src, bytes > 0 ? ctx.scratch.take(bytes) : 0);
  return dst;
}

/**
 * One Gaussian pyramid level of a gray plane into `dst`, which must be pyrDownSize(src): bit-exact
 * with OpenCV's `pyrDown(src, dst)` (5x5 [1 4 6 4 1]^2 / 256, BORDER_REFLECT_101). Returns `dst`.
 */
export function pyrDown(ctx: KernelContext, dst: PlaneLike, src: PlaneLike): PlaneLike {
  checkPyrDown(ctx, dst, src);
  return runPyrDown(ctx, dst, src);
}

/**
 * Allocates the planes of an `n`-level pyramid above a `width` x `height` base: level i is the
 * base halved i + 1 times (pyrDownSize). Returns a new array. Allocates arena space: call once per frame slot, at setup.
 */
export function allocPyramid(src: ContextSource, width: number, height: number, n: number): PlaneLike[] {
  if (!Number.isInteger(n) || n < 0 || n > 16)
    throw new FramekitError('E_ARGUMENT', `allocPyramid: levels must be an integer 0..16, got ${String(n)}`);
  const ctx = contextOf(src);
  const out: PlaneLike[] = [];
  let [w, h] = [width, height];
  for (let i = 0; i < n; i++) {
    [w, h] = pyrDownSize(w, h);
    out.push(allocPlane(ctx, w, h, 'gray'));
  }
  return out;
}

/**
 * Fills preallocated pyramid levels above `base`: levels[0] = pyrDown(base), levels[i] =
 * pyrDown(levels[i - 1]), as OpenCV's buildPyramid(base, out, n) without its copy of the base (the
 * base stays where it is: a frame's gray plane). Every level is checked before any is written.
 * Returns `levels`.
 */
export function buildPyramid(src: ContextSource, levels: readonly PlaneLike[], base: PlaneLike): readonly PlaneLike[] {
  const ctx = contextOf(src);
  let prev = base;
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i]!;
    const w = (prev.width + 1) >> 1;
    const h = (prev.height + 1) >> 1;
    if (l.format !== 'gray' || l.width !== w || l.height !== h) {
      throw new FramekitError(
        'E_DIMENSION',
        `buildPyramid: level ${i + 1} must be a ${w}x${h} gray plane, got ${l.width}x${l.height} ${l.format}`,
        { level: i + 1 },
      );
    }
    checkPlane(l, ctx.arena, `levels[${i}]`);
    for (let j = -1; j < i; j++) {
      if (planesOverlap(l, j < 0 ? base : levels[j]!))
        throw new FramekitError('E_ARGUMENT', `buildPyramid: level ${i + 1} overlaps the base or another level`);
    }
    prev = l;
  }
  prev = base;
  for (const l of levels) {
    pyrDown(ctx, l, prev);
    prev = l;
  }
  return levels;
}

/** Arena bytes `n` pyramid levels above a `width` x `height` base take, each level 16-byte aligned and packed. */
export function pyramidBytes(width: number, height: number, n: number): number {
  let bytes = 0;
  let [w, h] = [width, height];
  for (let i = 0; i < n; i++) {
    [w, h] = pyrDownSize(w, h);
    bytes += Math.ceil((w * h) / 16) * 16;
  }
  return bytes;
}

/**
 * Plane objects for `n` pyramid levels laid out in a region the caller already owns (a frame slot's
 * 'pyramid' part, sized with pyramidBytes): packed rows, each level 16-byte aligned. Makes the
 * objects once (call at setup); buildPyramid then fills them every frame without allocating.
 */
export function pyramidPlanes(heap: Uint8Array, ptr: number, width: number, height: number, n: number): Plane[] {
  const out: Plane[] = [];
  let [w, h] = [width, height];
  let p = ptr;
  for (let i = 0; i < n; i++) {
    [w, h] = pyrDownSize(w, h);
    out.push(new Plane(heap, p, w, h, w, 'gray'));
    p += Math.ceil((w * h) / 16) * 16;
  }
  return out;
}
