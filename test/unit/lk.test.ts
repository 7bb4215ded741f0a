import { describe, expect, test } from 'bun:test';
import { type Framekit, type FlowPoints, type Plane } from '../../ts/index.js';
import { flowPlan } from '../../ts/kernels/lk/api.js';
import { mat3Apply, mat3Invert } from '../../ts/track/synthetic.js';
import { fixture, framekits, loadOpenCV, openCV, mulberry32, errorCode } from '../helpers/index.js';

// Pyramidal LK is a float kernel: the WASM builds sum in f32 in their own order, the reference in
// f64, so positions agree within TOL px (and statuses exactly) rather than bit for bit.
const TOL = 2e-3;
const EPS = Number(process.env.EPS ?? 0.01);
const fks = await framekits({ arenaBytes: 64 << 20 });

/** Gray bytes of a decoded image (OpenCV's luma weights). */
function lumaOf(img: { width: number; height: number; data: Uint8Array; format: string }): Uint8Array {
  if (img.format === 'gray') return img.data;
  const bpp = img.format === 'rgb' ? 3 : 4;
  const g = new Uint8Array(img.width * img.height);
  const d = img.data;
  for (let i = 0; i < g.length; i++) g[i] = (9798 * d[i * bpp]! + 19235 * d[i * bpp + 1]! + 3735 * d[i * bpp + 2]! + 16384) >> 15;
  return g;
}

/** `src` warped by the affine map taking A's (x, y) to B's (a x + b y + c, d x + e y + f): B(q) = A(map^-1 q), bilinear. */
function warp(src: Uint8Array, w: number, h: number, m: number[]): Uint8Array {
  const [a, b, c, d, e, f] = m as [number, number, number, number, number, number];
  const det = a * e - b * d;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const u = (e * (x - c) - b * (y - f)) / det;
      const v = (-d * (x - c) + a * (y - f)) / det;
      const x0 = Math.min(Math.max(Math.floor(u), 0), w - 2);
      const y0 = Math.min(Math.max(Math.floor(v), 0), h - 2);
      const fx = Math.min(Math.max(u - x0, 0), 1);
      const fy = Math.min(Math.max(v - y0, 0), 1);
      const p = (i: number, j: number) => src[(y0 + j) * w + x0 + i]!;
      out[y * w + x] = Math.round((1 - fy) * ((1 - fx) * p(0, 0) + fx * p(1, 0)) + fy * ((1 - fx) * p(0, 1) + fx * p(1, 1)));
    }
  }
  return out;
}

/**
 * `src` seen through the homography `H` (row-major 3x3 taking A's pixel positions to B's), bilinear,
 * plus seeded Gaussian noise of standard deviation `noise` on every pixel: a view of a textured plane
 * with a known motion and, as from a camera, new sensor noise in every frame.
 */
function view(src: Uint8Array, w: number, h: number, H: number[], noise: number, seed: number): Uint8Array {
  const inv = mat3Invert(Float64Array.from(H));
  const rnd = mulberry32(seed);
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [u, v] = mat3Apply(inv, x, y);
      const x0 = Math.min(Math.max(Math.floor(u), 0), w - 2);
      const y0 = Math.min(Math.max(Math.floor(v), 0), h - 2);
      const fx = Math.min(Math.max(u - x0, 0), 1);
      const fy = Math.min(Math.max(v - y0, 0), 1);
      const p = (i: number, j: number) => src[(y0 + j) * w + x0 + i]!;
      const b = (1 - fy) * ((1 - fx) * p(0, 0) + fx * p(1, 0)) + fy * ((1 - fx) * p(0, 1) + fx * p(1, 1));
      const n = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      out[y * w + x] = Math.min(255, Math.max(0, Math.round(b + noise * n)));
    }
  }
  return out;
}

function setup(fk: Framekit, w: number, h: number, a: Uint8Array, b: Uint8Array, o: { win?: number; maxLevel?: number } = {}) {
  const pa = fk.writePixels(fk.allocPlane(w, h, 'gray'), a);
  const pb = fk.writePixels(fk.allocPlane(w, h, 'gray'), b);
  const prev = fk.buildFlowPyramid(fk.allocFlowPyramid(w, h, o), pa);
  const next = fk.buildFlowPyramid(fk.allocFlowPyramid(w, h, o), pb);
  return { pa, pb, prev, next, free: () => [pa, pb].forEach((p) => fk.freePlane(p)) };
}

/** FAST corners of `plane` at least `margin` px inside, up to `max`, as x, y pairs. */
function corners(fk: Framekit, plane: Plane, margin: number, max: number): number[] {
  const k = fk.fast(fk.allocKeypoints(1 << 16), plane, { threshold: 25 });
  const xy: number[] = [];
  const step = Math.max(1, Math.floor(k.count / max));
  for (let i = 0; i < k.count && xy.length < 2 * max; i += step) {
    const [x, y] = [k.x[i]!, k.y[i]!];
    if (x >= margin && y >= margin && x < plane.width - margin && y < plane.height - margin) xy.push(x, y);
  }
  fk.arena.free(k.region);
  return xy;
}

async function photoGray(name: string) {
  const img = await fixture(name);
  return { w: img.width, h: img.height, g: lumaOf(img) };
}

/** 2x2 box average: half the size; pixel p of the result covers pixels 2p .. 2p + 1 of `src`. */
function down2(src: Uint8Array, w: number, h: number): Uint8Array {
  const [dw, dh] = [w >> 1, h >> 1];
  const out = new Uint8Array(dw * dh);
  for (let y = 0; y < dh; y++) {
    for (let x = 0; x < dw; x++) {
      const i = 2 * y * w + 2 * x;
      out[y * dw + x] = (src[i]! + src[i + 1]! + src[i + w]! + src[i + w + 1]! + 2) >> 2;
    }
  }
  return out;
}

describe('lk: accuracy against known warps of photographs', async () => {
  const [, fk] = fks[2]!;
  const cv = (await loadOpenCV())!.cv;
  const openCvMeanError = (a: Plane, b: Plane, xy: number[], truth: (x: number, y: number) => number[]) => {
    const mats = [a, b].map((p) => {
      const m = new cv.Mat(p.height, p.width, cv.CV_8UC1);
      for (let y = 0; y < p.height; y++) m.data.set(p.data.subarray(y * p.stride, y * p.stride + p.width), y * p.width);
      return m;
    });
    const p0 = cv.matFromArray(xy.length >> 1, 1, cv.CV_32FC2, xy);
    const [p1, st, er] = [new cv.Mat(), new cv.Mat(), new cv.Mat()];
    cv.calcOpticalFlowPyrLK(mats[0], mats[1], p0, p1, st, er, new cv.Size(21, 21), 3, new cv.TermCriteria(3, 30, 0.01));
    let sum = 0;
    let n = 0;
    for (let i = 0; i < xy.length >> 1; i++) {
      if (!st.data[i]) continue;
      const [tx, ty] = truth(xy[2 * i]!, xy[2 * i + 1]!);
      sum += Math.hypot(p1.data32F[2 * i] - tx!, p1.data32F[2 * i + 1] - ty!);
      n++;
    }
    [...mats, p0, p1, st, er].forEach((m) => m.delete());
    return sum / n;
  };
  // coffee.png's corners include specular highlights and the cup's smooth rim, where a
  // translation-only window is biased under rotation and scale: OpenCV.js's mean error there is
  // 0.064 px too (logged by this test); that case is held to OpenCV's figure instead of 0.05.
  const LIMIT: Record<string, number> = { 'coffee.png rotate 0.3 deg, scale 1.004, shift (2, -1.5)': 0.07 };
  // Ground truth without interpolation bias: the photograph (or its warp, bilinear) is box-averaged
  // 2x2, so an integer shift of the original is an exact half-pixel-step shift of the result, and a
  // small warp's interpolation error is averaged down. Low-resolution p is original 2p + 0.5.
  const rot = (deg: number, s: number, tx: number, ty: number) => {
    const r = (deg * Math.PI) / 180;
    return [s * Math.cos(r), -s * Math.sin(r), tx, s * Math.sin(r), s * Math.cos(r), ty];
  };
  const cases: Array<[string, number[]]> = [
    ['shift (3.5, -1.5)', [1, 0, 7, 0, 1, -3]],
    ['shift (-6.5, 4)', [1, 0, -13, 0, 1, 8]],
    ['rotate 0.3 deg, scale 1.004, shift (2, -1.5)', rot(0.3, 1.004, 4, -3)],
  ];
  for (const name of ['camera.png', 'astronaut.png', 'coffee.png']) {
    for (const [label, m] of cases) {
      test(`${name}, ${label}: mean error <= 0.05 px, >= 90% tracked`, async () => {
        const { w: W, h: H, g } = await photoGray(name);
        const [w, h] = [W >> 1, H >> 1];
        const truth = (x: number, y: number) => {
          const [u, v] = [2 * x + 0.5, 2 * y + 0.5];
          return [(m[0]! * u + m[1]! * v + m[2]! - 0.5) / 2, (m[3]! * u + m[4]! * v + m[5]! - 0.5) / 2];
        };
        const s = setup(fk, w, h, down2(g, W, H), down2(warp(g, W, H, m), W, H));
        const xy = corners(fk, s.pa, 24, 400);
        const pts = fk.allocFlowPoints(xy.length >> 1).setPrev(xy);
        fk.opticalFlow(pts, s.prev, s.next, { epsilon: EPS });
        const errs: number[] = [];
        for (let i = 0; i < pts.count; i++) {
          if (!pts.status[i]) continue;
          const [tx, ty] = truth(xy[2 * i]!, xy[2 * i + 1]!);
          errs.push(Math.hypot(pts.next[2 * i]! - tx!, pts.next[2 * i + 1]! - ty!));
        }
        const mean = errs.reduce((a, b) => a + b, 0) / errs.length;
        errs.sort((a, b) => a - b);
        // OpenCV.js on the same images and points, for comparison.
        const cvMean = openCvMeanError(s.pa, s.pb, xy, truth);
        console.log(
          `lk ground truth, ${name}, ${label}: ${errs.length} of ${pts.count} tracked, mean error ${mean.toFixed(4)} px (OpenCV.js ${cvMean.toFixed(4)}), median ${errs[errs.length >> 1]!.toFixed(4)}`,
        );
        expect(pts.count).toBeGreaterThan(50);
        expect(errs.length).toBeGreaterThanOrEqual(0.9 * pts.count);
        expect(mean).toBeLessThanOrEqual(LIMIT[`${name} ${label}`] ?? 0.05);
        expect(mean).toBeLessThanOrEqual(cvMean + 0.002);
        s.free();
        s.prev.free(fk.arena);
        s.next.free(fk.arena);
        fk.arena.free(pts.region);
      });
    }
  }
});

describe('lk: every implementation equals the reference (float tolerance)', () => {
  test('wasm-scalar and wasm-simd against the reference: statuses, positions, errors', async () => {
    const { w, h, g } = await photoGray('chelsea.png');
    const b = warp(g, w, h, [1, 0, 2.7, 0, 1, 1.3]);
    const results: FlowPoints[] = [];
    let xyAll: number[] = [];
    for (const [, fk] of fks) {
      const s = setup(fk, w, h, g, b, { win: 13, maxLevel: 2 });
      // Corners, plus points at and past the edges, and one that is not a number.
      const xy = [...corners(fk, s.pa, 0, 120), 0, 0, w - 1, h - 1, -30, 20, w + 40, 5, 3.5, h - 2.25, Number.NaN, 10];
      xyAll = xy;
      const pts = fk.allocFlowPoints(xy.length >> 1).setPrev(xy);
      results.push(fk.opticalFlow(pts, s.prev, s.next, { win: 13 }));
    }
    const [ref, ...others] = results;
    expect(ref!.status.slice(0, ref!.count).some((v) => v === 1)).toBe(true);
    expect(ref!.status[ref!.count - 1]).toBe(0); // NaN
    expect(ref!.status[ref!.count - 4]).toBe(0); // far outside
    for (const o of others) {
      for (let i = 0; i < ref!.count; i++)
        if (o.status[i] !== ref!.status[i])
          console.log(
            'status differs',
            i,
            xyAll[2 * i],
            xyAll[2 * i + 1],
            ref!.next[2 * i],
            ref!.next[2 * i + 1],
            o.next[2 * i],
            o.next[2 * i + 1],
            ref!.err[i],
            o.err[i],
          );
      expect(Array.from(o.status.slice(0, o.count))).toEqual(Array.from(ref!.status.slice(0, ref!.count)));
      for (let i = 0; i < ref!.count; i++) {
        if (!ref!.status[i]) continue;
        expect(Math.abs(o.next[2 * i]! - ref!.next[2 * i]!)).toBeLessThan(TOL);
        expect(Math.abs(o.next[2 * i + 1]! - ref!.next[2 * i + 1]!)).toBeLessThan(TOL);
        expect(Math.abs(o.err[i]! - ref!.err[i]!)).toBeLessThan(1e-2);
      }
    }
  }, 60_000);
});

describe('lk: pyramid borders', () => {
  /** Reflect-101 index of i into 0..n. */
  const reflect = (i: number, n: number): number => {
    if (n === 1) return 0;
    while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
    return i;
  };
  test('every level padded as OpenCV pads it (reflect-101), every backend, wide and narrow levels', () => {
    for (const [backend, fk] of fks) {
      for (const [w, h, win] of [
        [640, 37, 21],
        [333, 97, 21],
        [95, 61, 7],
        [40, 130, 21],
        [17, 9, 3],
      ] as const) {
        const src = fk.allocPlane(w, h, 'gray');
        for (let i = 0; i < src.data.length; i++) src.data[i] = (i * 2654435761) >>> 24;
        const pyr = fk.buildFlowPyramid(fk.allocFlowPyramid(w, h, { win, maxLevel: 4, derivatives: false }), src);
        const p = pyr.pad;
        for (const [l, level] of pyr.levels.entries()) {
          const img = level.image;
          const heap = fk.heap;
          let bad = 0;
          for (let y = -p; y < img.height + p; y++) {
            for (let x = -p; x < img.width + p; x++) {
              const want = heap[img.ptr + reflect(y, img.height) * img.stride + reflect(x, img.width)];
              if (heap[img.ptr + y * img.stride + x] !== want) bad++;
            }
          }
          if (bad) console.log(backend, `${w}x${h} win ${win} level ${l} (${img.width}x${img.height}, pad ${p}): ${bad} wrong`);
          expect(bad).toBe(0);
        }
        fk.freePlane(src);
      }
    }
  });
});

describe('lk: both ways of building pixel pairs (swizzle, interleave) give identical results', () => {
  test('wasm-simd: next, status and err equal bit for bit, windows 3..31, with and without initial flow', async () => {
    const fk = fks.find(([b]) => b === 'wasm-simd')![1];
    const { w, h, g } = await photoGray('chelsea.png');
    const b = warp(g, w, h, [1.01, 0.02, 3.3, -0.015, 0.99, -2.1]);
    for (const win of [3, 7, 13, 21, 31]) {
      const s = setup(fk, w, h, g, b, { win, maxLevel: 3 });
      const xy = [...corners(fk, s.pa, 0, 150), 0, 0, w - 1, h - 1, -3, 5, 2.5, h - 1.5];
      const runs = (['swizzle', 'interleave'] as const).map((pairs) => {
        const pts = fk.allocFlowPoints(xy.length >> 1).setPrev(xy);
        pts.err.fill(0); // lost points' err is left as it was, as OpenCV leaves it
        for (const useInitialFlow of [false, true]) {
          const { maxLevel, params } = flowPlan(fk, pts, s.prev, s.next, { win, useInitialFlow });
          pts.status.fill(1, 0, pts.count);
          for (let l = maxLevel; l >= 0; l--)
            fk.kernels.lk.level(s.prev.levels[l]!, s.next.levels[l]!, pts, l, maxLevel, { ...params, pairs });
        }
        return pts;
      });
      const [sw, il] = runs as [FlowPoints, FlowPoints];
      expect(sw.status.slice(0, sw.count).filter((v) => v === 1).length).toBeGreaterThan(sw.count / 2);
      expect(Array.from(il.next.slice(0, 2 * il.count))).toEqual(Array.from(sw.next.slice(0, 2 * sw.count)));
      expect(Array.from(il.status.slice(0, il.count))).toEqual(Array.from(sw.status.slice(0, sw.count)));
      expect(Array.from(il.err.slice(0, il.count))).toEqual(Array.from(sw.err.slice(0, sw.count)));
      s.free();
    }
  }, 60_000);
});

describe('lk: against OpenCV.js calcOpticalFlowPyrLK (win 21, maxLevel 3, 30 iterations, eps 0.01)', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!;
  const pairs: Array<[string, () => Promise<{ w: number; h: number; a: Uint8Array; b: Uint8Array }>]> = [
    [
      'astronaut.png shifted (4.4, 2.2)',
      async () => {
        const { w, h, g } = await photoGray('astronaut.png');
        return { w, h, a: g, b: warp(g, w, h, [1, 0, 4.4, 0, 1, 2.2]) };
      },
    ],
    // A viewpoint change: the photographed plane turned about both axes (a perspective map that
    // moves pixels by up to about 12 px), fresh sensor noise (sigma 2) in each view.
    [
      'coffee.png through a perspective map, noise sigma 2 in both views',
      async () => {
        const { w, h, g } = await photoGray('coffee.png');
        const H = [1.02, 0.015, -4.5, -0.012, 1.01, 3.2, 2.5e-5, -1.8e-5, 1];
        return { w, h, a: view(g, w, h, [1, 0, 0, 0, 1, 0, 0, 0, 1], 2, 11), b: view(g, w, h, H, 2, 12) };
      },
    ],
    // Many small, faint corners: rotated 2 degrees about the centre and shifted (7.5, -5.25), noise sigma 1.5.
    [
      'hubble_deep_field.jpg rotated 2 degrees and shifted (7.5, -5.25), noise sigma 1.5',
      async () => {
        const { w, h, g } = await photoGray('hubble_deep_field.jpg');
        const [c, s] = [Math.cos(Math.PI / 90), Math.sin(Math.PI / 90)];
        const [cx, cy] = [w / 2, h / 2];
        const H = [c, -s, cx - c * cx + s * cy + 7.5, s, c, cy - s * cx - c * cy - 5.25, 0, 0, 1];
        return { w, h, a: view(g, w, h, [1, 0, 0, 0, 1, 0, 0, 0, 1], 1.5, 21), b: view(g, w, h, H, 1.5, 22) };
      },
    ],
  ];
  for (const [label, load] of pairs) {
    test(`${label}: 95% of points tracked by both agree within 0.1 px`, async () => {
      const { w, h, a, b } = await load();
      const s = setup(fk, w, h, a, b);
      const xy = corners(fk, s.pa, 0, 1000);
      const pts = fk.allocFlowPoints(xy.length >> 1).setPrev(xy);
      fk.opticalFlow(pts, s.prev, s.next);
      const ma = new cv.Mat(h, w, cv.CV_8UC1);
      ma.data.set(a);
      const mb = new cv.Mat(h, w, cv.CV_8UC1);
      mb.data.set(b);
      const p0 = cv.matFromArray(xy.length >> 1, 1, cv.CV_32FC2, xy);
      const p1 = new cv.Mat();
      const st = new cv.Mat();
      const er = new cv.Mat();
      const crit = new cv.TermCriteria(cv.TERM_CRITERIA_COUNT | cv.TERM_CRITERIA_EPS, 30, 0.01);
      cv.calcOpticalFlowPyrLK(ma, mb, p0, p1, st, er, new cv.Size(21, 21), 3, crit);
      let both = 0;
      let agree = 0;
      let statusSame = 0;
      for (let i = 0; i < pts.count; i++) {
        if (st.data[i] === pts.status[i]) statusSame++;
        if (!st.data[i] || !pts.status[i]) continue;
        both++;
        if (Math.hypot(p1.data32F[2 * i] - pts.next[2 * i]!, p1.data32F[2 * i + 1] - pts.next[2 * i + 1]!) <= 0.1) agree++;
      }
      console.log(
        `lk vs OpenCV.js, ${label}: ${pts.count} points, status equal ${statusSame}, tracked by both ${both}, within 0.1 px ${agree} (${((100 * agree) / both).toFixed(1)}%)`,
      );
      expect(both).toBeGreaterThan(0.5 * pts.count);
      expect(agree).toBeGreaterThanOrEqual(0.95 * both);
      [ma, mb, p0, p1, st, er].forEach((m) => m.delete());
      s.free();
      s.prev.free(fk.arena);
      s.next.free(fk.arena);
      fk.arena.free(pts.region);
    }, 60_000);
  }
});

describe('lk: bad input', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: lost points, empty sets, typed errors, nothing written past count`, async () => {
      const { w, h, g } = await photoGray('camera.png');
      const s = setup(fk, w, h, g, g);
      const pts = fk.allocFlowPoints(8);
      pts.next.fill(-7);
      pts.err.fill(-7);
      pts.status.fill(7);
      pts.setPrev([-100, 10, 10, h + 200, Number.POSITIVE_INFINITY, 5]);
      fk.opticalFlow(pts, s.prev, s.next);
      expect(Array.from(pts.status.slice(0, 4))).toEqual([0, 0, 0, 7]);
      expect(Array.from(pts.next.slice(6))).toEqual(Array(10).fill(-7));
      expect(Array.from(pts.err.slice(3))).toEqual(Array(5).fill(-7));
      pts.count = 0;
      expect(fk.opticalFlow(pts, s.prev, s.next).count).toBe(0);
      const code = errorCode;
      pts.count = 1;
      expect(code(() => fk.opticalFlow(pts, s.prev, s.next, { win: 2 }))).toBe('E_ARGUMENT');
      expect(code(() => fk.opticalFlow(pts, s.prev, s.next, { win: 31 }))).toBe('E_ARGUMENT'); // larger than the pyramid's 21
      expect(code(() => fk.opticalFlow(pts, s.prev, s.next, { epsilon: Number.NaN }))).toBe('E_ARGUMENT');
      expect(code(() => fk.opticalFlow(pts, s.prev, fk.allocFlowPyramid(w, h)))).toBe('E_STATE');
      // Only the reference reads whole-level derivatives; the Rust kernel computes them per window.
      const bare = fk.buildFlowPyramid(fk.allocFlowPyramid(w, h, { derivatives: false }), s.pa);
      if (backend === 'reference') expect(code(() => fk.opticalFlow(pts, bare, s.next))).toBe('E_ARGUMENT');
      else {
        // The same results from a pyramid without derivatives as from one with them.
        const xy = [200, 150, 260, 300, 330, 120];
        const a = Array.from(fk.opticalFlow(pts.setPrev(xy), bare, s.next).next.slice(0, 6));
        const b = Array.from(fk.opticalFlow(pts.setPrev(xy), s.prev, s.next).next.slice(0, 6));
        expect(a).toEqual(b);
        pts.count = 1;
      }
      expect(code(() => fk.allocFlowPyramid(w, h, { win: 100 }))).toBe('E_ARGUMENT');
      expect(code(() => fk.buildFlowPyramid(s.prev, { ...s.pa, width: w - 1 }))).toBe('E_DIMENSION');
      pts.count = 9;
      expect(code(() => fk.opticalFlow(pts, s.prev, s.next))).toBe('E_ARGUMENT');
      expect(code(() => fk.allocFlowPoints(0))).toBe('E_ARGUMENT');
      s.free();
    }, 60_000);
  }
});
