import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import type { Arena, Region } from '../../memory/arena.js';
import { DEGENERATE, TOO_FEW_POINTS, type HomographyParams } from './reference.js';

export type HomographyReason = 'too-few-points' | 'degenerate' | 'no-consensus';

export interface HomographyOptions {
  /** Largest reprojection error, in pixels, of an inlier (default 3, as OpenCV's ransacReprojThreshold). */
  threshold?: number;
  /** Probability of having drawn at least one all-inlier sample when RANSAC stops (default 0.995). */
  confidence?: number;
  /** Most RANSAC iterations (default 2000, as OpenCV). */
  maxIters?: number;
  /** Seed of the sampling generator, an integer 0 .. 2^32 - 1: the same seed gives the same result. */
  seed?: number;
  /** Levenberg-Marquardt steps after the least-squares refit on the inliers (default 10; 0: the refit only). */
  refineIters?: number;
  /** Fewer inliers than this gives `null` with reason 'no-consensus' (default 4). */
  minInliers?: number;
  /**
   * The point pairs come best first (by match quality, e.g. Hamming distance): RANSAC draws its
   * samples from the first pairs first, widening to all of them (PROSAC). Default false (uniform).
   */
  sorted?: boolean;
}

const MATRIX = 0; // 9 f64
const ITERS = 72; // u32
const MASK = 80; // capacity bytes

/**
 * Where findHomography writes, in one arena region: the matrix (9 f64, row-major, h33 = 1), one
 * inlier byte per point, and what the last call found. Reused call after call; allocate it at
 * setup with `HomographyResult.alloc(ctx, capacity)`, for up to `capacity` point pairs.
 */
export class HomographyResult {
  readonly capacity: number;
  readonly region: Region;
  /** The matrix's storage; holds the homography only while `homography` is not null. */
  readonly matrix: Float64Array;
  /** One byte per point pair of the last call (its first `count` entries): 1 for an inlier. */
  readonly mask: Uint8Array;
  /** `matrix` when the last call found a homography, else null. */
  homography: Float64Array | null = null;
  /** Why the last call found none, else null. */
  reason: HomographyReason | null = null;
  /** Point pairs of the last call. */
  count = 0;
  inliers = 0;
  /** RANSAC iterations the last call ran. */
  iterations = 0;
  readonly #iters: Uint32Array;
  /** @internal The checked options of the last call, one object reused by every call. */
  readonly params: HomographyParams = {
    threshold: 3,
    confidence: 0.995,
    maxIters: 2000,
    seed: 0,
    refineIters: 10,
    minInliers: 4,
    sorted: false,
  };

  /** Where findHomography writes, for up to `capacity` point pairs. Allocates: call at setup. */
  static alloc(ctx: KernelContext, capacity: number): HomographyResult {
    return new HomographyResult(ctx.arena, ctx.memory, capacity);
  }

  /** Allocates an arena region: call at setup, not per frame. */
  constructor(arena: Arena, memory: WebAssembly.Memory, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) {
      throw new FramekitError('E_ARGUMENT', `homography capacity must be an integer from 1 to ${1 << 24}, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.region = arena.alloc(MASK + capacity, `homography(${capacity})`);
    this.matrix = new Float64Array(memory.buffer, this.region.ptr + MATRIX, 9);
    this.#iters = new Uint32Array(memory.buffer, this.region.ptr + ITERS, 1);
    this.mask = new Uint8Array(memory.buffer, this.region.ptr + MASK, capacity);
  }

  /** @internal Records a kernel's status. */
  settle(count: number, status: number): this {
    this.count = count;
    this.iterations = this.#iters[0]!;
    const found = status >= 0;
    this.homography = found ? this.matrix : null;
    this.inliers = found ? status : 0;
    this.reason = found ? null : status === TOO_FEW_POINTS ? 'too-few-points' : status === DEGENERATE ? 'degenerate' : 'no-consensus';
    return this;
  }
}

const arg = (msg: string, details: Record<string, unknown> = {}) => new FramekitError('E_ARGUMENT', `findHomography: ${msg}`, details);

function intOption(name: string, v: number | undefined, dflt: number, lo: number, hi: number): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < lo || x > hi)
    throw arg(`${name} must be an integer from ${lo} to ${hi}, got ${String(x)}`, { [name]: x });
  return x;
}

/** Checks the options and writes them, defaults filled in, into `p` (reused: no allocation per call). */
function params(o: HomographyOptions, p: HomographyParams): HomographyParams {
  const threshold = o.threshold ?? 3;
  const confidence = o.confidence ?? 0.995;
  if (!(threshold > 0 && threshold < Infinity)) throw arg(`threshold must be a positive number, got ${String(threshold)}`, { threshold });
  if (!(confidence > 0 && confidence <= 1)) throw arg(`confidence must be in (0, 1], got ${String(confidence)}`, { confidence });
  const maxIters = intOption('maxIters', o.maxIters, 2000, 1, 1e6);
  const seed = intOption('seed', o.seed, 0x2545f491, 0, 2 ** 32 - 1);
  const refineIters = intOption('refineIters', o.refineIters, 10, 0, 1000);
  const minInliers = intOption('minInliers', o.minInliers, 4, 0, 1 << 24);
  p.threshold = threshold;
  p.confidence = confidence;
  p.maxIters = maxIters;
  p.seed = seed;
  p.refineIters = refineIters;
  p.minInliers = minInliers;
  const sorted = o.sorted ?? false;
  if (typeof sorted !== 'boolean') throw arg(`sorted must be a boolean, got ${String(sorted)}`, { sorted });
  p.sorted = sorted;
  return p;
}

const NO_OPTIONS: HomographyOptions = Object.freeze({});

/** Throws unless `p` is a Float32Array over this framekit's arena holding `count` finite x, y pairs. */
function checkPoints(ctx: KernelContext, p: Float32Array, count: number, name: string): void {
  if (!(p instanceof Float32Array) || p.buffer !== ctx.memory.buffer || !ctx.arena.contains(p.byteOffset, count * 8)) {
    throw new FramekitError('E_OUT_OF_BOUNDS', `findHomography: ${name} must be a Float32Array over this framekit's arena`);
  }
  if (p.length < 2 * count)
    throw new FramekitError('E_BUFFER_SIZE', `findHomography: ${name} holds ${p.length / 2} points, count is ${count}`);
  for (let i = 0; i < 2 * count; i++)
    if (!Number.isFinite(p[i]!)) throw arg(`${name} point ${i >> 1} is not finite (${p[i]})`, { index: i >> 1 });
}

const overlaps = (a: number, an: number, b: number, bn: number) => a < b + bn && b < a + an;

/**
 * RANSAC homography taking `count` points of `src` to those of `dst` (interleaved x, y f32, in the
 * arena), into `out`: `out.homography` (row-major, h33 = 1) and `out.mask`, or `homography` null
 * with a `reason`. Bad arguments throw typed errors before anything is written.
 */
export function findHomography(
  ctx: KernelContext,
  out: HomographyResult,
  src: Float32Array,
  dst: Float32Array,
  count: number,
  o: HomographyOptions = NO_OPTIONS,
): HomographyResult {
  if (!(out instanceof HomographyResult) || !ctx.arena.contains(out.region.ptr, out.region.size)) {
    throw new FramekitError('E_OUT_OF_BOUNDS', "findHomography: out must come from this framekit's allocHomography()");
  }
  if (!Number.isInteger(count) || count < 0 || count > out.capacity)
    throw arg(`count must be an integer from 0 to ${out.capacity}, got ${String(count)}`, { count });
  const p = params(o, out.params);
  checkPoints(ctx, src, count, 'src');
  checkPoints(ctx, dst, count, 'dst');
  const r = out.region;
  if (overlaps(r.ptr, r.size, src.byteOffset, count * 8) || overlaps(r.ptr, r.size, dst.byteOffset, count * 8))
    throw arg('out overlaps the points');
  const status = ctx.kernels.homography.run(src.byteOffset, dst.byteOffset, count, p, r.ptr + MATRIX, r.ptr + MASK, r.ptr + ITERS);
  return out.settle(count, status);
}
