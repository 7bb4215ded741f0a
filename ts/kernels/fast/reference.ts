import { FAST_ARC, FAST_CIRCLE, FAST_RADIUS } from '../../core/formats.js';
import type { Keypoints } from '../../features/keypoints.js';
import type { PlaneLike } from '../../image/plane.js';

/** True when FAST_ARC (9) contiguous circle pixels (wrapping) are all > v + t, or all < v - t. */
function isCorner(heap: Uint8Array, src: PlaneLike, x: number, y: number, t: number): boolean {
  const v = heap[src.ptr + y * src.stride + x]!;
  for (const sign of [1, -1]) {
    let run = 0;
    for (let k = 0; k < FAST_CIRCLE.length + FAST_ARC - 1; k++) {
      const [dx, dy] = FAST_CIRCLE[k % FAST_CIRCLE.length]!;
      const p = heap[src.ptr + (y + dy) * src.stride + x + dx]!;
      run = sign * (p - v) > t ? run + 1 : 0;
      if (run >= FAST_ARC) return true;
    }
  }
  return false;
}

/**
 * The oracle: FAST-9 by its definition, one pixel at a time. The score is found by its definition
 * too (the largest threshold for which the pixel is still a corner; corner-ness only grows as the
 * threshold falls, so a binary search finds it). With `nonmax`, a corner is kept when its score is
 * greater than each of its 8 neighbours' (0 where no corner); without it, every corner is kept with
 * response 0, as OpenCV reports. Writes up to `out.capacity` keypoints, returns how many it found.
 * Allocates a score map: an oracle, not for the frame loop.
 */
export function fastReference(heap: Uint8Array, out: Keypoints, src: PlaneLike, threshold: number, nonmax: boolean): number {
  const { width: w, height: h } = src;
  const r = FAST_RADIUS;
  const t = Math.min(Math.max(threshold, 0), 255);
  const score = new Int32Array(w * h);
  const corner = new Uint8Array(w * h);
  for (let y = r; y < h - r; y++) {
    for (let x = r; x < w - r; x++) {
      if (!isCorner(heap, src, x, y, t)) continue;
      corner[y * w + x] = 1;
      let lo = t;
      let hi = 255; // isCorner(lo) holds, isCorner(hi) cannot (no pixel differs by more than 255)
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (isCorner(heap, src, x, y, mid)) lo = mid;
        else hi = mid;
      }
      score[y * w + x] = lo;
    }
  }
  let n = 0;
  for (let y = r; y < h - r; y++) {
    for (let x = r; x < w - r; x++) {
      if (!corner[y * w + x]) continue;
      const s = score[y * w + x]!;
      let keep = true;
      if (nonmax) {
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) if ((dx || dy) && s <= score[(y + dy) * w + x + dx]!) keep = false;
      }
      if (!keep) continue;
      if (n < out.capacity) {
        out.x[n] = x;
        out.y[n] = y;
        out.response[n] = nonmax ? s : 0;
      }
      n++;
    }
  }
  return n;
}
