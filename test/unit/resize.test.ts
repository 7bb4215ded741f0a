import { describe, expect, test } from 'bun:test';
import { type Plane } from '../../ts/index.js';
import { resizeAreaReference, resizeLinearReference } from '../../ts/kernels/resize/reference.js';
import {
  PHOTOS,
  fillRandom,
  fixture,
  firstDifference,
  framekits,
  grayOf,
  guarded,
  openCV,
  errorCode,
  mulberry32,
} from '../helpers/index.js';

const fks = await framekits();
/** [srcW, srcH, dstW, dstH]: shrinks, stretches, exact halving, one-pixel edges, odd factors. */
const LINEAR: Array<[number, number, number, number]> = [
  [10, 10, 5, 5],
  [10, 10, 20, 20],
  [17, 9, 33, 4],
  [64, 48, 33, 25],
  [40, 30, 13, 10],
  [3, 2, 1, 1],
  [1, 1, 7, 5],
  [65, 7, 64, 9],
  [31, 17, 62, 34],
  [100, 60, 301, 181],
];
const AREA: Array<[number, number, number, number]> = [
  [64, 48, 32, 24],
  [99, 66, 33, 22],
  [64, 48, 16, 16],
  [65, 33, 13, 11],
  [7, 7, 7, 7],
  // 2x2 with 32-, 16- and 1-pixel blocks of the vector loop (32 + 16 + 1, 32 + 16 + 15, 3 x 32 + 4)
  [98, 10, 49, 5],
  [126, 6, 63, 3],
  [200, 4, 100, 2],
];

describe('resize: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: linear and area, many size pairs, wide strides, unaligned starts`, () => {
      let seed = 1;
      for (const [sw, sh, dw, dh] of [...LINEAR, ...AREA.map((a) => [...a, 1] as const)]) {
        const area = AREA.some((a) => a[0] === sw && a[1] === sh && a[2] === dw && a[3] === dh);
        const src = guarded(fk, sw, sh, 'gray', { stride: sw + (sw % 7), offset: sw % 16 });
        fillRandom(src.plane, seed++);
        const dst = guarded(fk, dw, dh, 'gray', { stride: dw + (dw % 5), offset: dw % 16 });
        const ref = guarded(fk, dw, dh, 'gray');
        expect(fk.resize(dst.plane, src.plane, area ? 'area' : 'linear')).toBe(dst.plane);
        const k = [sw / dw, sh / dh];
        if (area || (k[0] === 2 && k[1] === 2)) resizeAreaReference(fk.heap, ref.plane, src.plane, k[0]!, k[1]!);
        else resizeLinearReference(fk.heap, ref.plane, src.plane);
        expect(firstDifference(dst.plane, ref.plane)).toBeNull();
        dst.check();
        src.check();
        for (const g of [src, dst, ref]) g.free();
      }
    });
  }
});

/**
 * wasm/resize.ts halves sources of at least this many outputs (AREA_TWO_PASS) in two passes per row
 * pair, the destination rows holding the upper row's sums; smaller ones in one.
 */
const AREA_TWO_PASS = 1 << 17;

/** Random bytes from {0, 1, 2, 253, 254, 255}: every 2x2 sum's rounding case, and the largest sums. */
function fillExtremes(plane: Plane, seed: number): Plane {
  const r = mulberry32(seed);
  const values = [0, 1, 2, 253, 254, 255];
  for (let y = 0; y < plane.height; y++) for (let x = 0; x < plane.width; x++) plane.data[y * plane.stride + x] = values[(r() * 6) | 0]!;
  return plane;
}

describe('resize area 2x2: destination widths 1..65, one and two passes', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: odd heights, wide strides, unaligned starts, guard bytes`, () => {
      let seed = 7;
      for (let dw = 1; dw <= 65; dw++) {
        // Short ones (one pass), then one just past the two-pass size (its last row takes one pass),
        // where sources may be that tall (65536 rows at most: from 4 outputs a row on).
        const tall = (Math.ceil(AREA_TWO_PASS / dw) + 1) | 1;
        for (const dh of [1, 2, 3, 5, ...(2 * tall <= 65536 ? [tall] : [])]) {
          const [sw, sh] = [2 * dw, 2 * dh];
          const src = guarded(fk, sw, sh, 'gray', { stride: sw + (dw % 3) * 5, offset: dw % 16, guard: 16 });
          (seed % 2 ? fillRandom : fillExtremes)(src.plane, seed++);
          const dst = guarded(fk, dw, dh, 'gray', { stride: dw + (dw % 4), offset: (dw * 5) % 16, guard: 16 });
          const ref = guarded(fk, dw, dh, 'gray', { guard: 0 });
          fk.resize(dst.plane, src.plane, 'area');
          resizeAreaReference(fk.heap, ref.plane, src.plane, 2, 2);
          expect({ size: `${sw}x${sh} -> ${dw}x${dh}`, diff: firstDifference(dst.plane, ref.plane) }).toEqual({
            size: `${sw}x${sh} -> ${dw}x${dh}`,
            diff: null,
          });
          dst.check();
          src.check();
          for (const g of [src, dst, ref]) g.free();
        }
      }
    });
  }
});

describe('resize against OpenCV.js resize', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!;

  /** Pixels that differ from OpenCV.js, and the largest difference. */
  const compare = (src: Plane, dw: number, dh: number, area: boolean): { n: number; max: number } => {
    const m = new cv.Mat(src.height, src.width, cv.CV_8UC1);
    m.data.set(fk.readPixels(src));
    const o = new cv.Mat();
    cv.resize(m, o, new cv.Size(dw, dh), 0, 0, area ? cv.INTER_AREA : cv.INTER_LINEAR);
    const dst = fk.allocPlane(dw, dh, 'gray', { stride: dw });
    fk.resize(dst, src, area ? 'area' : 'linear');
    let n = 0;
    let max = 0;
    for (let i = 0; i < dw * dh; i++) {
      const d = Math.abs(dst.data[i]! - (o.data as Uint8Array)[i]!);
      if (d) n++;
      max = Math.max(max, d);
    }
    m.delete();
    o.delete();
    fk.freePlane(dst);
    return { n, max };
  };

  test('area (integer factors) and every shrink: byte-identical', () => {
    const failures: string[] = [];
    for (const [sw, sh, dw, dh, area] of [
      ...AREA.map((a) => [...a, true] as const),
      [1280, 720, 640, 360, true], // two passes in wasm/resize.ts
      [640, 480, 333, 251, false],
      [1920, 1080, 1280, 720, false],
      [64, 48, 33, 25, false],
      [17, 9, 16, 4, false],
    ] as const) {
      const src = fillRandom(fk.allocPlane(sw, sh, 'gray'), sw * 3 + dh);
      const r = compare(src, dw, dh, area);
      if (r.n) failures.push(`${area ? 'area' : 'linear'} ${sw}x${sh}->${dw}x${dh}: ${r.n} pixels`);
      fk.freePlane(src);
    }
    expect(failures).toEqual([]);
  });

  test('linear stretches: within 1 grey level, on under 3% of pixels (OpenCV.js horizontal vector step on upscales)', () => {
    for (const [sw, sh, dw, dh] of [
      [10, 10, 20, 20],
      [17, 9, 33, 4],
      [31, 17, 62, 34],
      [100, 60, 301, 181],
      [1, 1, 7, 5],
    ] as const) {
      const src = fillRandom(fk.allocPlane(sw, sh, 'gray'), sw + dw);
      const r = compare(src, dw, dh, false);
      expect(r.max).toBeLessThanOrEqual(1);
      expect(r.n / (dw * dh)).toBeLessThan(0.03);
      fk.freePlane(src);
    }
  });

  for (const name of PHOTOS.slice(0, 3)) {
    test(`${name}: halving, 2/3 and area quarter byte-identical`, async () => {
      const src = grayOf(fk, await fixture(name));
      const { width: w, height: h } = src;
      expect(compare(src, w >> 1, h >> 1, false).n).toBe(0); // exact halving takes the area path; odd sides a linear shrink
      expect(compare(src, Math.round((w * 2) / 3), Math.round((h * 2) / 3), false).n).toBe(0);
      if (w % 4 === 0 && h % 4 === 0) expect(compare(src, w / 4, h / 4, true).n).toBe(0);
      fk.freePlane(src);
    });
  }
});

describe('resize: bad input', () => {
  const [, fk] = fks[2]!;
  test('typed errors, nothing written', () => {
    const src = fillRandom(fk.allocPlane(16, 8, 'gray'), 3);
    const dst = guarded(fk, 5, 3, 'gray');
    const code = errorCode;
    expect(code(() => fk.resize(dst.plane, src, 'area'))).toBe('E_ARGUMENT'); // 16/5 is not an integer factor
    expect(code(() => fk.resize(dst.plane, src, 'cubic' as 'linear'))).toBe('E_ARGUMENT');
    expect(code(() => fk.resize({ ...dst.plane, format: 'i16' }, src))).toBe('E_FORMAT');
    expect(code(() => fk.resize({ ...dst.plane, width: 0 }, src))).toBe('E_DIMENSION');
    expect(code(() => fk.resize({ ...dst.plane, ptr: src.ptr }, src))).toBe('E_ARGUMENT');
    dst.check();
    dst.free();
  });
});
