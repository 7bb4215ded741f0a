import { describe, expect, test } from 'bun:test';
import { type Framekit, type Plane } from '../../ts/index.js';
import { yuvReference } from '../../ts/kernels/yuv/reference.js';
import { PHOTOS, fixture, firstDifference, framekits, guarded, openCV, randomBytes, errorCode } from '../helpers/index.js';

const fks = await framekits();

/** One I420 buffer as the planes framekit takes: Y, U, V and (the same chroma interleaved) NV12's UV. */
function planes(fk: Framekit, w: number, h: number, buf: Uint8Array, pad = 0) {
  const q = (w * h) / 4;
  const y = fk.writePixels(fk.allocPlane(w, h, 'gray', { stride: w + pad }), buf.subarray(0, w * h));
  const u = fk.writePixels(fk.allocPlane(w / 2, h / 2, 'gray', { stride: w / 2 + pad }), buf.subarray(w * h, w * h + q));
  const v = fk.writePixels(fk.allocPlane(w / 2, h / 2, 'gray', { stride: w / 2 + pad }), buf.subarray(w * h + q));
  const uvBytes = new Uint8Array(2 * q);
  for (let i = 0; i < q; i++) {
    uvBytes[2 * i] = buf[w * h + i]!;
    uvBytes[2 * i + 1] = buf[w * h + q + i]!;
  }
  const uv = fk.writePixels(fk.allocPlane(w, h / 2, 'gray', { stride: w + pad }), uvBytes);
  return { y, u, v, uv, uvBytes, free: () => [y, u, v, uv].forEach((p) => fk.freePlane(p)) };
}

describe('i420ToRgba / nv12ToRgba: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: even widths 2..66, heights 2..8, wide strides, unaligned destinations`, () => {
      for (let w = 2; w <= 66; w += 2) {
        const h = 2 + (w % 4) * 2;
        const p = planes(fk, w, h, randomBytes((w * h * 3) / 2, w), w % 7);
        const dst = guarded(fk, w, h, 'rgba', { stride: 4 * w + (w % 5), offset: w % 16 });
        const ref = guarded(fk, w, h, 'rgba');
        expect(fk.i420ToRgba(dst.plane, p.y, p.u, p.v)).toBe(dst.plane);
        yuvReference(fk.heap, ref.plane, p.y, p.u.ptr, p.u.stride, p.v.ptr, p.v.stride, 1);
        expect(firstDifference(dst.plane, ref.plane)).toBeNull();
        fk.nv12ToRgba(dst.plane, p.y, p.uv);
        expect(firstDifference(dst.plane, ref.plane)).toBeNull(); // the same chroma, interleaved
        dst.check();
        dst.free();
        ref.free();
        p.free();
      }
    });
  }
});

describe('i420ToRgba / nv12ToRgba match OpenCV.js cvtColor', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!;

  const check = (w: number, h: number, buf: Uint8Array): string[] => {
    const failures: string[] = [];
    const p = planes(fk, w, h, buf);
    const dst = fk.allocPlane(w, h, 'rgba', { stride: 4 * w });
    for (const [name, code, bytes] of [
      ['I420', cv.COLOR_YUV2RGBA_I420, buf],
      ['NV12', cv.COLOR_YUV2RGBA_NV12, Uint8Array.from([...buf.subarray(0, w * h), ...p.uvBytes])],
    ] as const) {
      const m = new cv.Mat((h * 3) / 2, w, cv.CV_8UC1);
      m.data.set(bytes);
      const o = new cv.Mat();
      cv.cvtColor(m, o, code);
      if (name === 'I420') fk.i420ToRgba(dst, p.y, p.u, p.v);
      else fk.nv12ToRgba(dst, p.y, p.uv);
      if (Buffer.compare(Buffer.from(dst.data), Buffer.from(o.data as Uint8Array)) !== 0) failures.push(`${name} ${w}x${h}`);
      m.delete();
      o.delete();
    }
    fk.freePlane(dst);
    p.free();
    return failures;
  };

  test('random frames, even sizes 2..66 (every tail length) and 640x480', () => {
    const failures: string[] = [];
    for (let w = 2; w <= 66; w += 2) failures.push(...check(w, 2 + (w % 6), randomBytes((w * (2 + (w % 6)) * 3) / 2, w)));
    failures.push(...check(640, 480, randomBytes(640 * 720, 9)));
    expect(failures).toEqual([]);
  });

  test('photographs converted to I420 by OpenCV.js, back to RGBA', async () => {
    const failures: string[] = [];
    for (const name of PHOTOS.slice(0, 3)) {
      const img = await fixture(name);
      const w = img.width & ~1;
      const h = img.height & ~1;
      const rgba = new cv.Mat(h, w, cv.CV_8UC4);
      for (let r = 0; r < h; r++) rgba.data.set(img.data.subarray(r * img.width * 4, (r * img.width + w) * 4), r * w * 4);
      const yuv = new cv.Mat();
      cv.cvtColor(rgba, yuv, cv.COLOR_RGBA2YUV_I420);
      failures.push(...check(w, h, Uint8Array.from(yuv.data as Uint8Array)));
      rgba.delete();
      yuv.delete();
    }
    expect(failures).toEqual([]);
  });
});

describe('i420ToRgba / nv12ToRgba: bad input', () => {
  const [, fk] = fks[2]!;
  test('odd sizes, wrong chroma sizes or formats, overlaps: typed errors, nothing written', () => {
    const p = planes(fk, 16, 8, randomBytes(192, 1));
    const dst = guarded(fk, 16, 8, 'rgba');
    const code = errorCode;
    const odd: Plane = { ...p.y, width: 15 } as Plane;
    expect(code(() => fk.i420ToRgba({ ...dst.plane, width: 15 }, odd, p.u, p.v))).toBe('E_DIMENSION'); // OpenCV wants even sides
    expect(code(() => fk.i420ToRgba(dst.plane, p.y, { ...p.u, width: 7 }, p.v))).toBe('E_DIMENSION');
    expect(code(() => fk.i420ToRgba(dst.plane, p.y, p.u, { ...p.v, format: 'rgba' }))).toBe('E_FORMAT');
    expect(code(() => fk.i420ToRgba({ ...dst.plane, format: 'bgra' }, p.y, p.u, p.v))).toBe('E_FORMAT');
    expect(code(() => fk.nv12ToRgba(dst.plane, p.y, p.u))).toBe('E_DIMENSION'); // uv is w x h/2
    expect(code(() => fk.nv12ToRgba({ ...dst.plane, ptr: p.y.ptr }, p.y, p.uv))).toBe('E_ARGUMENT');
    dst.check();
    dst.free();
    p.free();
  });
});
