import { describe, expect, test } from 'bun:test';
import { type Framekit, type Plane, type PixelFormat } from '../../ts/index.js';
import { gaussianReference } from '../../ts/kernels/gaussian/reference.js';
import { gaussianPlan } from '../../ts/kernels/gaussian/plan.js';
import { autoKsize, gaussianKernelQ8 } from '../../ts/kernels/gaussian/coefficients.js';
import { PHOTOS, fillRandom, fixture, firstDifference, framekits, guarded, loadOpenCV, errorCode } from '../helpers/index.js';

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

/** A gray plane holding `img` converted to luma by the gray kernel. */
function grayOf(fk: Framekit, img: { width: number; height: number; data: Uint8Array }): Plane {
  const rgba = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data);
  const g = fk.allocPlane(img.width, img.height, 'gray');
  fk.gray(g, rgba);
  fk.freePlane(rgba);
  return g;
}

describe('gaussianBlur: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: widths 1..65, odd heights, wide strides, unaligned starts, every kernel`, () => {
      let seed = 1;
      for (const [k, sigma] of CASES) {
        for (let w = 1; w <= 65; w++) {
          const h = 1 + ((w + k) % 4) * 2; // 1, 3, 5, 7
          const src = guarded(fk, w, h, 'gray', { stride: w + ((w * 7) % 13), offset: w % 16 });
          fillRandom(src.plane, seed++);
          const dst = guarded(fk, w, h, 'gray', { stride: w + (w % 5), offset: (w * 3) % 16 });
          const ref = guarded(fk, w, h, 'gray');
          const before = src.plane.data.slice();
          expect(fk.gaussianBlur(dst.plane, src.plane, k, sigma)).toBe(dst.plane);
          const side = k > 0 ? k : autoKsize(sigma);
          const plan = gaussianPlan(w === 1 ? 1 : side, h === 1 ? 1 : side, sigma, sigma);
          gaussianReference(fk.heap, ref.plane, src.plane, plan);
          expect(firstDifference(dst.plane, ref.plane)).toBeNull();
          dst.check();
          src.check();
          expect(src.plane.data).toEqual(before);
          dst.free();
          ref.free();
          src.free();
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
  const cv = (await loadOpenCV())?.cv;
  const [, fk] = fks[2]!; // wasm-simd, itself equal to the others above
  test('OpenCV.js is installed (a development dependency)', () => expect(cv).toBeTruthy());

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
