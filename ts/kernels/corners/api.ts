import { FramekitError } from '../../errors.js';
import { checkKeypoints, type Keypoints } from '../../features/keypoints.js';
import { checkPlane, type PlaneLike } from '../../image/plane.js';
import type { KernelContext } from '../../core/context.js';

export interface GoodFeaturesOptions {
  /** Keep at most this many corners, strongest first; 0 for no limit (default `out.capacity`). */
  maxCorners?: number;
  /** Drop corners weaker than this fraction of the strongest response, > 0 (default 0.01, as OpenCV). */
  qualityLevel?: number;
  /** Minimum distance between kept corners in pixels, >= 0 (default 10). */
  minDistance?: number;
  /** Side of the window the gradient products are summed over, 1..31 (default 3). */
  blockSize?: number;
  /** Harris response instead of the smaller eigenvalue (Shi-Tomasi) (default false). */
  useHarris?: boolean;
  /** Harris free parameter (default 0.04). */
  k?: number;
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/** Bytes for the grid heads of a w x h image: one int32 per cell, cells at least floor(minDistance) wide. */
function headBytes(w: number, h: number, minDistance: number): number {
  const cell = Math.max(1, Math.floor(minDistance)); // <= select.ts's rounded cell: enough heads
  return align16(4 * (Math.ceil(w / cell) * Math.ceil(h / cell) + 1));
}

/**
 * Strong corners of a gray plane into `out`, as OpenCV's goodFeaturesToTrack (Sobel ksize 3, no
 * mask): the Shi-Tomasi or Harris response (reference.ts), then the selection of select.ts. The
 * response is float arithmetic, within 1e-4 of the largest response of OpenCV's; on the test
 * photographs at least 95% of OpenCV's corners come out at the same index, the rest differing by
 * float ties (test/unit/corners.test.ts), not bit for bit. x, y are pixel positions,
 * `response` the corner's response, size `blockSize`, angle -1, octave 0. Returns `out` with `count`
 * (and `found`, larger when `out.capacity` cut the list). The response and the selection run in
 * WASM (rust/src/corners) when loaded; uses the shared kernel scratch (12 bytes a pixel: the
 * response, candidates, links; then grid heads and the response kernel's rows) and makes four
 * typed-array views of it per call.
 */
export function goodFeaturesToTrack(ctx: KernelContext, out: Keypoints, src: PlaneLike, o: GoodFeaturesOptions = {}): Keypoints {
  const maxCorners = o.maxCorners ?? out.capacity;
  const qualityLevel = o.qualityLevel ?? 0.01;
  const minDistance = o.minDistance ?? 10;
  const blockSize = o.blockSize ?? 3;
  const k = o.k ?? 0.04;
  const bad = (what: string, v: unknown) => {
    throw new FramekitError('E_ARGUMENT', `goodFeaturesToTrack: ${what}, got ${String(v)}`, { [what.split(' ')[0]!]: v });
  };
  if (!Number.isInteger(maxCorners) || maxCorners < 0) bad('maxCorners must be a non-negative integer', maxCorners);
  if (!(qualityLevel > 0) || !Number.isFinite(qualityLevel)) bad('qualityLevel must be a finite number > 0', qualityLevel);
  if (!(minDistance >= 0) || !Number.isFinite(minDistance)) bad('minDistance must be a finite number >= 0', minDistance);
  if (!Number.isInteger(blockSize) || blockSize < 1 || blockSize > 31) bad('blockSize must be an integer from 1 to 31', blockSize);
  if (!Number.isFinite(k)) bad('k must be a finite number', k);
  if (src.format !== 'gray')
    throw new FramekitError('E_FORMAT', `goodFeaturesToTrack: src must be a gray plane, got ${src.format}`, { format: src.format });
  checkPlane(src, ctx.arena, 'src');
  checkKeypoints(out, ctx.arena, 'out');

  const { width: w, height: h } = src;
  const n = w * h;
  const kernel = ctx.kernels.cornerResponse;
  const heads4 = headBytes(w, h, minDistance);
  const base = ctx.scratch.take(3 * align16(4 * n) + heads4 + align16(kernel.scratchBytes(w, blockSize)));
  const buf = ctx.memory.buffer;
  const resp = new Float32Array(buf, base, n);
  const cand = new Int32Array(buf, base + align16(4 * n), n);
  const next = new Int32Array(buf, base + 2 * align16(4 * n), n);
  const heads = new Int32Array(buf, base + 3 * align16(4 * n), heads4 / 4);
  kernel.run(resp, src, blockSize, o.useHarris ? k : null, base + 3 * align16(4 * n) + heads4);
  const found = kernel.select(out, resp, w, h, { maxCorners, qualityLevel, minDistance }, cand, next, heads);
  out.found = found;
  out.count = Math.min(found, out.capacity);
  out.angle.fill(-1, 0, out.count);
  out.size.fill(blockSize, 0, out.count);
  out.octave.fill(0, 0, out.count);
  return out;
}
