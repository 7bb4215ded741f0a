import type { Keypoints } from '../../features/keypoints.js';
import type { PlaneLike } from '../../image/plane.js';

/** The 16-pixel circle of radius 3 as [dx, dy], in OpenCV's order (fast.cpp offsets16). */
const CIRCLE = [
  [0, 3],
  [1, 3],
  [2, 2],
  [3, 1],
  [3, 0],
  [3, -1],
  [2, -2],
  [1, -3],
  [0, -3],
  [-1, -3],
  [-2, -2],
  [-3, -1],
  [-3, 0],
  [-3, 1],
  [-2, 2],
  [-1, 3],
] as const;

/** True when 9 contiguous circle pixels (wrapping) are all > v + t, or all < v - t. */
function isCorner(heap: Uint8Array, src: PlaneLike, x: number, y: number, t: number): boolean {
  const v = heap[src.ptr + y * src.stride + x]!;
  for (const sign of [1, -1]) {
    let run = 0;
    for (let k = 0; k < 16 + 8; k++) {
      const [dx, dy] = CIRCLE[k % 16]!;
      const p = heap[src.ptr + (y + dy) * src.stride + x + dx]!;
      run = sign * (p - v) > t ? run + 1 : 0;
      if (run >= 9) return true;
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
  const t = Math.min(Math.max(threshold, 0), 255);
  const score = new Int32Array(w * h);
  const corner = new Uint8Array(w * h);
  for (let y = 3; y < h - 3; y++) {
    for (let x = 3; x < w - 3; x++) {
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
  for (let y = 3; y < h - 3; y++) {
    for (let x = 3; x < w - 3; x++) {
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
