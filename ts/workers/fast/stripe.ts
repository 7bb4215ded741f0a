import { CTL } from '../control.js';
import { arg, type StripeKernel } from '../stripe.js';

/** Rows of halo FAST-9 with non-maximum suppression needs on each side: 3 for the circle, 1 for the 3x3 suppression. */
export const FAST_HALO = 4;

/** Keypoints one stripe's output segment holds: the caller's capacity plus a row of halo corners on each side. */
export function fastSegmentCapacity(capacity: number, width: number): number {
  return capacity + 2 * width + 16;
}

/**
 * FAST-9 (rust/src/fast) over output rows [y0, y1), into this stripe's own segment of x, y, response
 * arrays; the pool concatenates the segments in stripe order, which is the whole-image row order.
 *
 *   ys = max(0, y0 - 4), ye = min(height, y1 + 4)
 *   detect on rows [ys, ye) as an image of their own      corners on rows ys+3 .. ye-4
 *   keep the corners on rows [y0, y1), y += ys, in place  drop the one halo row each side
 *
 * The sub-image detects rows ys+3 .. ye-4, which include y0-1 and y1 (or stop where the image's own
 * rows 3 .. height-4 stop, as the whole-image call does), so the suppression of every row in
 * [y0, y1) sees the same neighbour scores as the whole-image call: the same corners, same responses.
 * A segment holds `fastSegmentCapacity()`: if the detector finds more, the halo rows can take at
 * most 2 x width of them, so the segment still holds more kept corners than the caller's capacity,
 * and only `found` (flagged) needs counting again. Arguments: src, srcStride, width, threshold,
 * nonmax, segments (byte offset), segment capacity, counts (byte offset of 2 int32 per stripe).
 */
export const fastStripe: StripeKernel = (c, y0, y1) => {
  const [src, ss, w, t, nms, segs, cap, counts] = [arg(c, 0), arg(c, 1), arg(c, 2), arg(c, 3), arg(c, 4), arg(c, 5), arg(c, 6), arg(c, 7)];
  const height = c.ctl[CTL.HEIGHT]!;
  const s = Math.floor(y0 / c.ctl[CTL.ROWS]!);
  const ys = Math.max(0, y0 - FAST_HALO);
  const ye = Math.min(height, y1 + FAST_HALO);
  const bx = segs + s * cap * 12;
  const by = bx + cap * 4;
  const br = by + cap * 4;
  const n = c.wasm.features.fk_fast9(src + ys * ss, w, ye - ys, ss, t, nms, c.ctl[c.scratchSlot]!, bx, by, br, cap);
  const f = c.f32;
  const x0 = bx >> 2;
  const yy0 = by >> 2;
  const r0 = br >> 2;
  let k = 0;
  for (let i = 0, m = Math.min(n, cap); i < m; i++) {
    const y = f[yy0 + i]! + ys;
    if (y < y0 || y >= y1) continue;
    f[x0 + k] = f[x0 + i]!;
    f[yy0 + k] = y;
    f[r0 + k] = f[r0 + i]!;
    k++;
  }
  c.i32[(counts >> 2) + 2 * s] = k;
  c.i32[(counts >> 2) + 2 * s + 1] = n > cap ? 1 : 0;
};
