import { describe, expect, test } from 'bun:test';
import { type Plane, type PixelFormat } from '../../ts/index.js';
import { pyrDownReference } from '../../ts/kernels/pyrdown/reference.js';
import { allocPyramid, pyramidBytes, pyramidPlanes } from '../../ts/kernels/pyrdown/api.js';
import { PHOTOS, fillRandom, fixture, firstDifference, framekits, grayOf, guarded, openCV, errorCode } from '../helpers/index.js';
import { shapes } from '../helpers/shapes.js';

const fks = await framekits();
const half = (n: number) => (n + 1) >> 1;

describe('pyrDown: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: widths 1..65 (odd and even), odd heights, wide strides, unaligned starts`, () => {
      for (const { w, h, src, out, ref } of shapes(fk, { heights: (w) => [1, 2, 3, 6, 7 + (w % 4)] })) {
        const dst = out(half(w), half(h), 'gray');
        const exp = ref(half(w), half(h), 'gray');
        expect(fk.pyrDown(dst, src)).toBe(dst);
        pyrDownReference(fk.heap, exp, src);
        expect(firstDifference(dst, exp)).toBeNull();
      }
    });

    test(`${backend}: photographs, and a 4-level pyramid into preallocated planes`, async () => {
      for (const name of PHOTOS) {
        const src = grayOf(fk, await fixture(name));
        const levels = allocPyramid(fk, src.width, src.height, 4);
        const before = fk.arena.stats();
        expect(fk.buildPyramid(levels, src)).toBe(levels);
        expect(fk.arena.stats()).toEqual(before); // the pyramid allocates nothing
        let prev: Plane | (typeof levels)[number] = src;
        for (const l of levels) {
          const ref = fk.allocPlane(l.width, l.height, 'gray');
          pyrDownReference(fk.heap, ref, prev);
          expect(firstDifference(l as Plane, ref)).toBeNull();
          fk.freePlane(ref);
          prev = l;
        }
        for (const l of levels) fk.freePlane(l as Plane);
        fk.freePlane(src);
      }
    });
  }
});

describe('pyramid levels in one caller-owned region (a frame slot part)', () => {
  const [, fk] = fks[2]!;
  test('pyramidPlanes packs aligned levels inside pyramidBytes; buildPyramid fills them as chained pyrDowns', () => {
    const src = fillRandom(fk.allocPlane(101, 77, 'gray'), 1);
    const bytes = pyramidBytes(101, 77, 3);
    const region = fk.arena.alloc(bytes + 32);
    fk.heap.fill(0xa5, region.ptr, region.ptr + region.size);
    const levels = pyramidPlanes(fk.heap, region.ptr, 101, 77, 3);
    expect(levels.map((l) => [l.width, l.height, (l.ptr - region.ptr) % 16])).toEqual([
      [51, 39, 0],
      [26, 20, 0],
      [13, 10, 0],
    ]);
    const last = levels[2]!;
    expect(last.ptr + last.width * last.height).toBeLessThanOrEqual(region.ptr + bytes);
    fk.buildPyramid(levels, src);
    let prev: Plane = src;
    for (const l of levels) {
      const ref = fk.allocPlane(l.width, l.height, 'gray');
      pyrDownReference(fk.heap, ref, prev);
      expect(firstDifference(l, ref)).toBeNull();
      fk.freePlane(ref);
      prev = l;
    }
    for (let i = region.ptr + bytes; i < region.ptr + region.size; i++) expect(fk.heap[i]).toBe(0xa5);
    fk.arena.free(region);
    fk.freePlane(src);
  });
});

describe('pyrDown matches OpenCV.js pyrDown', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!;

  const same = (src: Plane): boolean => {
    const mat = new cv.Mat(src.height, src.width, cv.CV_8UC1);
    mat.data.set(fk.readPixels(src));
    const out = new cv.Mat();
    cv.pyrDown(mat, out);
    const dst = fk.allocPlane(half(src.width), half(src.height), 'gray', { stride: half(src.width) });
    fk.pyrDown(dst, src);
    const ok =
      out.cols === dst.width && out.rows === dst.height && Buffer.compare(Buffer.from(dst.data), Buffer.from(out.data as Uint8Array)) === 0;
    mat.delete();
    out.delete();
    fk.freePlane(dst);
    return ok;
  };

  test('random images: widths 1..65 and heights 1..9, odd sizes included', () => {
    const failures: string[] = [];
    let seed = 50;
    for (let w = 1; w <= 65; w++) {
      for (let h = 1; h <= 9; h += w % 2 ? 1 : 3) {
        const src = fillRandom(fk.allocPlane(w, h, 'gray'), seed++);
        if (!same(src)) failures.push(`${w}x${h}`);
        fk.freePlane(src);
      }
    }
    expect(failures).toEqual([]);
  });

  for (const name of PHOTOS) {
    test(`${name}: three levels byte-identical`, async () => {
      let src = grayOf(fk, await fixture(name));
      for (let i = 0; i < 3; i++) {
        expect(same(src)).toBe(true);
        const next = fk.allocPlane(half(src.width), half(src.height), 'gray');
        fk.pyrDown(next, src);
        fk.freePlane(src);
        src = next;
      }
      fk.freePlane(src);
    });
  }
});

describe('pyrDown: bad input', () => {
  const [, fk] = fks[2]!;
  const code = errorCode;

  test('a destination of the wrong size, wrong formats, overlaps: typed errors, nothing written, arena unchanged', () => {
    const src = fillRandom(fk.allocPlane(17, 9, 'gray'), 3);
    fk.pyrDown(fk.allocPlane(9, 5, 'gray'), src); // scratch reserved before measuring
    const dst = guarded(fk, 9, 5, 'gray');
    const before = fk.arena.stats();
    const p = dst.plane;
    expect(code(() => fk.pyrDown({ ...p, width: 8 }, src))).toBe('E_DIMENSION'); // OpenCV: (17 + 1) / 2 = 9
    expect(code(() => fk.pyrDown({ ...p, height: 4 }, src))).toBe('E_DIMENSION');
    expect(code(() => fk.pyrDown({ ...p, format: 'i16' as PixelFormat }, src))).toBe('E_FORMAT');
    expect(code(() => fk.pyrDown(p, { ...src, format: 'rgba' }))).toBe('E_FORMAT');
    expect(code(() => fk.pyrDown({ ...p, ptr: fk.memory.buffer.byteLength - 4 }, src))).toBe('E_OUT_OF_BOUNDS');
    expect(code(() => fk.pyrDown({ ...p, ptr: src.ptr + 3 }, src))).toBe('E_ARGUMENT');
    const levels = [fk.allocPlane(9, 5, 'gray'), fk.allocPlane(4, 3, 'gray')];
    const after = fk.arena.stats();
    expect(code(() => fk.buildPyramid(levels, src))).toBe('E_DIMENSION'); // level 2 must be 5x3
    expect(code(() => fk.buildPyramid([p, p], src))).toBe('E_DIMENSION');
    dst.check();
    expect(fk.arena.stats()).toEqual(after);
    expect(after.bytesInUse - before.bytesInUse).toBe(levels.reduce((s, l) => s + l.region!.size, 0));
    dst.free();
  });
});
