import { describe, expect, test } from 'bun:test';
import { type Framekit, type Plane } from '../../ts/index.js';
import { histogramReference, lutReference, thresholdReference } from '../../ts/kernels/histogram/reference.js';
import { equalizeLut, otsuThreshold } from '../../ts/kernels/histogram/math.js';
import { PHOTOS, fillRandom, fixture, firstDifference, framekits, grayOf, guarded, openCV, errorCode } from '../helpers/index.js';
import { shapes } from '../helpers/shapes.js';

const fks = await framekits();

/** Gray planes worth testing: random sizes, photographs, a narrow range, a constant. */
async function inputs(fk: Framekit): Promise<Plane[]> {
  const out: Plane[] = [];
  for (let w = 1; w <= 65; w += 8) out.push(fillRandom(fk.allocPlane(w, 1 + (w % 7), 'gray', { stride: w + (w % 5) }), w));
  for (const name of PHOTOS.slice(0, 3)) out.push(grayOf(fk, await fixture(name)));
  const narrow = fk.allocPlane(50, 40, 'gray');
  for (let i = 0; i < narrow.data.length; i++) narrow.data[i] = 100 + (i % 7);
  const flat = fk.allocPlane(5, 4, 'gray');
  flat.data.fill(77);
  return [...out, narrow, flat];
}

describe('histogram, equalizeHist, threshold: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: widths 1..65, wide strides, unaligned starts, guard bytes`, () => {
      const ref = new Uint32Array(256);
      const table = new Uint8Array(256);
      const sweep = shapes(fk, { heights: (w) => [1 + (w % 4) * 2], fill: (src, w) => fillRandom(src, w) });
      for (const { w, h, src, out: plane, ref: refPlane } of sweep) {
        const out = new Uint32Array(256);
        expect(fk.histogram(src, out)).toBe(out);
        expect(out).toEqual(histogramReference(fk.heap, src, ref));
        const dst = plane(w, h, 'gray');
        const exp = refPlane(w, h, 'gray');
        fk.equalizeHist(dst, src);
        const single = equalizeLut(table, ref, w * h);
        if (single >= 0) table.fill(single);
        lutReference(fk.heap, exp, src, table);
        expect(firstDifference(dst, exp)).toBeNull();
        for (const [t, inv] of [
          [w * 3, false],
          [255 - w, true],
          [-1, false],
          [255, true],
        ] as const) {
          fk.threshold(dst, src, t, 200, inv ? 'binary_inv' : 'binary');
          thresholdReference(fk.heap, exp, src, t, inv ? 0 : 200, inv ? 200 : 0);
          expect(firstDifference(dst, exp)).toBeNull();
        }
      }
    });

    test(`${backend}: in place (dst === src) for equalizeHist and threshold`, () => {
      const a = fillRandom(fk.allocPlane(33, 9, 'gray'), 5);
      const b = fk.allocPlane(33, 9, 'gray');
      b.data.set(a.data);
      const c = fk.allocPlane(33, 9, 'gray');
      fk.equalizeHist(c, a);
      fk.equalizeHist(a, a);
      expect(firstDifference(a, c)).toBeNull();
      fk.thresholdOtsu(c, b);
      fk.thresholdOtsu(b, b);
      expect(firstDifference(b, c)).toBeNull();
      for (const p of [a, b, c]) fk.freePlane(p);
    });
  }
});

describe('histogram, equalizeHist, threshold and Otsu match OpenCV.js', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!;
  test('calcHist, equalizeHist, threshold (binary, inverse, fractional, out of range), THRESH_OTSU', async () => {
    const failures: string[] = [];
    for (const src of await inputs(fk)) {
      const { width: w, height: h } = src;
      const tag = `${w}x${h}`;
      const m = new cv.Mat(h, w, cv.CV_8UC1);
      m.data.set(fk.readPixels(src));
      const vec = new cv.MatVector();
      vec.push_back(m);
      const ch = new cv.Mat();
      const mask = new cv.Mat();
      cv.calcHist(vec, [0], mask, ch, [256], [0, 256]);
      if (!Array.from(fk.histogram(src)).every((v, i) => v === ch.data32F[i])) failures.push(`calcHist ${tag}`);
      const dst = fk.allocPlane(w, h, 'gray', { stride: w });
      const same = (o: { data: Uint8Array }) => Buffer.compare(Buffer.from(dst.data), Buffer.from(o.data)) === 0;
      const eq = new cv.Mat();
      cv.equalizeHist(m, eq);
      fk.equalizeHist(dst, src);
      if (!same(eq)) failures.push(`equalizeHist ${tag}`);
      for (const [t, mv, inv] of [
        [100, 255, false],
        [127.5, 254.5, true],
        [-3, 9, false],
        [255, 255, false],
        [254, 3, true],
      ] as const) {
        const o = new cv.Mat();
        const r = cv.threshold(m, o, t, mv, inv ? cv.THRESH_BINARY_INV : cv.THRESH_BINARY);
        if (fk.threshold(dst, src, t, mv, inv ? 'binary_inv' : 'binary') !== r || !same(o))
          failures.push(`threshold ${t} ${mv} ${inv} ${tag}`);
        o.delete();
      }
      const o = new cv.Mat();
      const t = cv.threshold(m, o, 0, 200, cv.THRESH_BINARY | cv.THRESH_OTSU);
      if (fk.thresholdOtsu(dst, src, 200) !== t || !same(o)) failures.push(`otsu ${tag}`);
      for (const x of [m, vec, ch, mask, eq, o]) x.delete();
      fk.freePlane(dst);
      fk.freePlane(src);
    }
    expect(failures).toEqual([]);
    expect(otsuThreshold(new Uint32Array(256), 1)).toBe(0);
  });
});

describe('histogram family: bad input', () => {
  const [, fk] = fks[2]!;
  test('typed errors, nothing written, the arena unchanged', () => {
    const src = fillRandom(fk.allocPlane(16, 8, 'gray'), 3);
    fk.equalizeHist(fk.allocPlane(16, 8, 'gray'), src); // scratch reserved before measuring
    const dst = guarded(fk, 16, 8, 'gray');
    const before = fk.arena.stats();
    const p = dst.plane;
    const code = errorCode;
    expect(code(() => fk.histogram(src, new Uint32Array(255)))).toBe('E_BUFFER_SIZE');
    expect(code(() => fk.histogram({ ...src, format: 'i16' }))).toBe('E_FORMAT');
    expect(code(() => fk.equalizeHist({ ...p, width: 15 }, src))).toBe('E_DIMENSION');
    expect(code(() => fk.equalizeHist({ ...p, ptr: src.ptr + 1 }, src))).toBe('E_ARGUMENT'); // overlapping, not in place
    expect(code(() => fk.threshold(p, src, Number.NaN))).toBe('E_ARGUMENT');
    expect(code(() => fk.threshold(p, src, 3, 255, 'trunc' as 'binary'))).toBe('E_ARGUMENT');
    expect(code(() => fk.thresholdOtsu({ ...p, format: 'i16' }, src))).toBe('E_FORMAT');
    dst.check();
    expect(fk.arena.stats()).toEqual(before);
    dst.free();
  });
});
