import { allocPlane } from '../../image/alloc.js';
import { fast } from '../fast/api.js';
import { FramekitError, checkDimension } from '../../errors.js';
import { checkDescriptors, type Descriptors } from '../../features/descriptors.js';
import { Keypoints, checkKeypoints } from '../../features/keypoints.js';
import { gaussianPlan } from '../gaussian/plan.js';
import { checkPlane, type PlaneLike } from '../../image/plane.js';
import { contextOf, type ContextSource, type KernelContext } from '../../core/context.js';
import type { Region } from '../../memory/arena.js';

export interface OrbOptions {
  /** Keypoints wanted in all (default 500, as OpenCV's ORB). */
  features?: number;
  /** FAST threshold on every level (default 20). */
  fastThreshold?: number;
}

const EDGE = 31; // OpenCV's edgeThreshold and patchSize
const BLUR = 7; // the descriptors' 7x7 Gaussian, sigma 2

// Ranking compares through a module-level array so that sorting makes no closure per call.
let rank: Float32Array = new Float32Array(0);
const byRank = (a: number, b: number): number => rank[b]! - rank[a]! || a - b;

/**
 * The scale pyramid ORB works on, allocated once for one frame size: `levels` images, level l of
 * size round(w / s^l) x round(h / s^l) (level 0 is the frame itself, not a copy), the candidate
 * list FAST fills per level, and the descriptors' smoothing taps. Only the pixels the descriptors
 * sample are smoothed (rust/src/orb): 0.26 M 7x7 sums for 500 keypoints, where smoothing every
 * level of a 1080p frame, as OpenCV does, is 6.8 M pixels.
 */
export class OrbPyramid {
  readonly width: number;
  readonly height: number;
  readonly scaleFactor: number;
  readonly levels: number;
  /** Levels 1 .. levels-1 (index l - 1). */
  readonly images: PlaneLike[] = [];
  readonly candidates: Keypoints;
  /** Indices for ranking candidates, and a histogram of FAST scores (made once). */
  readonly order: Uint32Array;
  readonly histogram = new Uint32Array(256);
  /** The descriptors' smoothing taps (OpenCV's Q8 7x7 sigma-2 Gaussian, as gaussianBlur uses), in the arena. */
  readonly kernel: Int32Array;
  readonly #regions: Region[] = [];

  /** Allocates every level: call at setup. */
  constructor(ctx: KernelContext, width: number, height: number, o: { levels?: number; scaleFactor?: number } = {}) {
    checkDimension('width', width);
    checkDimension('height', height);
    this.levels = o.levels ?? 8;
    this.scaleFactor = o.scaleFactor ?? 1.2;
    if (!Number.isInteger(this.levels) || this.levels < 1 || this.levels > 32)
      throw new FramekitError('E_ARGUMENT', `levels must be an integer from 1 to 32, got ${String(this.levels)}`);
    if (!(this.scaleFactor > 1 && this.scaleFactor <= 4))
      throw new FramekitError('E_ARGUMENT', `scaleFactor must be in (1, 4], got ${String(this.scaleFactor)}`);
    this.width = width;
    this.height = height;
    const planes: PlaneLike[] = [];
    try {
      for (let l = 0; l < this.levels; l++) {
        const [w, h] = this.levelSize(l);
        if (l > 0) this.images.push(this.#plane(ctx, w, h, planes));
      }
      this.candidates = new Keypoints(ctx.arena, ctx.memory, Math.max(1024, (width * height) >> 3));
      this.#regions.push(this.candidates.region);
      const taps = ctx.arena.alloc(16 * 2, 'orb smoothing taps');
      this.#regions.push(taps);
      this.kernel = new Int32Array(ctx.memory.buffer, taps.ptr, 7);
      this.kernel.set(gaussianPlan(BLUR, BLUR, 2, 2).kx);
    } catch (e) {
      this.free(ctx);
      throw e;
    }
    this.order = new Uint32Array(this.candidates.capacity);
  }

  #plane(ctx: KernelContext, w: number, h: number, planes: PlaneLike[]): PlaneLike {
    const p = allocPlane(ctx, Math.max(w, 1), Math.max(h, 1), 'gray');
    this.#regions.push(p.region!);
    planes.push(p);
    return p;
  }

  /** Size of level l, as OpenCV's ORB: cvRound(w / scale^l) x cvRound(h / scale^l). */
  levelSize(l: number): [number, number] {
    const s = Math.pow(this.scaleFactor, l);
    return [Math.round(this.width / s), Math.round(this.height / s)];
  }

  /** Returns every region to the arena (takes the context, or the Framekit, that allocated it). */
  free(src: ContextSource): void {
    const arena = contextOf(src).arena;
    for (const r of this.#regions.splice(0)) arena.free(r);
  }
}

/** OpenCV's share of `n` features per level: a geometric series in 1 / scaleFactor, the rest on the last. */
export function featuresPerLevel(n: number, levels: number, scaleFactor: number): number[] {
  const factor = 1 / scaleFactor;
  let desired = (n * (1 - factor)) / (1 - Math.pow(factor, levels));
  const out: number[] = [];
  let sum = 0;
  for (let l = 0; l < levels - 1; l++) {
    out.push(Math.round(desired));
    sum += out[l]!;
    desired *= factor;
  }
  out.push(Math.max(n - sum, 0));
  return out;
}

/**
 * retainBest for FAST scores (integers 0..255) without sorting: a histogram finds the boundary
 * score, then one pass keeps every corner at or above it (ties with the last kept included, as
 * OpenCV's retainBest does), in their order. Returns the new n.
 */
function retainBestScores(list: Keypoints, hist: Uint32Array, n: number, keep: number): number {
  if (n <= keep) return n;
  hist.fill(0);
  for (let i = 0; i < n; i++) hist[list.response[i]!]!++;
  let edge = 255;
  for (let above = hist[255]!; above < keep; above += hist[--edge]!);
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (list.response[i]! < edge) continue;
    list.x[m] = list.x[i]!;
    list.y[m] = list.y[i]!;
    list.response[m++] = list.response[i]!;
  }
  return m;
}

/**
 * Keeps the `keep` best of list[0 .. n) by `score` (and every one tied with the last kept, as
 * OpenCV's retainBest does), compacting x, y, response and `score` to the front. Returns the new n.
 */
function retainBest(list: Keypoints, order: Uint32Array, n: number, keep: number, score: Float32Array): number {
  if (n <= keep) return n;
  const idx = order.subarray(0, n);
  for (let i = 0; i < n; i++) idx[i] = i;
  rank = score;
  idx.sort(byRank);
  const edge = score[idx[keep - 1]!]!;
  let m = keep;
  while (m < n && score[idx[m]!]! >= edge) m++;
  idx.subarray(0, m).sort();
  for (let k = 0; k < m; k++) {
    const i = idx[k]!;
    list.x[k] = list.x[i]!;
    list.y[k] = list.y[i]!;
    list.response[k] = list.response[i]!;
    score[k] = score[i]!;
  }
  return m;
}

/**
 * ORB keypoints and 256-bit rBRIEF descriptors of a gray frame, as OpenCV's ORB(features) with its
 * defaults (8 levels, scale 1.2, FAST threshold 20, Harris ranking, edge 31): keypoints in frame
 * coordinates with angle (degrees), octave, size 31 x scale and Harris response, into `out`, and
 * row i of `desc` for keypoint i. Returns `out`. Close to OpenCV.js, not bit for bit: at OpenCV's own
 * keypoints, angles within 0.02 degree and descriptors differing in under 0.5% of bits, at most 4 per
 * descriptor (its ORB smooths its bordered pyramid in place; test/unit/orb.test.ts).
 */
export function orb(ctx: KernelContext, out: Keypoints, desc: Descriptors, pyr: OrbPyramid, src: PlaneLike, o: OrbOptions = {}): Keypoints {
  const features = o.features ?? 500;
  const threshold = o.fastThreshold ?? 20;
  if (!Number.isInteger(features) || features < 1)
    throw new FramekitError('E_ARGUMENT', `orb: features must be a positive integer, got ${String(features)}`);
  if (src.format !== 'gray') throw new FramekitError('E_FORMAT', `orb: src must be a gray plane, got ${src.format}`);
  checkPlane(src, ctx.arena, 'src');
  checkKeypoints(out, ctx.arena, 'out');
  checkDescriptors(desc, ctx.arena, 'desc');
  if (src.width !== pyr.width || src.height !== pyr.height) {
    throw new FramekitError('E_DIMENSION', `orb: the pyramid is for ${pyr.width}x${pyr.height}, src is ${src.width}x${src.height}`);
  }
  const k = ctx.kernels.orb;
  const cand = pyr.candidates;
  const score = cand.size; // Harris responses of the candidates
  const share = featuresPerLevel(features, pyr.levels, pyr.scaleFactor);
  let total = 0;
  let prev = src;
  for (let l = 0; l < pyr.levels; l++) {
    const img = l === 0 ? src : pyr.images[l - 1]!;
    if (l > 0) k.resize(img, prev, ctx.scratch.take(Math.max(16, k.resizeScratchBytes(prev.width, img.width))));
    prev = img;
    const want = Math.min(share[l]!, out.capacity - total, desc.capacity - total);
    if (want <= 0 || img.width <= 2 * EDGE || img.height <= 2 * EDGE) continue;
    // FAST over the level less a border of EDGE - 4: it finds every corner from EDGE - 1 in, so the
    // corners kept (EDGE in) see all their suppression neighbours, exactly as on the whole level.
    const roi = {
      ptr: img.ptr + (EDGE - 4) * img.stride + EDGE - 4,
      width: img.width - 2 * (EDGE - 4),
      height: img.height - 2 * (EDGE - 4),
      stride: img.stride,
      format: 'gray' as const,
    };
    fast(ctx, cand, roi, { threshold });
    // Corners at least EDGE pixels inside the level, as OpenCV's runByImageBorder.
    let n = 0;
    for (let i = 0; i < cand.count; i++) {
      const [x, y] = [cand.x[i]! + EDGE - 4, cand.y[i]! + EDGE - 4];
      if (x < EDGE || y < EDGE || x >= img.width - EDGE || y >= img.height - EDGE) continue;
      cand.x[n] = x;
      cand.y[n] = y;
      cand.response[n++] = cand.response[i]!;
    }
    n = retainBestScores(cand, pyr.histogram, n, 2 * want);
    k.harris(img, cand.ptr('x'), cand.ptr('y'), n, cand.ptr('size'));
    n = Math.min(retainBest(cand, pyr.order, n, want, score), want);
    for (let i = 0; i < n; i++) {
      out.x[total + i] = cand.x[i]!;
      out.y[total + i] = cand.y[i]!;
      out.response[total + i] = score[i]!;
    }
    const at = (f: 'x' | 'y' | 'angle') => out.ptr(f) + 4 * total;
    k.angles(img, at('x'), at('y'), n, at('angle'));
    k.describe(img, at('x'), at('y'), at('angle'), n, pyr.kernel.byteOffset, desc.region.ptr + 32 * total);
    const scale = Math.pow(pyr.scaleFactor, l);
    for (let i = total; i < total + n; i++) {
      out.x[i] = Math.fround(out.x[i]! * scale);
      out.y[i] = Math.fround(out.y[i]! * scale);
      out.size[i] = 31 * scale;
      out.octave[i] = l;
    }
    total += n;
  }
  out.count = out.found = total;
  desc.count = total;
  return out;
}
