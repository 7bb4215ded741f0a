import type { Keypoints } from '../../features/keypoints.js';

export interface SelectOptions {
  /** Keep at most this many corners, strongest first; 0 for no limit (OpenCV's maxCorners <= 0). */
  maxCorners: number;
  /** Corners weaker than qualityLevel times the strongest response are dropped. */
  qualityLevel: number;
  /** Minimum Euclidean distance between kept corners, in pixels. */
  minDistance: number;
}

/**
 * OpenCV's goodFeaturesToTrack selection (imgproc/src/featureselect.cpp) over a response map
 * `resp` (packed, w x h), which it overwrites with the thresholded map:
 *
 *   t = qualityLevel * max(resp); resp[i] = resp[i] > t ? resp[i] : 0      (THRESH_TOZERO)
 *   candidates: 1 <= x < w-1, 1 <= y < h-1, resp != 0, resp == max of its 3x3 neighbourhood (dilate)
 *   sort by response descending; equal responses: the later pixel first (OpenCV's greaterThanPtr
 *     breaks ties by address, descending)
 *   greedy: keep a candidate unless a kept corner lies closer than minDistance, looked up in a grid
 *     of cells round(minDistance) wide (the 3x3 cells around it); stop at maxCorners
 *
 * `cand` and `next` hold w * h int32 each and `heads` one per grid cell (scratch the caller owns):
 * candidates, then kept corners compacted to the front of `cand`, chained per cell through
 * `next`/`heads`. Writes the first `out.capacity` kept corners (x, y, response) into `out` and
 * returns how many were kept. Allocates only the sort's view of `cand`.
 */
export function selectCorners(
  out: Keypoints,
  resp: Float32Array,
  w: number,
  h: number,
  o: SelectOptions,
  cand: Int32Array,
  next: Int32Array,
  heads: Int32Array,
): number {
  const n = w * h;
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (resp[i]! > max) max = resp[i]!;
  const t = max * o.qualityLevel;
  for (let i = 0; i < n; i++) if (!(resp[i]! > t)) resp[i] = 0;

  let total = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const v = resp[i]!;
      if (v === 0) continue;
      let peak = true;
      for (let dy = -w; dy <= w && peak; dy += w) for (let dx = -1; dx <= 1; dx++) if (resp[i + dy + dx]! > v) peak = false;
      if (peak) cand[total++] = i;
    }
  }
  cand.subarray(0, total).sort((p, q) => resp[q]! - resp[p]! || q - p);

  const limit = o.maxCorners > 0 ? o.maxCorners : Infinity;
  let kept = 0;
  if (o.minDistance < 1) {
    kept = Math.min(total, limit);
  } else {
    const cell = roundHalfEven(o.minDistance);
    const gw = Math.floor((w + cell - 1) / cell);
    const gh = Math.floor((h + cell - 1) / cell);
    heads.fill(-1, 0, gw * gh);
    const d2 = o.minDistance * o.minDistance;
    for (let k = 0; k < total && kept < limit; k++) {
      const i = cand[k]!;
      const x = i % w;
      const y = (i - x) / w;
      const cx = Math.floor(x / cell);
      const cy = Math.floor(y / cell);
      let good = true;
      for (let yy = Math.max(0, cy - 1); yy <= Math.min(gh - 1, cy + 1) && good; yy++) {
        for (let xx = Math.max(0, cx - 1); xx <= Math.min(gw - 1, cx + 1) && good; xx++) {
          for (let m = heads[yy * gw + xx]!; m >= 0; m = next[m]!) {
            const j = cand[m]!;
            const dx = x - (j % w);
            const dy = y - Math.floor(j / w);
            if (dx * dx + dy * dy < d2) {
              good = false;
              break;
            }
          }
        }
      }
      if (!good) continue;
      cand[kept] = i; // kept <= k: compacting never overwrites an unread candidate
      next[kept] = heads[cy * gw + cx]!;
      heads[cy * gw + cx] = kept;
      kept++;
    }
  }
  const count = Math.min(kept, out.capacity);
  for (let k = 0; k < count; k++) {
    const i = cand[k]!;
    out.x[k] = i % w;
    out.y[k] = Math.floor(i / w);
    out.response[k] = resp[i]!;
  }
  return kept;
}

/** cvRound: nearest integer, halves to even (lrint in the default rounding mode). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
