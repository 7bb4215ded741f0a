import { describe, expect, test } from 'bun:test';
import { type PixelFormat } from '../../ts/index.js';
import { integralReference } from '../../ts/kernels/integral/reference.js';
import { PHOTOS, fillRandom, fixture, firstDifference, framekits, guarded, openCV, errorCode } from '../helpers/index.js';
import { shapes } from '../helpers/shapes.js';

const fks = await framekits();

describe('integral: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: widths 1..65, odd heights, wide strides, unaligned sources, with and without squares`, () => {
      for (const { w, h, src, out, ref } of shapes(fk, { heights: (w) => [1 + (w % 4) * 2] })) {
        const sum = out(w + 1, h + 1, 'i32', { stride: 4 * (w + 1 + (w % 3)), offset: 4 * (w % 4) });
        const sq = out(w + 1, h + 1, 'f64', { stride: 8 * (w + 2), offset: 0 });
        const refSum = ref(w + 1, h + 1, 'i32');
        const refSq = ref(w + 1, h + 1, 'f64');
        expect(fk.integral(sum, src, w % 2 ? sq : null)).toBe(sum);
        integralReference(fk.heap, refSum, src, refSq);
        expect(firstDifference(sum, refSum)).toBeNull();
        if (w % 2) expect(firstDifference(sq, refSq)).toBeNull();
      }
    });
  }
});

describe('integral matches OpenCV.js integral2 (CV_32S, CV_64F)', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!;
  test('random images and the photographs', async () => {
    const inputs = [];
    for (let w = 1; w <= 65; w += 4) inputs.push(fillRandom(fk.allocPlane(w, 1 + (w % 9), 'gray'), w));
    for (const name of PHOTOS) {
      const img = await fixture(name);
      const rgba = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data);
      inputs.push(fk.gray(fk.allocPlane(img.width, img.height, 'gray'), rgba) as ReturnType<typeof fk.allocPlane>);
      fk.freePlane(rgba);
    }
    const failures: string[] = [];
    for (const src of inputs) {
      const [w, h] = [src.width, src.height];
      const mat = new cv.Mat(h, w, cv.CV_8UC1);
      mat.data.set(fk.readPixels(src));
      const o = new cv.Mat();
      const q = new cv.Mat();
      cv.integral2(mat, o, q, cv.CV_32S, cv.CV_64F);
      const sum = fk.allocPlane(w + 1, h + 1, 'i32', { stride: 4 * (w + 1) });
      const sq = fk.allocPlane(w + 1, h + 1, 'f64', { stride: 8 * (w + 1) });
      fk.integral(sum, src, sq);
      if (Buffer.compare(Buffer.from(sum.data), Buffer.from(o.data as Uint8Array)) !== 0) failures.push(`sum ${w}x${h}`);
      if (Buffer.compare(Buffer.from(sq.data), Buffer.from(q.data as Uint8Array)) !== 0) failures.push(`sqsum ${w}x${h}`);
      for (const m of [mat, o, q]) m.delete();
      for (const p of [sum, sq, src]) fk.freePlane(p);
    }
    expect(failures).toEqual([]);
  });
});

describe('integral: bad input', () => {
  const [, fk] = fks[2]!;
  const code = errorCode;
  test('tables of the wrong size or type: typed errors, nothing written, arena unchanged', () => {
    const src = fillRandom(fk.allocPlane(16, 8, 'gray'), 3);
    const sum = guarded(fk, 17, 9, 'i32');
    const sq = guarded(fk, 17, 9, 'f64');
    const before = fk.arena.stats();
    expect(code(() => fk.integral({ ...sum.plane, width: 16 }, src))).toBe('E_DIMENSION'); // OpenCV: (w + 1) x (h + 1)
    expect(code(() => fk.integral({ ...sum.plane, format: 'f64' as PixelFormat }, src))).toBe('E_FORMAT');
    expect(code(() => fk.integral(sum.plane, src, { ...sq.plane, height: 8 }))).toBe('E_DIMENSION');
    expect(code(() => fk.integral(sum.plane, src, { ...sq.plane, format: 'i32' }))).toBe('E_FORMAT');
    expect(code(() => fk.integral(sum.plane, { ...src, format: 'rgba' }))).toBe('E_FORMAT');
    expect(code(() => fk.integral(sum.plane, src, { ...sq.plane, ptr: sum.plane.ptr }))).toBe('E_ARGUMENT');
    expect(code(() => fk.integral({ ...sum.plane, stride: 70 }, src))).toBe('E_STRIDE');
    sum.check();
    sq.check();
    expect(fk.arena.stats()).toEqual(before);
  });
});
