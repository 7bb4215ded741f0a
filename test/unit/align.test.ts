import { describe, expect, test } from 'bun:test';
import { createFramekit, type Framekit, type Plane } from '../../ts/index.js';
import { PatchAligner } from '../../ts/features/align.js';

/**
 * A smooth texture with corners in every direction, defined everywhere, so that a view of it under a
 * homography can be rendered exactly (no resampling of a resampled image): view B at x is the
 * texture at H^-1(x).
 */
const texture = (x: number, y: number) =>
  128 + 50 * Math.sin(0.31 * x + 0.17 * y) * Math.cos(0.23 * y - 0.11 * x) + 40 * Math.sin(0.07 * x * Math.cos(0.05 * y) + 0.19 * y);

const W = 160;
const H = 120;

/** Where `h` takes (x, y). */
const apply = (h: ArrayLike<number>, x: number, y: number): [number, number] => {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
};

/** A homography with foreshortening (about 30 degrees of tilt) and a turn, and its inverse. */
const TRUTH = [0.92, -0.18, 14.5, 0.12, 0.81, 9.25, 0.0011, -0.0006, 1];
function inverse(m: ArrayLike<number>): number[] {
  const [a, b, c, d, e, f, g, h, i] = Array.from(m) as [number, number, number, number, number, number, number, number, number];
  const r = [
    e * i - f * h,
    c * h - b * i,
    b * f - c * e,
    f * g - d * i,
    a * i - c * g,
    c * d - a * f,
    d * h - e * g,
    b * g - a * h,
    a * e - b * d,
  ];
  return r.map((v) => v / r[8]!);
}

function view(fk: Framekit, map: (x: number, y: number) => number): Plane {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data[y * W + x] = Math.max(0, Math.min(255, Math.round(map(x, y))));
  return fk.writePixels(fk.allocPlane(W, H, 'gray'), data);
}

describe('PatchAligner: sub-pixel correspondences under a homography', async () => {
  const fk = await createFramekit({ arenaBytes: 4 << 20, backend: 'wasm-simd' });
  const inv = inverse(TRUTH);
  const a = view(fk, texture);
  // B is brighter by 12 gray levels: the brightness offset is eliminated, not fitted as motion.
  const b = view(fk, (x, y) => {
    const [u, v] = apply(inv, x, y);
    return texture(u, v) + 12;
  });
  const points: Array<[number, number]> = [];
  for (let y = 30; y <= 90; y += 15) for (let x = 30; x <= 130; x += 20) points.push([x + 0.37, y + 0.61]);

  test('from a homography 1.3 px off, each point lands within 0.05 px of where the true homography takes it', () => {
    const aligner = new PatchAligner(fk.heap, a, b, 10);
    // The model's error: B's points moved by (0.9, -0.95) px.
    const off = TRUTH.map((v, i) => v + (i < 3 ? 0.9 * TRUTH[6 + i]! : i < 6 ? -0.95 * TRUTH[3 + i]! : 0));
    const out = new Float64Array(2);
    let worst = 0;
    for (const [x, y] of points) {
      const [ox, oy] = apply(off, x, y);
      const [tx, ty] = apply(TRUTH, x, y);
      expect(Math.hypot(ox - tx, oy - ty)).toBeGreaterThan(1.2);
      expect(aligner.align(off, x, y, 8, 3, out)).toBe(true);
      worst = Math.max(worst, Math.hypot(out[0]! - tx, out[1]! - ty));
    }
    console.log(`${points.length} points, largest distance from the truth after alignment ${worst.toFixed(3)} px`);
    expect(worst).toBeLessThan(0.05);
  });

  test('returns false and writes nothing for a flat window, a window leaving A or B, or a shift beyond maxShift', () => {
    const flat = view(fk, () => 90);
    const guard = () => new Float64Array([-7, -7]);
    const check = (aligner: PatchAligner, h: ArrayLike<number>, x: number, y: number, maxShift: number) => {
      const out = guard();
      expect(aligner.align(h, x, y, 8, maxShift, out)).toBe(false);
      expect(Array.from(out)).toEqual([-7, -7]);
    };
    check(new PatchAligner(fk.heap, flat, b, 10), TRUTH, 60.4, 60.6, 3);
    check(new PatchAligner(fk.heap, a, flat, 10), TRUTH, 60.4, 60.6, 3);
    const aligner = new PatchAligner(fk.heap, a, b, 10);
    check(aligner, TRUTH, 5.5, 60, 3); // the window leaves A
    check(aligner, [1, 0, W - 20, 0, 1, 0, 0, 0, 1], 60, 60, 3); // its image leaves B
    // Model 2 px off, but at most 1 px of correction allowed.
    const off = TRUTH.map((v, i) => v + (i < 3 ? 2 * TRUTH[6 + i]! : 0));
    check(aligner, off, 70.5, 60.5, 1);
    // The same within reach converges.
    const out = guard();
    expect(aligner.align(off, 70.5, 60.5, 8, 3, out)).toBe(true);
    const [tx, ty] = apply(TRUTH, 70.5, 60.5);
    expect(Math.hypot(out[0]! - tx, out[1]! - ty)).toBeLessThan(0.05);
  });
});
