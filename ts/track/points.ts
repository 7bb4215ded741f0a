import type { FlowPoints } from '../features/flow-points.js';
import type { Keypoints } from '../features/keypoints.js';
import type { Mat3 } from './synthetic.js';

/** Side of the grid cells that keep new corners apart from tracked points (pixels). */
export const CELL = 16;

/** Writes each point's predicted place, `M` applied to where it is (`f.prev`), to `f.next`. */
export function predictPoints(f: FlowPoints, M: Mat3): void {
  for (let i = 0; i < f.count; i++) {
    const x = f.prev[2 * i]!;
    const y = f.prev[2 * i + 1]!;
    const w = M[6]! * x + M[7]! * y + M[8]!;
    const px = (M[0]! * x + M[1]! * y + M[2]!) / w;
    const py = (M[3]! * x + M[4]! * y + M[5]!) / w;
    // A point the motion sends behind the camera or to infinity starts where it is.
    const ok = w > 1e-6 && Number.isFinite(px) && Number.isFinite(py);
    f.next[2 * i] = ok ? px : x;
    f.next[2 * i + 1] = ok ? py : y;
  }
}

/** Puts the pairs of the points the flow tracked (status 1) in `src` (before) and `dst` (after). Returns how many. */
export function trackedPairs(f: FlowPoints, src: Float32Array, dst: Float32Array): number {
  let n = 0;
  for (let i = 0; i < f.count; i++) {
    if (!f.status[i]) continue;
    src[2 * n] = f.prev[2 * i]!;
    src[2 * n + 1] = f.prev[2 * i + 1]!;
    dst[2 * n] = f.next[2 * i]!;
    dst[2 * n + 1] = f.next[2 * i + 1]!;
    n++;
  }
  return n;
}

/**
 * Adds new corners from `k` in grid cells no tracked point occupies, until `target` points. FAST
 * lists corners in raster order; a cell takes the first one, which spreads points over the image
 * the way a bucketed detector does. Keypoints of a pyramid level `octave` > 0 are scaled to level 0.
 */
export function refill(
  f: FlowPoints,
  previous: Float32Array,
  target: number,
  k: Keypoints,
  g: Uint8Array,
  gw: number,
  w: number,
  h: number,
): void {
  g.fill(0);
  for (let i = 0; i < f.count; i++) g[((f.prev[2 * i + 1]! / CELL) | 0) * gw + ((f.prev[2 * i]! / CELL) | 0)] = 1;
  for (let i = 0; i < k.count && f.count < target; i++) {
    const scale = 1 << k.octave[i]!;
    const x = k.x[i]! * scale;
    const y = k.y[i]! * scale;
    if (!(x >= 0 && x < w && y >= 0 && y < h)) continue;
    const c = ((y / CELL) | 0) * gw + ((x / CELL) | 0);
    if (g[c]) continue;
    g[c] = 1;
    const j = f.count++;
    f.prev[2 * j] = previous[2 * j] = x;
    f.prev[2 * j + 1] = previous[2 * j + 1] = y;
  }
}
