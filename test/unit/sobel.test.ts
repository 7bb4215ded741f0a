import { describe, expect, test } from 'bun:test';
import { type Plane } from '../../ts/index.js';
import { magnitudeReference, sobelReference } from '../../ts/kernels/sobel/reference.js';
import { derivPlan } from '../../ts/kernels/sobel/kernels.js';
import { PHOTOS, fillRandom, fixture, firstDifference, framekits, grayOf, guarded, openCV, errorCode } from '../helpers/index.js';
import { counter, shapes } from '../helpers/shapes.js';

const fks = await framekits();
/** [dx, dy, ksize]; ksize -1 is Scharr. */
const CASES: Array<[number, number, number]> = [
  [1, 0, 3],
  [0, 1, 3],
  [1, 0, 5],
  [0, 1, 5],
  [1, 0, -1],
  [0, 1, -1],
  [1, 1, 3],
  [2, 0, 3],
  [0, 2, 5],
  [1, 0, 1],
  [0, 1, 1],
  [2, 1, 5],
  [1, 2, 3],
];

describe('sobel: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: widths 1..65, odd heights, wide strides, unaligned starts, every kernel`, () => {
      const seed = counter(1);
      for (const [dx, dy, k] of CASES) {
        for (const { w, h, src, out, ref } of shapes(fk, { seed, heights: (w) => [1 + ((w + dx + k) % 4) * 2] })) {
          const dst = out(w, h, 'i16');
          const exp = ref(w, h, 'i16');
          expect(fk.sobel(dst, src, dx, dy, k)).toBe(dst);
          sobelReference(fk.heap, exp, src, derivPlan(dx, dy, k));
          expect(firstDifference(dst, exp)).toBeNull();
        }
      }
    });

    test(`${backend}: L1 magnitude, widths 1..40`, () => {
      for (let w = 1; w <= 40; w++) {
        const a = fillRandom(fk.allocPlane(w, 3, 'i16'), w);
        const b = fillRandom(fk.allocPlane(w, 3, 'i16'), w + 99);
        const dst = guarded(fk, w, 3, 'i16', { offset: w % 16 });
        const ref = fk.allocPlane(w, 3, 'i16');
        fk.gradientMagnitude(dst.plane, a, b);
        magnitudeReference(fk.heap, ref, a, b);
        expect(firstDifference(dst.plane, ref)).toBeNull();
        dst.check();
        dst.free();
        for (const p of [a, b, ref]) fk.freePlane(p);
      }
    });

    test(`${backend}: photographs, dx and dy, ksize 3`, async () => {
      for (const name of PHOTOS.slice(0, 3)) {
        const src = grayOf(fk, await fixture(name));
        for (const [dx, dy] of [
          [1, 0],
          [0, 1],
        ] as const) {
          const dst = guarded(fk, src.width, src.height, 'i16');
          const ref = fk.allocPlane(src.width, src.height, 'i16');
          fk.sobel(dst.plane, src, dx, dy, 3);
          sobelReference(fk.heap, ref, src, derivPlan(dx, dy, 3));
          expect(firstDifference(dst.plane, ref)).toBeNull();
          dst.check();
          dst.free();
          fk.freePlane(ref);
        }
        fk.freePlane(src);
      }
    });
  }
});

describe('sobel matches OpenCV.js Sobel/Scharr to CV_16S', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!;

  const same = (src: Plane, dx: number, dy: number, k: number): boolean => {
    const mat = new cv.Mat(src.height, src.width, cv.CV_8UC1);
    mat.data.set(fk.readPixels(src));
    const out = new cv.Mat();
    if (k === -1) cv.Scharr(mat, out, cv.CV_16S, dx, dy);
    else cv.Sobel(mat, out, cv.CV_16S, dx, dy, k);
    const dst = fk.allocPlane(src.width, src.height, 'i16', { stride: 2 * src.width });
    fk.sobel(dst, src, dx, dy, k);
    const ok = Buffer.compare(Buffer.from(dst.data), Buffer.from(out.data as Uint8Array)) === 0;
    mat.delete();
    out.delete();
    fk.freePlane(dst);
    return ok;
  };

  test('random images: widths 1..65, heights 1..9, every kernel', () => {
    const failures: string[] = [];
    let seed = 7;
    for (const [dx, dy, k] of CASES) {
      for (let w = 1; w <= 65; w += 2) {
        const h = 1 + ((w * 3 + dy) % 9);
        const src = fillRandom(fk.allocPlane(w, h, 'gray'), seed++);
        if (!same(src, dx, dy, k)) failures.push(`${w}x${h} dx=${dx} dy=${dy} k=${k}`);
        fk.freePlane(src);
      }
    }
    expect(failures).toEqual([]);
  });

  for (const name of PHOTOS) {
    test(`${name}: Sobel 3 and 5, Scharr, dx and dy byte-identical`, async () => {
      const src = grayOf(fk, await fixture(name));
      for (const k of [3, 5, -1]) {
        expect(same(src, 1, 0, k)).toBe(true);
        expect(same(src, 0, 1, k)).toBe(true);
      }
      fk.freePlane(src);
    });
  }
});

describe('sobel: bad input', () => {
  const [, fk] = fks[2]!;
  const code = errorCode;

  test('kernels OpenCV rejects, saturating kernels, wrong planes: typed errors, nothing written, arena unchanged', () => {
    const src = fillRandom(fk.allocPlane(16, 8, 'gray'), 3);
    fk.sobel(fk.allocPlane(16, 8, 'i16'), src); // scratch reserved before measuring
    const dst = guarded(fk, 16, 8, 'i16');
    const before = fk.arena.stats();
    const p = dst.plane;
    for (const [dx, dy, k] of [
      [0, 0, 3],
      [1, 0, 4],
      [1, 0, 33],
      [3, 0, 3],
      [2, 0, -1],
      [1, 1, -1],
      [-1, 1, 3],
      [1, 0, 0],
    ]) {
      expect(code(() => fk.sobel(p, src, dx, dy, k))).toBe('E_ARGUMENT'); // OpenCV rejects these
    }
    expect(code(() => fk.sobel(p, src, 1, 0, 7))).toBe('E_ARGUMENT'); // OpenCV saturates; framekit refuses
    expect(code(() => fk.sobel({ ...p, format: 'gray' }, src))).toBe('E_FORMAT');
    expect(code(() => fk.sobel(p, { ...src, format: 'i16' }))).toBe('E_FORMAT');
    expect(code(() => fk.sobel({ ...p, width: 15 }, src))).toBe('E_DIMENSION');
    expect(code(() => fk.sobel({ ...p, stride: 30 }, src))).toBe('E_STRIDE');
    expect(code(() => fk.sobel({ ...p, ptr: src.ptr }, src))).toBe('E_ARGUMENT');
    expect(code(() => fk.gradientMagnitude(p, src, p))).toBe('E_FORMAT');
    expect(code(() => fk.gradientMagnitude(p, p, p))).toBe('E_ARGUMENT');
    dst.check();
    expect(fk.arena.stats()).toEqual(before);
    dst.free();
  });
});
