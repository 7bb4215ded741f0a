import { FramekitError } from '../../errors.js';
import { checkDescriptors, type Descriptors } from '../../features/descriptors.js';
import { checkMatches, type Matches } from '../../features/matches.js';
import type { KernelContext } from '../../core/context.js';

export interface MatchOptions {
  /** Keep i -> j only when i is also j's nearest query (OpenCV BFMatcher crossCheck; default false). */
  crossCheck?: boolean;
  /** Lowe's ratio test: keep i -> j only when d1 < ratio x d2 (second-nearest); off when omitted. */
  ratio?: number;
  /** Keep only matches at most this far apart (bits; default 256: all). */
  maxDistance?: number;
}

/**
 * Brute-force Hamming matching of `query` against `train` into `out`, as OpenCV's
 * BFMatcher(NORM_HAMMING, crossCheck).match: each query's nearest train descriptor (lowest index on
 * ties), filtered by the options, in query order. Returns `out`; `out.count` is capped by its capacity.
 */
export function matchHamming(ctx: KernelContext, out: Matches, query: Descriptors, train: Descriptors, o: MatchOptions = {}): Matches {
  checkMatches(out, ctx.arena);
  checkDescriptors(query, ctx.arena, 'query');
  checkDescriptors(train, ctx.arena, 'train');
  const ratio = o.ratio;
  if (ratio !== undefined && !(typeof ratio === 'number' && ratio > 0 && ratio <= 1)) {
    throw new FramekitError('E_ARGUMENT', `match: ratio must be a number in (0, 1], got ${String(ratio)}`);
  }
  const maxDistance = o.maxDistance ?? 256;
  if (!Number.isInteger(maxDistance) || maxDistance < 0)
    throw new FramekitError('E_ARGUMENT', `match: maxDistance must be a non-negative integer, got ${String(maxDistance)}`);
  const [na, nb] = [query.count, train.count];
  out.count = 0;
  if (na === 0 || nb === 0) return out;
  const ptr = ctx.scratch.take(4 * (3 * na + 2 * nb));
  ctx.kernels.hamming(query.region.ptr, na, train.region.ptr, nb, ptr);
  const i32 = ctx.heap32;
  const base = ptr >> 2;
  let n = 0;
  for (let i = 0; i < na && n < out.capacity; i++) {
    const j = i32[base + i]!;
    const d1 = i32[base + na + i]!;
    if (j < 0 || d1 > maxDistance) continue;
    if (o.crossCheck && i32[base + 3 * na + j] !== i) continue;
    if (ratio !== undefined && !(d1 < ratio * i32[base + 2 * na + i]!)) continue;
    out.queryIdx[n] = i;
    out.trainIdx[n] = j;
    out.distance[n] = d1;
    n++;
  }
  out.count = n;
  return out;
}
