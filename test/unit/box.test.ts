import { describe, expect, test } from 'bun:test';
import { FramekitError } from '../../ts/index.js';
import { boxReference } from '../../ts/kernels/box/reference.js';
import { PHOTOS, fillRandom, fixture, firstDifference, framekits, grayOf, guarded, openCV } from '../helpers/index.js';
import { counter, shapes, widths } from '../helpers/shapes.js';

const fks = await framekits();
const SIZES: Array<[number, number]> = [
  [3, 3],
  [5, 5],
  [7, 7],
  [2, 2],
  [4, 6],
  [1, 9],
  [9, 1],
  [11, 3],
  [16, 16],
  [15, 17],
];

describe('boxBlur: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: widths 1..65, odd heights, wide strides, unaligned starts, odd and even kernels`, () => {
      const seed = counter(1);
      for (const [kw, kh] of SIZES) {
        const sweep = shapes(fk, { seed, widths: widths(kw > 9 ? 3 : 1), heights: (w) => [1 + ((w + kw) % 4) * 2] });
        for (const { w, h, src, out, ref } of sweep) {
          const dst = out(w, h, 'gray');
          const exp = ref(w, h, 'gray');
          expect(fk.boxBlur(dst, src, kw, kh)).toBe(dst);
          boxReference(fk.heap, exp, src, kw, kh);
          expect(firstDifference(dst, exp)).toBeNull();
        }
      }
    });
  }
});

describe('boxBlur matches OpenCV.js blur', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!;
  test('random images and the photographs, every kernel size', async () => {
    const failures: string[] = [];
    const inputs = [];
    for (let w = 1; w <= 65; w += 8) inputs.push(fillRandom(fk.allocPlane(w, 1 + (w % 9), 'gray'), w));
    for (const name of PHOTOS.slice(0, 2)) {
      inputs.push(grayOf(fk, await fixture(name)));
    }
    for (const src of inputs) {
      const mat = new cv.Mat(src.height, src.width, cv.CV_8UC1);
      mat.data.set(fk.readPixels(src));
      for (const [kw, kh] of SIZES) {
        const out = new cv.Mat();
        cv.blur(mat, out, new cv.Size(kw, kh), new cv.Point(-1, -1), cv.BORDER_DEFAULT);
        const dst = fk.allocPlane(src.width, src.height, 'gray', { stride: src.width });
        fk.boxBlur(dst, src, kw, kh);
        if (Buffer.compare(Buffer.from(dst.data), Buffer.from(out.data as Uint8Array)) !== 0)
          failures.push(`${src.width}x${src.height} ${kw}x${kh}`);
        out.delete();
        fk.freePlane(dst);
      }
      mat.delete();
      fk.freePlane(src);
    }
    expect(failures).toEqual([]);
  });
});

describe('boxBlur: bad input', () => {
  const [, fk] = fks[2]!;
  test('kernel sizes, planes: typed errors, nothing written', () => {
    const src = fillRandom(fk.allocPlane(16, 8, 'gray'), 3);
    const dst = guarded(fk, 16, 8, 'gray');
    for (const [kw, kh] of [
      [0, 3],
      [3, -1],
      [2.5, 3],
      [17, 16],
    ]) {
      expect(() => fk.boxBlur(dst.plane, src, kw, kh)).toThrow(FramekitError);
    }
    expect(() => fk.boxBlur({ ...dst.plane, height: 7 }, src)).toThrow(/E_DIMENSION/);
    dst.check();
    dst.free();
  });
});
