import { describe, expect, test } from 'bun:test';
import { type Framekit, type Keypoints, type Plane } from '../../ts/index.js';
import { cornerResponseReference } from '../../ts/kernels/corners/reference.js';
import { PHOTOS, framekits, grayPhoto, guarded, loadOpenCV, mulberry32, errorCode } from '../helpers/index.js';

const fks = await framekits();
const cv = (await loadOpenCV())?.cv;

function noise(fk: Framekit, w: number, h: number, seed: number, stride = w): Plane {
  const r = mulberry32(seed);
  const p = fk.allocPlane(w, h, 'gray', { stride });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) p.data[y * stride + x] = (((x >> 2) ^ (y >> 2)) & 1) * 160 + ((r() * 60) | 0);
  return p;
}

function cvMat(src: Plane) {
  const mat = new cv.Mat(src.height, src.width, cv.CV_8UC1);
  for (let y = 0; y < src.height; y++) mat.data.set(src.data.subarray(y * src.stride, y * src.stride + src.width), y * src.width);
  return mat;
}

/** OpenCV.js cornerMinEigenVal / cornerHarris (ksize 3, CV_32F, BORDER_DEFAULT) as a packed Float32Array. */
function cvResponse(src: Plane, blockSize: number, harrisK: number | null): Float32Array {
  const mat = cvMat(src);
  const dst = new cv.Mat();
  if (harrisK === null) cv.cornerMinEigenVal(mat, dst, blockSize, 3, cv.BORDER_DEFAULT);
  else cv.cornerHarris(mat, dst, blockSize, 3, harrisK, cv.BORDER_DEFAULT);
  expect(dst.type()).toBe(cv.CV_32F);
  const out = Float32Array.from(dst.data32F);
  mat.delete();
  dst.delete();
  return out;
}

/** Largest |ours - opencv| over the largest |opencv|: the relative tolerance of reference.ts is 1e-4. */
function relativeError(ours: Float32Array, theirs: Float32Array): number {
  let max = 0;
  let diff = 0;
  for (let i = 0; i < theirs.length; i++) {
    max = Math.max(max, Math.abs(theirs[i]!));
    diff = Math.max(diff, Math.abs(ours[i]! - theirs[i]!));
  }
  return max === 0 ? diff : diff / max; // a flat response (one-pixel axis) must be exactly 0
}

describe('corners: responses match OpenCV.js cornerMinEigenVal / cornerHarris within 1e-4 of the maximum', () => {
  test('OpenCV.js is installed (a development dependency)', () => expect(cv).toBeTruthy());
  const fk = fks[0]![1];
  const cases: Array<[number, number | null]> = [
    [3, null],
    [3, 0.04],
    [5, null],
    [2, 0.06],
    [7, 0.04],
  ];
  test('photographs', async () => {
    for (const name of PHOTOS.slice(0, 4)) {
      const src = await grayPhoto(fk, name);
      const ours = new Float32Array(src.width * src.height);
      for (const [b, k] of cases) {
        cornerResponseReference(fk.heap, ours, src, b, k);
        expect(relativeError(ours, cvResponse(src, b, k))).toBeLessThanOrEqual(1e-4);
      }
      fk.freePlane(src);
    }
  }, 120_000);
  test('odd sizes, one-pixel and tiny planes, wide strides (borders)', () => {
    const r = mulberry32(3);
    for (const [w, h] of [
      [1, 9],
      [9, 1],
      [2, 2],
      [3, 5],
      [4, 4],
      [17, 6],
      [31, 23],
      [64, 3],
    ] as const) {
      const src = noise(fk, w, h, w * 31 + h, w + ((r() * 9) | 0));
      const ours = new Float32Array(w * h);
      for (const [b, k] of cases) {
        cornerResponseReference(fk.heap, ours, src, b, k);
        expect(relativeError(ours, cvResponse(src, b, k))).toBeLessThanOrEqual(1e-4);
      }
      fk.freePlane(src);
    }
  });
});

/** OpenCV.js goodFeaturesToTrack as [x, y] pairs, in its order. */
function cvGood(src: Plane, max: number, q: number, d: number, b: number, harris: boolean, k: number): Array<[number, number]> {
  const mat = cvMat(src);
  const corners = new cv.Mat();
  const mask = new cv.Mat();
  cv.goodFeaturesToTrack(mat, corners, max, q, d, mask, b, harris, k);
  const out: Array<[number, number]> = [];
  for (let i = 0; i < corners.rows; i++) out.push([corners.data32F[2 * i], corners.data32F[2 * i + 1]]);
  mat.delete();
  corners.delete();
  mask.delete();
  return out;
}

const pairs = (k: Keypoints) => Array.from({ length: k.count }, (_, i) => [k.x[i]!, k.y[i]!] as [number, number]);

describe('corners: every response kernel equals the reference within 1e-5 of the maximum', () => {
  for (const [backend, fk] of fks) {
    /** The kernel's response in a fresh arena region (WASM writes only into the shared memory). */
    const response = (src: Plane, block: number, k: number | null) => {
      const kernel = fk.kernels.cornerResponse;
      const n = src.width * src.height;
      const scratchBytes = kernel.scratchBytes(src.width, block);
      const at = 16 + Math.ceil(n / 4) * 16; // the scratch 16-byte aligned, as the API places it
      const region = fk.arena.alloc(at + scratchBytes + 16, 'test');
      const guard = new Uint8Array(fk.memory.buffer, region.ptr, region.size);
      guard.fill(0xa5);
      const dst = new Float32Array(fk.memory.buffer, region.ptr + 16, n);
      kernel.run(dst, src, block, k, region.ptr + at);
      for (let i = 0; i < 16; i++) expect(guard[i]).toBe(0xa5);
      for (let i = 16 + 4 * n; i < 16 * Math.ceil((16 + 4 * n) / 16); i++) expect(guard[i]).toBe(0xa5);
      for (let i = at + scratchBytes; i < region.size; i++) expect(guard[i]).toBe(0xa5);
      const out = dst.slice();
      fk.arena.free(region);
      return out;
    };
    test(`${backend}: widths 1..40, odd heights, wide strides, unaligned starts, blocks 1..7, both responses`, () => {
      for (let w = 1; w <= 40; w++) {
        const h = 1 + ((w * 5) % 13);
        const src = guarded(fk, w, h, 'gray', { stride: w + ((w * 7) % 13), offset: w % 16 });
        const r = mulberry32(w);
        for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) src.plane.data[y * src.plane.stride + x] = (r() * 256) | 0;
        const before = src.plane.data.slice();
        const ref = new Float32Array(w * h);
        for (const block of [1, 2, 3, 4, 5, 7]) {
          for (const k of [null, 0.04]) {
            cornerResponseReference(fk.heap, ref, src.plane, block, k);
            const ours = response(src.plane, block, k);
            if (block === 1 && k === null) {
              // One gradient's matrix has rank 1: its smaller eigenvalue is 0, and both give 0 up to
              // the f32 rounding of entries up to 2 (their rounding noise is all a ratio could compare).
              expect(Math.max(...ours.map(Math.abs), ...ref.map(Math.abs))).toBeLessThan(1e-6);
              continue;
            }
            expect(relativeError(ours, ref)).toBeLessThanOrEqual(1e-5);
          }
        }
        src.check();
        expect(src.plane.data).toEqual(before);
        src.free();
      }
    });
    test(`${backend}: photographs`, async () => {
      const src = await grayPhoto(fk, PHOTOS[2]);
      const ref = new Float32Array(src.width * src.height);
      for (const [block, k] of [
        [3, null],
        [3, 0.04],
        [5, null],
      ] as const) {
        cornerResponseReference(fk.heap, ref, src, block, k);
        expect(relativeError(response(src, block, k), ref)).toBeLessThanOrEqual(1e-5);
      }
      fk.freePlane(src);
    }, 60_000);
  }
});

describe('corners: goodFeaturesToTrack matches OpenCV.js goodFeaturesToTrack', () => {
  for (const [backend, fk] of fks) {
    const kps = fk.allocKeypoints(4000);
    const settings = [
      { maxCorners: 500, qualityLevel: 0.01, minDistance: 10, blockSize: 3, useHarris: false, k: 0.04 },
      { maxCorners: 1000, qualityLevel: 0.01, minDistance: 5, blockSize: 3, useHarris: true, k: 0.04 },
      { maxCorners: 0, qualityLevel: 0.05, minDistance: 0, blockSize: 5, useHarris: false, k: 0.04 },
      { maxCorners: 200, qualityLevel: 0.001, minDistance: 20.5, blockSize: 3, useHarris: false, k: 0.04 },
    ];
    test(`${backend}: equal responses come out in OpenCV's order (later pixel first)`, () => {
      // Four identical squares: every corner's response is repeated exactly at three other places.
      const src = fk.allocPlane(80, 70, 'gray');
      src.data.fill(20);
      for (const [x0, y0] of [
        [8, 8],
        [44, 8],
        [8, 40],
        [44, 40],
      ] as const)
        for (let y = y0; y < y0 + 12; y++) for (let x = x0; x < x0 + 12; x++) src.data[y * src.stride + x] = 200;
      for (const useHarris of [false, true]) {
        fk.goodFeaturesToTrack(kps, src, { maxCorners: 0, minDistance: 3, useHarris });
        expect(kps.count).toBeGreaterThanOrEqual(16);
        expect(pairs(kps)).toEqual(cvGood(src, 0, 0.01, 3, 3, useHarris, 0.04));
      }
      fk.freePlane(src);
    });
    test(`${backend}: photographs: same corners in the same order (at least 95% identical, the rest float ties)`, async () => {
      for (const name of PHOTOS) {
        const src = await grayPhoto(fk, name);
        for (const s of settings) {
          fk.goodFeaturesToTrack(kps, src, s);
          const ours = pairs(kps);
          const theirs = cvGood(src, s.maxCorners, s.qualityLevel, s.minDistance, s.blockSize, s.useHarris, s.k);
          expect(ours.length).toBeGreaterThan(0);
          const set = new Set(theirs.map(([x, y]) => `${x},${y}`));
          const shared = ours.filter(([x, y]) => set.has(`${x},${y}`)).length;
          let samePlace = 0;
          for (let i = 0; i < Math.min(ours.length, theirs.length); i++)
            if (ours[i]![0] === theirs[i]![0] && ours[i]![1] === theirs[i]![1]) samePlace++;
          const report = `${name} ${JSON.stringify(s)}: ours ${ours.length}, opencv ${theirs.length}, shared ${shared}, same index ${samePlace}`;
          if (shared !== theirs.length || samePlace !== theirs.length || ours.length !== theirs.length) console.log(report);
          expect(Math.abs(ours.length - theirs.length)).toBeLessThanOrEqual(Math.ceil(0.05 * theirs.length));
          expect(shared).toBeGreaterThanOrEqual(Math.ceil(0.95 * Math.max(ours.length, theirs.length)));
          expect(samePlace).toBeGreaterThanOrEqual(Math.ceil(0.95 * theirs.length));
        }
        fk.freePlane(src);
      }
    }, 300_000);
  }
});

describe('corners: every backend, capacity, bad input', () => {
  const expected = (() => {
    const fk = fks[0]![1];
    const src = noise(fk, 97, 61, 9, 101);
    const kps = fk.allocKeypoints(1000);
    fk.goodFeaturesToTrack(kps, src, { minDistance: 4 });
    const out = { pairs: pairs(kps), response: Array.from(kps.response.subarray(0, kps.count)) };
    fk.arena.free(kps.region);
    fk.freePlane(src);
    return out;
  })();
  test('planted pattern has corners', () => expect(expected.pairs.length).toBeGreaterThan(20));
  for (const [backend, fk] of fks) {
    test(`${backend}: same list, input untouched, a short list keeps the strongest and writes nothing past them`, () => {
      const src = noise(fk, 97, 61, 9, 101);
      const before = src.data.slice();
      const kps = fk.allocKeypoints(1000);
      fk.goodFeaturesToTrack(kps, src, { minDistance: 4 });
      expect(pairs(kps)).toEqual(expected.pairs);
      // WASM sums in f32, the reference in f64: responses within 1e-5 of the largest.
      expect(relativeError(kps.response.subarray(0, kps.count), Float32Array.from(expected.response))).toBeLessThanOrEqual(1e-5);
      expect([kps.size[0], kps.angle[0], kps.octave[0]]).toEqual([3, -1, 0]);
      for (let i = 1; i < kps.count; i++) expect(kps.response[i]!).toBeLessThanOrEqual(kps.response[i - 1]!);
      expect(src.data).toEqual(before);
      const small = fk.allocKeypoints(7); // each field rounds up to 8 entries
      const lanes = [small.x, small.y, small.response, small.angle, small.size, small.octave];
      for (const a of lanes) new Uint8Array(a.buffer, a.byteOffset, 32).fill(0xa5);
      fk.goodFeaturesToTrack(small, src, { minDistance: 4, maxCorners: 0 });
      expect([small.count, small.found]).toEqual([7, expected.pairs.length]);
      expect(pairs(small)).toEqual(expected.pairs.slice(0, 7));
      for (const a of lanes) expect(fk.heap[a.byteOffset + 28]).toBe(0xa5);
      fk.goodFeaturesToTrack(kps, src, { minDistance: 4, maxCorners: 5 });
      expect([kps.count, kps.found]).toEqual([5, 5]);
      fk.arena.free(small.region);
      fk.arena.free(kps.region);
      fk.freePlane(src);
    });

    test(`${backend}: typed errors, arena unchanged`, () => {
      const src = noise(fk, 40, 30, 1);
      const kps = fk.allocKeypoints(100);
      fk.goodFeaturesToTrack(kps, src); // sizes the scratch once
      const before = fk.arena.stats();
      const code = errorCode;
      for (const o of [
        { maxCorners: -1 },
        { maxCorners: 1.5 },
        { qualityLevel: 0 },
        { qualityLevel: NaN },
        { minDistance: -1 },
        { minDistance: Infinity },
        { blockSize: 0 },
        { blockSize: 32 },
        { blockSize: 2.5 },
        { useHarris: true, k: NaN },
      ]) {
        expect(code(() => fk.goodFeaturesToTrack(kps, src, o))).toBe('E_ARGUMENT');
      }
      expect(code(() => fk.goodFeaturesToTrack(kps, { ...src, format: 'rgba' }))).toBe('E_FORMAT');
      expect(code(() => fk.goodFeaturesToTrack(kps, { ...src, ptr: 16 }))).toBe('E_OUT_OF_BOUNDS');
      expect(code(() => fk.goodFeaturesToTrack(kps, { ...src, stride: 3 }))).toBe('E_STRIDE');
      expect(code(() => fk.goodFeaturesToTrack({ ...kps } as Keypoints, src))).toBe('E_OUT_OF_BOUNDS');
      // A flat image has no corners; a 2-pixel-high one has no interior row.
      const flat = fk.allocPlane(20, 20, 'gray');
      flat.data.fill(90);
      expect(fk.goodFeaturesToTrack(kps, flat).count).toBe(0);
      const thin = noise(fk, 50, 2, 4);
      expect(fk.goodFeaturesToTrack(kps, thin).count).toBe(0);
      fk.freePlane(thin);
      fk.freePlane(flat);
      expect(fk.arena.stats()).toEqual(before);
      fk.arena.free(kps.region);
      fk.freePlane(src);
    });
  }
});

describe('corners: the selection kernel equals the reference selection', () => {
  test('WASM builds: same corners, order and count over quality, distance, count limits, ties, negative and tiny maps', () => {
    const [, ref] = fks[0]!;
    for (const [name, fk] of fks.slice(1)) {
      const k = fk.kernels.cornerResponse;
      for (const [w, h] of [
        [1, 1],
        [2, 5],
        [3, 3],
        [7, 4],
        [33, 17],
        [64, 48],
        [101, 57],
      ] as const) {
        for (const seed of [1, 2, 3]) {
          const r = mulberry32(seed * 1000 + w);
          // Values on a coarse grid (many exact ties and plateaus), some negative, as Harris gives.
          const map = Float32Array.from({ length: w * h }, () => (Math.floor(r() * 24) - 4) / 7);
          for (const o of [
            { maxCorners: 0, qualityLevel: 0.01, minDistance: 0 },
            { maxCorners: 10, qualityLevel: 0.2, minDistance: 0.5 },
            { maxCorners: 0, qualityLevel: 0.05, minDistance: 1 },
            { maxCorners: 25, qualityLevel: 0.3, minDistance: 2.5 },
            { maxCorners: 0, qualityLevel: 0.6, minDistance: 10 },
            { maxCorners: 3, qualityLevel: 1e-3, minDistance: 4 },
          ]) {
            const run = (f: Framekit, select: typeof k.select, capacity: number) => {
              const region = f.arena.alloc(4 * w * h * 3 + 4 * (w * h + 1) + 64);
              const buf = f.memory.buffer;
              const resp = new Float32Array(buf, region.ptr, w * h);
              resp.set(map);
              const cand = new Int32Array(buf, region.ptr + 4 * w * h, w * h);
              const next = new Int32Array(buf, region.ptr + 8 * w * h, w * h);
              const heads = new Int32Array(buf, region.ptr + 12 * w * h, w * h + 1);
              const out = f.allocKeypoints(capacity);
              const kept = select(out, resp, w, h, o, cand, next, heads);
              const list = Array.from({ length: Math.min(kept, capacity) }, (_, i) => [out.x[i], out.y[i], out.response[i]]);
              const thresholded = Array.from(resp);
              f.arena.free(out.region);
              f.arena.free(region);
              return { kept, list, thresholded };
            };
            for (const capacity of [1000, 4]) {
              const want = run(ref, ref.kernels.cornerResponse.select, capacity);
              const got = run(fk, k.select, capacity);
              expect({ name, w, h, seed, o, capacity, ...got }).toEqual({ name, w, h, seed, o, capacity, ...want });
            }
          }
        }
      }
    }
  });
});
