import { describe, expect, test } from 'bun:test';
import { type Plane, type PixelFormat } from '../../ts/index.js';
import { gaussianReference } from '../../ts/kernels/gaussian/reference.js';
import { gaussianPlan } from '../../ts/kernels/gaussian/plan.js';
import { autoKsize, gaussianKernelQ8 } from '../../ts/kernels/gaussian/coefficients.js';
import { writeWeights } from '../../ts/kernels/separable.js';
import { blurRows, blurStripeScratch } from '../../ts/workers/blur/stripe.js';
import {
  PHOTOS,
  fillRandom,
  fixture,
  firstDifference,
  framekits,
  grayOf,
  guarded,
  loadOpenCV,
  openCV,
  errorCode,
} from '../helpers/index.js';
import { counter, shapes } from '../helpers/shapes.js';

const fks = await framekits();
const CASES: Array<[ksize: number, sigma: number]> = [
  [3, 0],
  [5, 0],
  [7, 0],
  [9, 0],
  [5, 1.1],
  [7, 2.5],
  [0, 0.8],
  [11, 0],
  [13, 3],
];

describe('gaussianBlur: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: widths 1..65, odd heights, wide strides, unaligned starts, every kernel`, () => {
      const seed = counter(1);
      for (const [k, sigma] of CASES) {
        for (const { w, h, src, out, ref } of shapes(fk, { seed, heights: (w) => [1 + ((w + k) % 4) * 2] })) {
          const dst = out(w, h, 'gray');
          const exp = ref(w, h, 'gray');
          expect(fk.gaussianBlur(dst, src, k, sigma)).toBe(dst);
          const side = k > 0 ? k : autoKsize(sigma);
          const plan = gaussianPlan(w === 1 ? 1 : side, h === 1 ? 1 : side, sigma, sigma);
          gaussianReference(fk.heap, exp, src, plan);
          expect(firstDifference(dst, exp)).toBeNull();
        }
      }
    });

    test(`${backend}: photographs, 5x5`, async () => {
      for (const name of PHOTOS) {
        const src = grayOf(fk, await fixture(name));
        const dst = guarded(fk, src.width, src.height, 'gray');
        const ref = fk.allocPlane(src.width, src.height, 'gray');
        fk.gaussianBlur(dst.plane, src, 5);
        gaussianReference(fk.heap, ref, src, gaussianPlan(5, 5, 0, 0));
        expect(firstDifference(dst.plane, ref)).toBeNull();
        dst.check();
        dst.free();
        fk.freePlane(ref);
        fk.freePlane(src);
      }
    });
  }
});

describe('gaussianBlur matches OpenCV.js GaussianBlur', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!; // wasm-simd, itself equal to the others above

  const run = (src: Plane, k: number, sigma: number, ky = k, sigmaY = 0): boolean => {
    const mat = new cv.Mat(src.height, src.width, cv.CV_8UC1);
    mat.data.set(fk.readPixels(src));
    const out = new cv.Mat();
    cv.GaussianBlur(mat, out, new cv.Size(k, ky), sigma, sigmaY, cv.BORDER_DEFAULT);
    const dst = fk.allocPlane(src.width, src.height, 'gray', { stride: src.width });
    fk.gaussianBlur(dst, src, k, sigma, ky, sigmaY);
    const same = Buffer.compare(Buffer.from(dst.data), Buffer.from(out.data as Uint8Array)) === 0;
    mat.delete();
    out.delete();
    fk.freePlane(dst);
    return same;
  };

  test('random images, widths 1..65 and odd heights, sizes 3/5/7/9 and sigmas', () => {
    let seed = 100;
    const failures: string[] = [];
    for (const [k, sigma] of [...CASES, [3, 0.5], [15, 0], [0, 2], [5, 9]] as Array<[number, number]>) {
      for (let w = 1; w <= 65; w += k > 9 ? 4 : 1) {
        const h = 1 + ((w * 5 + k) % 9);
        const src = fillRandom(fk.allocPlane(w, h, 'gray'), seed++);
        if (!run(src, k, sigma)) failures.push(`${w}x${h} k=${k} sigma=${sigma}`);
        fk.freePlane(src);
      }
    }
    expect(failures).toEqual([]);
  });

  test('anisotropic kernels: Size(3, 7), Size(7, 1), sigmaY', () => {
    const src = fillRandom(fk.allocPlane(41, 23, 'gray'), 7);
    expect(run(src, 3, 0, 7)).toBe(true);
    expect(run(src, 7, 0, 1)).toBe(true);
    expect(run(src, 5, 1.2, 9, 2.7)).toBe(true);
    fk.freePlane(src);
  });

  test('sigma sweep: Q8 kernels equal OpenCV getGaussianKernel rounded the same way', () => {
    const failures: string[] = [];
    const src = fillRandom(fk.allocPlane(97, 31, 'gray'), 9);
    for (let s = 0.3; s < 6; s += 0.137) if (!run(src, 0, s)) failures.push(`sigma=${s.toFixed(3)}`);
    for (const k of [3, 5, 7, 9, 11, 13, 21, 31]) if (!run(src, k, 0)) failures.push(`k=${k}`);
    fk.freePlane(src);
    expect(failures).toEqual([]);
    expect(Array.from(gaussianKernelQ8(5, 0))).toEqual([16, 64, 96, 64, 16]);
  });

  for (const name of PHOTOS) {
    test(`${name}: 3x3, 5x5, 7x7 and sigma 2 byte-identical`, async () => {
      const src = grayOf(fk, await fixture(name));
      for (const [k, s] of [
        [3, 0],
        [5, 0],
        [7, 0],
        [0, 2],
      ] as const)
        expect(run(src, k, s)).toBe(true);
      fk.freePlane(src);
    });
  }
});

describe('gaussianBlur: bad input', () => {
  const [, fk] = fks[2]!;
  const code = errorCode;

  test('errors are typed, nothing is written, the arena is unchanged', () => {
    const src = fillRandom(fk.allocPlane(16, 8, 'gray'), 3);
    fk.gaussianBlur(fk.allocPlane(16, 8, 'gray'), src); // scratch reserved before measuring
    const dst = guarded(fk, 16, 8, 'gray');
    const before = fk.arena.stats();
    const p = dst.plane;
    for (const k of [4, -3, 1.5, 0, 257]) expect(code(() => fk.gaussianBlur(p, src, k))).toBe('E_ARGUMENT'); // OpenCV: odd, positive
    expect(code(() => fk.gaussianBlur(p, src, 5, Number.NaN))).toBe('E_ARGUMENT');
    expect(code(() => fk.gaussianBlur(p, src, 5, 0, 6))).toBe('E_ARGUMENT');
    expect(code(() => fk.gaussianBlur({ ...p, width: 15 }, src))).toBe('E_DIMENSION');
    expect(code(() => fk.gaussianBlur({ ...p, format: 'rgba' as PixelFormat }, src))).toBe('E_FORMAT');
    expect(code(() => fk.gaussianBlur(p, { ...src, format: 'i16' }))).toBe('E_FORMAT');
    expect(code(() => fk.gaussianBlur({ ...p, stride: 8 }, src))).toBe('E_STRIDE');
    expect(code(() => fk.gaussianBlur({ ...p, ptr: 16 }, src))).toBe('E_OUT_OF_BOUNDS');
    expect(code(() => fk.gaussianBlur({ ...p, ptr: src.ptr + 8 }, src))).toBe('E_ARGUMENT'); // overlap
    dst.check();
    expect(fk.arena.stats()).toEqual(before);
    dst.free();
  });

  test('an image smaller than the kernel is blurred as OpenCV does (reflected borders), not refused', async () => {
    const cv = (await loadOpenCV())!.cv;
    const src = fillRandom(fk.allocPlane(3, 2, 'gray'), 4);
    const dst = guarded(fk, 3, 2, 'gray');
    fk.gaussianBlur(dst.plane, src, 31);
    const m = new cv.Mat(2, 3, cv.CV_8UC1);
    m.data.set(fk.readPixels(src));
    const o = new cv.Mat();
    cv.GaussianBlur(m, o, new cv.Size(31, 31), 0, 0, cv.BORDER_DEFAULT);
    expect(Array.from(fk.readPixels(dst.plane))).toEqual(Array.from(o.data as Uint8Array));
    dst.check();
    m.delete();
    o.delete();
  });
});

describe('gaussian_blur_rows: any range of output rows, straight into dst (the worker pool stripes)', () => {
  const CASES_ROWS: Array<[ksize: number, sigma: number]> = [
    [3, 0],
    [5, 0],
    [7, 0], // 32-bit sums over mirrored pairs
    [0, 1.3], // size from sigma
    [11, 2.5], // 32-bit sums
  ];

  /** Every range of 0..h when h is small, else every 1-row range, every prefix and suffix, and a few inner ones. */
  function ranges(h: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    if (h <= 7) {
      for (let a = 0; a < h; a++) for (let b = a + 1; b <= h; b++) out.push([a, b]);
      return out;
    }
    for (let y = 0; y < h; y++) out.push([y, y + 1], [0, y + 1], [y, h]);
    out.push([1, h - 1], [2, h - 3], [h >> 1, (h >> 1) + 2]);
    return out;
  }

  for (const [backend, fk] of fks) {
    if (backend === 'reference') continue;
    test(`${backend}: widths 1..40, odd heights, every range equals the whole-image rows and writes nothing else`, () => {
      expect(fk.wasm!.simd).toBe(backend === 'wasm-simd');
      const px = fk.wasm!.pixels;
      const i16 = new Int16Array(fk.memory.buffer);
      let seed = 500;
      let checked = 0;
      for (const [k, sigma] of CASES_ROWS) {
        const side = k > 0 ? k : autoKsize(sigma);
        for (let w = 1; w <= 40; w++) {
          const h = 1 + 2 * ((w + side) % 7); // 1, 3, .., 13: shorter and taller than the kernel
          const plan = gaussianPlan(w === 1 ? 1 : side, h === 1 ? 1 : side, sigma, sigma);
          const nx = plan.rx.length;
          const ny = plan.ry.length;
          const src = fillRandom(fk.allocPlane(w, h, 'gray', { stride: w + ((w * 7) % 13) }), seed++);
          const whole = fk.allocPlane(w, h, 'gray');
          fk.gaussianBlur(whole, src, k, sigma);
          const before = fk.readPixels(src);
          const wts = fk.arena.alloc(2 * (nx + ny));
          writeWeights(i16, wts.ptr, plan.rx);
          writeWeights(i16, wts.ptr + 2 * nx, plan.ry);
          // Exactly the scratch a pool thread gets, guarded: the engine stays inside it.
          const work = guarded(fk, blurStripeScratch(w, h, nx, ny), 1, 'gray', { guard: 32 });
          const stride = w + (w % 5);
          for (const [y0, y1] of ranges(h)) {
            // A plane of just rows [y0, y1), with guard bytes covering every other row of the image:
            // dst points at the image's row 0, y0 rows above the plane.
            const out = guarded(fk, w, y1 - y0, 'gray', { stride, guard: h * stride + 16, offset: (w * 3 + y0) % 16 });
            const dst = out.plane.ptr - y0 * stride;
            blurRows(px, src.ptr, src.stride, dst, stride, w, h, y0, y1, wts.ptr, nx, ny, plan.shift, plan.wide, work.plane.ptr);
            for (let y = y0; y < y1; y++) {
              const got = out.plane.data.subarray((y - y0) * stride, (y - y0) * stride + w);
              const want = whole.data.subarray(y * whole.stride, y * whole.stride + w);
              if (Buffer.compare(got, want) !== 0)
                throw new Error(`${backend} k=${k} sigma=${sigma} ${w}x${h} rows [${y0}, ${y1}): row ${y} differs`);
            }
            out.check();
            out.free();
            checked++;
          }
          work.check();
          expect(fk.readPixels(src)).toEqual(before);
          work.free();
          fk.arena.free(wts);
          fk.freePlane(whole);
          fk.freePlane(src);
        }
      }
      expect(checked).toBeGreaterThan(2000);
    });

    test(`${backend}: uneven 1080p stripes, run out of order into one plane, equal fk.gaussianBlur`, () => {
      const src = fillRandom(fk.allocPlane(1920, 1080, 'gray', { stride: 1925 }), 31);
      const whole = fk.allocPlane(1920, 1080, 'gray');
      const striped = fk.allocPlane(1920, 1080, 'gray', { stride: 1936 });
      const i16 = new Int16Array(fk.memory.buffer);
      for (const [k, sigma] of [
        [5, 0],
        [7, 0],
        [15, 3],
      ] as const) {
        const plan = gaussianPlan(k, k, sigma, sigma);
        const nx = plan.rx.length;
        const ny = plan.ry.length;
        const wts = fk.arena.alloc(2 * (nx + ny));
        writeWeights(i16, wts.ptr, plan.rx);
        writeWeights(i16, wts.ptr + 2 * nx, plan.ry);
        const work = fk.arena.alloc(blurStripeScratch(1920, 135, nx, ny));
        fk.gaussianBlur(whole, src, k, sigma);
        striped.data.fill(0);
        // Uneven stripes, out of order, as the pool's stealing may run them.
        const cuts = [0, 1, 135, 136, 270, 541, 900, 1079, 1080];
        for (const s of [3, 0, 7, 5, 1, 6, 2, 4])
          blurRows(
            fk.wasm!.pixels,
            src.ptr,
            src.stride,
            striped.ptr,
            striped.stride,
            1920,
            1080,
            cuts[s]!,
            cuts[s + 1]!,
            wts.ptr,
            nx,
            ny,
            plan.shift,
            plan.wide,
            work.ptr,
          );
        expect(firstDifference(striped, whole)).toBeNull();
        fk.arena.free(work);
        fk.arena.free(wts);
      }
      for (const p of [src, whole, striped]) fk.freePlane(p);
    });

    test(`${backend}: a bad range is a typed error and writes nothing`, () => {
      const px = fk.wasm!.pixels;
      const src = fillRandom(fk.allocPlane(24, 9, 'gray'), 77);
      const out = guarded(fk, 24, 9, 'gray');
      const plan = gaussianPlan(5, 5, 0, 0);
      const wts = fk.arena.alloc(32);
      const i16 = new Int16Array(fk.memory.buffer);
      writeWeights(i16, wts.ptr, plan.rx);
      writeWeights(i16, wts.ptr + 10, plan.ry);
      const work = fk.arena.alloc(blurStripeScratch(24, 9, 5, 5));
      const p = out.plane;
      out.plane.data.fill(0x11, 0, 9 * 24);
      const rows = (y0: number, y1: number) => () =>
        blurRows(px, src.ptr, src.stride, p.ptr, p.stride, 24, 9, y0, y1, wts.ptr, 5, 5, plan.shift, plan.wide, work.ptr);
      for (const [y0, y1] of [
        [-1, 3],
        [0, 10],
        [5, 4],
        [9, 10],
        [1.5, 3],
        [0, Number.NaN],
        [Number.NEGATIVE_INFINITY, 2],
      ] as const)
        expect(errorCode(rows(y0, y1))).toBe('E_ARGUMENT');
      rows(4, 4)(); // an empty range is a range: nothing to write
      rows(9, 9)();
      expect(out.plane.data.subarray(0, 9 * 24).every((v) => v === 0x11)).toBe(true);
      out.check();
      out.free();
      fk.arena.free(work);
      fk.arena.free(wts);
      fk.freePlane(src);
    });
  }
});
