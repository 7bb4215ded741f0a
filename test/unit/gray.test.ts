import { describe, expect, test } from 'bun:test';
import { type PixelFormat } from '../../ts/index.js';
import { grayReference } from '../../ts/kernels/gray/reference.js';
import { PHOTOS, fixture, firstDifference, framekits, guarded, openCV, errorCode } from '../helpers/index.js';
import { counter, shapes } from '../helpers/shapes.js';

const COLOUR: PixelFormat[] = ['rgba', 'bgra', 'rgb', 'bgr'];
const fks = await framekits();

describe('gray: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: widths 1..65, odd heights, wide strides, unaligned starts, every format`, () => {
      const seed = counter(1);
      for (const format of COLOUR) {
        for (const { w, h, src, out, ref } of shapes(fk, { format, seed, heights: (w) => [1 + (w % 4) * 2] })) {
          const dst = out(w, h, 'gray');
          const exp = ref(w, h, 'gray');
          fk.gray(dst, src);
          grayReference(fk.heap, exp, src);
          expect(firstDifference(dst, exp)).toBeNull();
        }
      }
    });

    test(`${backend}: photographs`, async () => {
      for (const name of PHOTOS) {
        const img = await fixture(name);
        const src = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data);
        const dst = guarded(fk, img.width, img.height, 'gray');
        const ref = fk.allocPlane(img.width, img.height, 'gray');
        fk.gray(dst.plane, src);
        grayReference(fk.heap, ref, src);
        expect(firstDifference(dst.plane, ref)).toBeNull();
        dst.check();
        dst.free();
        fk.freePlane(ref);
        fk.freePlane(src);
      }
    });
  }
});

describe('gray matches OpenCV.js cvtColor', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!; // wasm-simd
  for (const name of PHOTOS) {
    test(`${name}: RGBA2GRAY, BGRA2GRAY, RGB2GRAY, BGR2GRAY byte-identical`, async () => {
      const img = await fixture(name);
      const { width: w, height: h } = img;
      for (const [format, code, channels] of [
        ['rgba', cv.COLOR_RGBA2GRAY, 4],
        ['bgra', cv.COLOR_BGRA2GRAY, 4],
        ['rgb', cv.COLOR_RGB2GRAY, 3],
        ['bgr', cv.COLOR_BGR2GRAY, 3],
      ] as const) {
        const packed = new Uint8Array(w * h * channels);
        for (let i = 0; i < w * h; i++) for (let c = 0; c < channels; c++) packed[i * channels + c] = img.data[i * 4 + c]!;
        const mat = new cv.Mat(h, w, channels === 4 ? cv.CV_8UC4 : cv.CV_8UC3);
        mat.data.set(packed);
        const out = new cv.Mat();
        cv.cvtColor(mat, out, code);
        const src = fk.writePixels(fk.allocPlane(w, h, format as PixelFormat), packed);
        const dst = fk.allocPlane(w, h, 'gray', { stride: w });
        fk.gray(dst, src);
        expect(Buffer.compare(Buffer.from(dst.data), Buffer.from(out.data as Uint8Array))).toBe(0);
        mat.delete();
        out.delete();
        fk.freePlane(src);
        fk.freePlane(dst);
      }
    });
  }
});

describe('gray: bad input', () => {
  const [, fk] = fks[2]!;
  const code = errorCode;

  test('errors are typed, nothing is written, the arena is unchanged', () => {
    const src = fk.allocPlane(16, 8, 'rgba');
    const dst = guarded(fk, 16, 8, 'gray');
    const before = fk.arena.stats();
    const p = dst.plane;
    expect(code(() => fk.gray({ ...p, width: 0 }, src))).toBe('E_DIMENSION');
    expect(code(() => fk.gray({ ...p, width: 1.5 }, src))).toBe('E_DIMENSION');
    expect(code(() => fk.gray({ ...p, height: -3 }, src))).toBe('E_DIMENSION');
    expect(code(() => fk.gray({ ...p, stride: 8 }, src))).toBe('E_STRIDE');
    expect(code(() => fk.gray(p, { ...src, format: 'yuv' as PixelFormat }))).toBe('E_FORMAT');
    expect(code(() => fk.gray({ ...p, format: 'rgba' }, src))).toBe('E_FORMAT');
    expect(code(() => fk.gray({ ...p, width: 8 }, src))).toBe('E_DIMENSION');
    expect(code(() => fk.gray({ ...p, ptr: 16 }, src))).toBe('E_OUT_OF_BOUNDS'); // static data, not arena
    expect(code(() => fk.gray({ ...p, ptr: fk.memory.buffer.byteLength - 8 }, src))).toBe('E_OUT_OF_BOUNDS');
    expect(code(() => fk.gray({ ...p, ptr: src.ptr }, src))).toBe('E_ARGUMENT'); // overlap
    expect(code(() => fk.writePixels(src, new Uint8Array(10)))).toBe('E_BUFFER_SIZE');
    expect(code(() => fk.allocPlane(100000, 100000, 'rgba'))).toBe('E_DIMENSION');
    expect(code(() => fk.allocPlane(8000, 8000, 'rgba'))).toBe('E_OUT_OF_MEMORY');
    expect(code(() => fk.allocPlane(8, 8, 'hsv' as PixelFormat))).toBe('E_FORMAT');
    dst.check();
    expect(fk.arena.stats()).toEqual(before);
    dst.free();
    fk.freePlane(src);
  });
});
