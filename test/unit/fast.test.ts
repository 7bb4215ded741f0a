import { describe, expect, test } from 'bun:test';
import { type Framekit, type Keypoints, type Plane } from '../../ts/index.js';
import { fastReference } from '../../ts/kernels/fast/reference.js';
import { PHOTOS, framekits, grayPhoto, openCV, mulberry32, errorCode } from '../helpers/index.js';
import { shapes } from '../helpers/shapes.js';

const fks = await framekits();

/** Low noise on a mid-gray ramp with random bright and dark rectangles: their corners are FAST corners. */
function planted(plane: Plane, seed: number): Plane {
  const r = mulberry32(seed);
  const { width: w, height: h, stride } = plane;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) plane.data[y * stride + x] = 100 + ((x + y) >> 3) + ((r() * 7) | 0);
  const rects = Math.max(1, ((w * h) / 400) | 0);
  for (let i = 0; i < rects; i++) {
    const x0 = (r() * w) | 0;
    const y0 = (r() * h) | 0;
    const rw = 3 + ((r() * 20) | 0);
    const rh = 3 + ((r() * 20) | 0);
    const v = r() < 0.5 ? (r() * 60) | 0 : 190 + ((r() * 65) | 0);
    for (let y = y0; y < Math.min(h, y0 + rh); y++) for (let x = x0; x < Math.min(w, x0 + rw); x++) plane.data[y * stride + x] = v;
  }
  return plane;
}

/** [x, y, response] triples of the first `count` keypoints. */
const triples = (k: Keypoints) => Array.from({ length: k.count }, (_, i) => [k.x[i]!, k.y[i]!, k.response[i]!]);

function referenceList(fk: Framekit, src: Plane, t: number, nonmax: boolean, capacity = 1 << 16) {
  const ref = fk.allocKeypoints(capacity);
  ref.found = fastReference(fk.heap, ref, src, t, nonmax);
  ref.count = Math.min(ref.found, capacity);
  const out = triples(ref);
  fk.arena.free(ref.region);
  return out;
}

describe('fast: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    const kps = fk.allocKeypoints(1 << 16);
    test(`${backend}: widths 1..65, odd heights, wide strides, unaligned starts, both modes`, () => {
      for (const { src } of shapes(fk, { heights: (w) => [1 + ((w * 5) % 23)], fill: planted })) {
        for (const nonmax of [true, false]) {
          for (const t of [0, 10, 40]) {
            fk.fast(kps, src, { threshold: t, nonmax });
            expect(triples(kps)).toEqual(referenceList(fk, src, t, nonmax));
            expect(kps.found).toBe(kps.count);
          }
        }
      }
    });

    test(`${backend}: planted corners and photographs`, async () => {
      const planes: Plane[] = [planted(fk.allocPlane(203, 131, 'gray', { stride: 211 }), 7)];
      for (const name of PHOTOS.slice(0, 4)) planes.push(await grayPhoto(fk, name));
      for (const src of planes) {
        for (const [t, nonmax] of [
          [20, true],
          [20, false],
          [5, true],
        ] as const) {
          fk.fast(kps, src, { threshold: t, nonmax });
          expect(kps.count).toBeGreaterThan(0);
          expect(triples(kps)).toEqual(referenceList(fk, src, t, nonmax));
        }
        fk.freePlane(src);
      }
    }, 60_000);
  }
});

describe('fast: keypoints and responses identical to OpenCV.js FastFeatureDetector (TYPE_9_16)', async () => {
  const { cv } = await openCV();
  const opencv = (src: Plane, t: number, nonmax: boolean) => {
    const mat = new cv.Mat(src.height, src.width, cv.CV_8UC1);
    for (let y = 0; y < src.height; y++) mat.data.set(src.data.subarray(y * src.stride, y * src.stride + src.width), y * src.width);
    const det = new cv.FastFeatureDetector(t, nonmax, cv.FastFeatureDetector_DetectorType.TYPE_9_16);
    expect(det.getType().value).toBe(cv.FastFeatureDetector_TYPE_9_16); // the numeric constant alone would select TYPE_5_8
    const v = new cv.KeyPointVector();
    det.detect(mat, v);
    const out = [];
    for (let i = 0; i < v.size(); i++) {
      const k = v.get(i);
      out.push([k.pt.x, k.pt.y, k.response]);
      expect([k.size, k.angle, k.octave]).toEqual([7, -1, 0]);
    }
    v.delete();
    det.delete();
    mat.delete();
    return out;
  };
  for (const [backend, fk] of fks.slice(1)) {
    const kps = fk.allocKeypoints(1 << 17);
    test(`${backend}: photographs, thresholds 10/20/50, with and without suppression`, async () => {
      for (const name of PHOTOS) {
        const src = await grayPhoto(fk, name);
        for (const t of [10, 20, 50]) {
          for (const nonmax of [true, false]) {
            fk.fast(kps, src, { threshold: t, nonmax });
            expect(kps.found).toBeLessThanOrEqual(kps.capacity);
            expect(triples(kps)).toEqual(opencv(src, t, nonmax));
          }
        }
        expect([kps.size[0], kps.angle[0], kps.octave[0]]).toEqual([7, -1, 0]);
        fk.freePlane(src);
      }
    }, 60_000);
    test(`${backend}: random noise and planted corners, odd sizes`, () => {
      const r = mulberry32(5);
      for (let i = 0; i < 12; i++) {
        const w = 7 + ((r() * 300) | 0);
        const h = 7 + ((r() * 200) | 0);
        const src = fk.allocPlane(w, h, 'gray', { stride: w + (i % 3) * 5 });
        if (i % 2) planted(src, i);
        else for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) src.data[y * src.stride + x] = (r() * 256) | 0;
        for (const t of [0, 15, 60]) {
          for (const nonmax of [true, false]) {
            fk.fast(kps, src, { threshold: t, nonmax });
            expect(triples(kps)).toEqual(opencv(src, t, nonmax));
          }
        }
        fk.freePlane(src);
      }
    }, 60_000);
  }
});

describe('fast: capacity, bad input', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: a short list keeps the first corners and writes nothing past them`, () => {
      const src = planted(fk.allocPlane(120, 90, 'gray'), 3);
      const full = referenceList(fk, src, 10, true);
      expect(full.length).toBeGreaterThan(20);
      // A 7-entry list inside guard bytes: x, y, response, angle, size, octave each round up to 8 entries.
      const small = fk.allocKeypoints(7);
      const heap = fk.heap;
      const lanes = [small.x, small.y, small.response, small.angle, small.size, small.octave];
      for (const a of lanes) new Uint8Array(a.buffer, a.byteOffset, 32).fill(0xa5);
      fk.fast(small, src, { threshold: 10 });
      expect(small.count).toBe(7);
      expect(small.found).toBe(full.length);
      expect(triples(small)).toEqual(full.slice(0, 7));
      for (const a of lanes) expect(heap[a.byteOffset + 28]).toBe(0xa5); // the 8th slot of each field
      fk.arena.free(small.region);
      fk.freePlane(src);
    });

    test(`${backend}: typed errors, inputs untouched, arena unchanged`, () => {
      const src = planted(fk.allocPlane(40, 30, 'gray'), 1);
      const kps = fk.allocKeypoints(100);
      fk.fast(kps, src); // sizes the scratch once
      const before = fk.arena.stats();
      const code = errorCode;
      expect(code(() => fk.fast(kps, src, { threshold: -1 }))).toBe('E_ARGUMENT');
      expect(code(() => fk.fast(kps, src, { threshold: 2.5 }))).toBe('E_ARGUMENT');
      expect(code(() => fk.fast(kps, src, { threshold: 256 }))).toBe('E_ARGUMENT');
      expect(code(() => fk.fast(kps, { ...src, format: 'rgba' }))).toBe('E_FORMAT');
      expect(code(() => fk.fast(kps, { ...src, ptr: 16 }))).toBe('E_OUT_OF_BOUNDS');
      expect(code(() => fk.fast(kps, { ...src, stride: 3 }))).toBe('E_STRIDE');
      expect(code(() => fk.fast({ ...kps } as Keypoints, src))).toBe('E_OUT_OF_BOUNDS');
      expect(code(() => fk.allocKeypoints(0))).toBe('E_ARGUMENT');
      expect(fk.arena.stats()).toEqual(before);
      // Images too small for the circle have no corners.
      const tiny = fk.allocPlane(6, 40, 'gray');
      expect(fk.fast(kps, tiny, { threshold: 0 }).count).toBe(0);
      fk.freePlane(tiny);
      fk.arena.free(kps.region);
      fk.freePlane(src);
    });
  }
});
