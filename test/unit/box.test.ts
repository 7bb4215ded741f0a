import { describe, expect, test } from 'bun:test';
import { FramekitError } from '../../ts/index.js';
import { boxReference } from '../../ts/kernels/box/reference.js';
import { PHOTOS, fillRandom, fixture, firstDifference, framekits, guarded, loadOpenCV } from '../helpers/index.js';

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
      let seed = 1;
      for (const [kw, kh] of SIZES) {
        for (let w = 1; w <= 65; w += kw > 9 ? 3 : 1) {
          const h = 1 + ((w + kw) % 4) * 2;
          const src = guarded(fk, w, h, 'gray', { stride: w + ((w * 7) % 13), offset: w % 16 });
          fillRandom(src.plane, seed++);
          const dst = guarded(fk, w, h, 'gray', { stride: w + (w % 5), offset: (w * 3) % 16 });
          const ref = guarded(fk, w, h, 'gray');
          expect(fk.boxBlur(dst.plane, src.plane, kw, kh)).toBe(dst.plane);
          boxReference(fk.heap, ref.plane, src.plane, kw, kh);
          expect(firstDifference(dst.plane, ref.plane)).toBeNull();
          dst.check();
          src.check();
          dst.free();
          ref.free();
          src.free();
        }
      }
    });
  }
});

describe('boxBlur matches OpenCV.js blur', async () => {
  const cv = (await loadOpenCV())?.cv;
  const [, fk] = fks[2]!;
  test('OpenCV.js is installed (a development dependency)', () => expect(cv).toBeTruthy());
  test('random images and the photographs, every kernel size', async () => {
    const failures: string[] = [];
    const inputs = [];
    for (let w = 1; w <= 65; w += 8) inputs.push(fillRandom(fk.allocPlane(w, 1 + (w % 9), 'gray'), w));
    for (const name of PHOTOS.slice(0, 2)) {
      const img = await fixture(name);
      const rgba = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data);
      inputs.push(fk.gray(fk.allocPlane(img.width, img.height, 'gray'), rgba) as ReturnType<typeof fk.allocPlane>);
      fk.freePlane(rgba);
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
