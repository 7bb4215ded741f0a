import { describe, expect, test } from 'bun:test';
import { type Plane, type WarpOptions } from '../../ts/index.js';
import { invertAffine, invertPerspective } from '../../ts/kernels/warp/matrix.js';
import { cameraPath, photoMap, renderFrame } from '../../ts/track/synthetic.js';
import { warpAffineReference, warpPerspectiveReference } from '../../ts/kernels/warp/reference.js';
import { PHOTOS, errorCode, fillRandom, fixture, firstDifference, framekits, guarded, loadOpenCV, mulberry32 } from '../helpers/index.js';

const fks = await framekits();

/** A random affine map (rotation, anisotropic scale, shear, shift) sized for a w x h image. */
function randomAffine(r: () => number, w: number, h: number): number[] {
  const a = r() * 2 * Math.PI;
  const s = 0.3 + r() * 2.5;
  return [
    s * Math.cos(a) + r() * 0.3,
    -s * Math.sin(a),
    (r() - 0.5) * 2 * w,
    s * Math.sin(a),
    s * Math.cos(a) - r() * 0.3,
    (r() - 0.5) * 2 * h,
  ];
}

/** A random homography: an affine map plus a perspective row strong enough to bring a horizon near the image. */
function randomHomography(r: () => number, w: number, h: number): number[] {
  return [...randomAffine(r, w, h), (r() - 0.5) * (4 / w), (r() - 0.5) * (4 / h), 0.6 + r() * 0.8];
}

/** The inverse map the kernel samples with, as the API computes it. */
function inverseOf(M: number[], o: WarpOptions): Float64Array {
  const m = new Float64Array(9);
  if (o.inverseMap) m.set(M);
  else if (M.length === 6) invertAffine(M, m);
  else invertPerspective(M, m);
  return m;
}

const BORDERS: WarpOptions[] = [
  { border: 'constant', borderValue: [17, 200, 3, 99] },
  { border: 'replicate' },
  { border: 'constant', borderValue: 255, inverseMap: true },
  { border: 'replicate', inverseMap: true },
];

describe('warp: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: affine and perspective, gray and RGBA, widths 1..65, wide strides, unaligned starts, guard bytes`, () => {
      const r = mulberry32(11);
      for (let dw = 1; dw <= 65; dw++) {
        for (const format of ['gray', 'rgba'] as const) {
          const cn = format === 'gray' ? 1 : 4;
          const sw = 1 + ((dw * 7) % 41);
          const sh = 1 + ((dw * 5) % 23);
          const dh = 1 + (dw % 9);
          const src = guarded(fk, sw, sh, format, { stride: sw * cn + (dw % 3) * 5, offset: dw % 16, guard: 16 });
          fillRandom(src.plane, dw * 2 + cn);
          const dst = guarded(fk, dw, dh, format, { stride: dw * cn + (dw % 4), offset: (dw * 3) % 16, guard: 16 });
          const ref = guarded(fk, dw, dh, format, { guard: 0 });
          const perspective = dw % 2 === 0;
          const M = perspective ? randomHomography(r, sw, sh) : randomAffine(r, sw, sh);
          const o = BORDERS[dw % BORDERS.length]!;
          const value =
            o.borderValue === undefined ? [0, 0, 0, 0] : typeof o.borderValue === 'number' ? [255, 255, 255, 255] : [17, 200, 3, 99];
          if (perspective) {
            expect(fk.warpPerspective(dst.plane, src.plane, M, o)).toBe(dst.plane);
            warpPerspectiveReference(fk.heap, ref.plane, src.plane, cn, inverseOf(M, o), o.border!, value);
          } else {
            expect(fk.warpAffine(dst.plane, src.plane, M, o)).toBe(dst.plane);
            warpAffineReference(fk.heap, ref.plane, src.plane, cn, inverseOf(M, o), o.border!, value);
          }
          expect({ dw, format, diff: firstDifference(dst.plane, ref.plane) }).toEqual({ dw, format, diff: null });
          dst.check();
          src.check();
          for (const g of [src, dst, ref]) g.free();
        }
      }
    });
  }
});

describe('warp: both engine forms of the SIMD build (lane loads for V8, scalar loads and swizzles for JavaScriptCore)', () => {
  // The API takes the form this engine compiles best; here each is called through the export.
  test('forms 0 and 1: affine and perspective, gray and RGBA, both borders, odd sizes, guard bytes', () => {
    const fk = fks[2]![1];
    const px = fk.context.wasm!.pixels;
    const f64 = new Float64Array(fk.heap.buffer);
    const r = mulberry32(5);
    for (let t = 0; t < 48; t++) {
      const format = t % 2 ? 'rgba' : 'gray';
      const cn = format === 'gray' ? 1 : 4;
      const sw = 2 + ((t * 37) % 97);
      const sh = 2 + ((t * 23) % 61);
      const dw = 1 + ((t * 29) % 131);
      const dh = 1 + ((t * 13) % 37);
      const src = guarded(fk, sw, sh, format, { stride: sw * cn + (t % 3) * 3, offset: t % 16, guard: 16 });
      fillRandom(src.plane, 300 + t);
      const perspective = t % 4 >= 2;
      const M = perspective ? randomHomography(r, sw, sh) : randomAffine(r, sw, sh);
      const o = BORDERS[t % BORDERS.length]!;
      const value =
        o.borderValue === undefined ? [0, 0, 0, 0] : typeof o.borderValue === 'number' ? [255, 255, 255, 255] : [17, 200, 3, 99];
      const inv = inverseOf(M, o);
      const ref = guarded(fk, dw, dh, format, { guard: 0 });
      if (perspective) warpPerspectiveReference(fk.heap, ref.plane, src.plane, cn, inv, o.border!, value);
      else warpAffineReference(fk.heap, ref.plane, src.plane, cn, inv, o.border!, value);
      for (const v8 of [0, 1]) {
        const dst = guarded(fk, dw, dh, format, { stride: dw * cn + (t % 5), offset: (t * 3) % 16, guard: 16 });
        const s = fk.context.scratch.take(fk.context.kernels.warp.scratchBytes(dw));
        f64.set(inv, s >> 3);
        const packed = (value[0]! | (value[1]! << 8) | (value[2]! << 16) | (value[3]! << 24)) >>> 0;
        const b = o.border === 'replicate' ? 1 : 0;
        const p = dst.plane;
        const q = src.plane;
        if (perspective) px.warp_perspective(q.ptr, q.stride, sw, sh, p.ptr, p.stride, dw, dh, cn, s, b, packed, s + 80, v8);
        else px.warp_affine(q.ptr, q.stride, sw, sh, p.ptr, p.stride, dw, dh, cn, s, b, packed, s + 80, v8);
        expect({ t, v8, diff: firstDifference(p, ref.plane) }).toEqual({ t, v8, diff: null });
        dst.check();
        dst.free();
      }
      src.check();
      src.free();
      ref.free();
    }
  });
});

describe('warp: warpAffine rows whose taps leave the source part of the way along', () => {
  // The SIMD warpAffine skips the edge tests in the run of columns whose 2x2 blocks lie inside,
  // found per row from the column tables; these inverse maps put that run at either end, in the
  // middle, nowhere, mirrored (M0 < 0), or past an int32 wrap of the fixed-point position (as
  // OpenCV's int additions wrap).
  const maps: Array<[string, number[]]> = [
    ['enters from the left', [0.9, 0.05, -37.3, -0.04, 1.1, 2.6]],
    ['leaves on the right', [1.3, -0.02, 11.1, 0.03, 0.95, -1.2]],
    ['mirrored, crosses both edges', [-0.7, 0.1, 60.2, 0.02, -0.8, 40.7]],
    ['steep, crosses the top and bottom', [0.2, 0.3, 5.5, 0.45, 0.01, -20.3]],
    ['all outside', [1, 0, 500.5, 0, 1, 3]],
    // M0 x 1024 saturates to INT_MAX from the second column: X0 + INT_MAX wraps negative (outside).
    ['saturates, then wraps past int32', [5e6, 0, 20.3, 0.01, 0.6, 2.2]],
    // Both terms saturate to INT_MIN: their sum wraps to 16, column 0, inside again.
    ['saturates, then wraps back inside', [-5e6, 0, -3e6, 0.01, 0.6, 2.2]],
  ];
  for (const [backend, fk] of fks) {
    test(`${backend}: gray and RGBA, both borders, both engine forms, guard bytes`, () => {
      const px = fk.context.wasm?.pixels;
      const f64 = new Float64Array(fk.heap.buffer);
      for (const [name, M] of maps) {
        for (const format of ['gray', 'rgba'] as const) {
          for (const border of ['constant', 'replicate'] as const) {
            const cn = format === 'gray' ? 1 : 4;
            const [sw, sh, dw, dh] = [53, 41, 203, 29];
            const src = guarded(fk, sw, sh, format, { stride: sw * cn + 3, offset: 5, guard: 16 });
            fillRandom(src.plane, name.length * 7 + cn);
            const value = border === 'constant' ? [9, 250, 33, 128] : [0, 0, 0, 0];
            const ref = guarded(fk, dw, dh, format, { guard: 0 });
            warpAffineReference(fk.heap, ref.plane, src.plane, cn, Float64Array.from(M), border, value);
            const dst = guarded(fk, dw, dh, format, { stride: dw * cn + 1, offset: 7, guard: 16 });
            fk.warpAffine(dst.plane, src.plane, M, { inverseMap: true, border, borderValue: value });
            expect({ name, format, border, diff: firstDifference(dst.plane, ref.plane) }).toEqual({ name, format, border, diff: null });
            for (const v8 of px && backend === 'wasm-simd' ? [0, 1] : []) {
              const s = fk.context.scratch.take(fk.context.kernels.warp.scratchBytes(dw));
              f64.set(M, s >> 3);
              const packed = (value[0]! | (value[1]! << 8) | (value[2]! << 16) | (value[3]! << 24)) >>> 0;
              const [p, q] = [dst.plane, src.plane];
              px!.warp_affine(q.ptr, q.stride, sw, sh, p.ptr, p.stride, dw, dh, cn, s, border === 'replicate' ? 1 : 0, packed, s + 80, v8);
              expect({ name, format, border, v8, diff: firstDifference(p, ref.plane) }).toEqual({ name, format, border, v8, diff: null });
            }
            dst.check();
            src.check();
            for (const g of [src, dst, ref]) g.free();
          }
        }
      }
    });
  }
});

/** Homographies (destination from source) for a w x h photograph into a 1.25w x h destination. */
function namedWarps(w: number, h: number): Array<[string, number[]]> {
  const a = 0.35;
  const [c, s] = [Math.cos(a), Math.sin(a)];
  return [
    ['rotation about the centre', [c, -s, w / 2 - c * (w / 2) + s * (h / 2) + 0.37, s, c, h / 2 - s * (w / 2) - c * (h / 2) - 0.81]],
    ['scale up 2.3x', [2.3, 0.04, -w * 0.6, -0.03, 2.3, -h * 0.7]],
    ['scale down 0.37x', [0.37, 0.01, 11.3, 0.02, 0.41, 7.9]],
    ['strong perspective', [1.1, 0.25, -20, 0.05, 0.9, 15, 0.0011, 0.0006, 1]],
    ['tilted plane, parts outside', [0.8, -0.3, 40, 0.2, 0.7, -10, -0.0012, 0.0015, 0.95]],
    ['horizon inside the image', [1, 0.2, -50, 0.1, 1, -30, 0.004, 0.003, -0.9]],
    ['rotation and perspective', [c * 1.2, -s, 30, s, c * 1.1, -25, 0.0004, -0.0009, 1.05]],
  ];
}

describe('warp against OpenCV.js warpAffine / warpPerspective', async () => {
  const cv = (await loadOpenCV())?.cv;
  test('OpenCV.js is installed (a development dependency)', () => expect(cv).toBeTruthy());

  /** Pixels that differ from OpenCV.js and the largest difference, for every backend (src lives in the SIMD framekit). */
  function compare(src: Plane, M: number[], dw: number, dh: number, o: WarpOptions): Record<string, string> {
    const cn = src.format === 'gray' ? 1 : 4;
    const pixels = fks[2]![1].readPixels(src);
    const m = new cv.Mat(src.height, src.width, cn === 1 ? cv.CV_8UC1 : cv.CV_8UC4);
    m.data.set(pixels);
    const out = new cv.Mat();
    const mm = cv.matFromArray(M.length === 6 ? 2 : 3, 3, cv.CV_64F, M);
    const flags = cv.INTER_LINEAR | (o.inverseMap ? cv.WARP_INVERSE_MAP : 0);
    const border = o.border === 'replicate' ? cv.BORDER_REPLICATE : cv.BORDER_CONSTANT;
    const bv =
      typeof o.borderValue === 'number' ? [o.borderValue, o.borderValue, o.borderValue, o.borderValue] : (o.borderValue ?? [0, 0, 0, 0]);
    const scalar = new cv.Scalar(...bv);
    if (M.length === 6) cv.warpAffine(m, out, mm, new cv.Size(dw, dh), flags, border, scalar);
    else cv.warpPerspective(m, out, mm, new cv.Size(dw, dh), flags, border, scalar);
    const expected = out.data as Uint8Array;
    const result: Record<string, string> = {};
    for (const [backend, fk] of fks) {
      const s = fk.allocPlane(src.width, src.height, src.format);
      fk.writePixels(s, pixels);
      const d = fk.allocPlane(dw, dh, src.format, { stride: dw * cn });
      if (M.length === 6) fk.warpAffine(d, s, M, o);
      else fk.warpPerspective(d, s, M, o);
      let n = 0;
      let max = 0;
      for (let i = 0; i < dw * dh * cn; i++) {
        const diff = Math.abs(d.data[i]! - expected[i]!);
        if (diff) n++;
        max = Math.max(max, diff);
      }
      result[backend] = `${n} pixels differ, max ${max}`;
      fk.freePlane(d);
      fk.freePlane(s);
    }
    for (const x of [m, out, mm]) x.delete();
    return result;
  }

  const identical = Object.fromEntries(fks.map(([b]) => [b, '0 pixels differ, max 0']));

  for (const name of PHOTOS) {
    test(`${name}: seven warps, gray and RGBA, both borders, forward and inverse maps: byte-identical`, async () => {
      const img = await fixture(name);
      const [, fk] = fks[2]!;
      const rgba = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data);
      const gray = fk.gray(fk.allocPlane(img.width, img.height, 'gray'), rgba) as Plane;
      const failures: string[] = [];
      let k = 0;
      for (const [label, M] of namedWarps(img.width, img.height)) {
        const src = k % 2 ? rgba : gray;
        const o: WarpOptions = [
          { border: 'constant', borderValue: [30, 60, 90, 120] },
          { border: 'replicate' },
          { border: 'constant', inverseMap: true },
          { border: 'replicate', inverseMap: true },
        ][k % 4]!;
        // The destination wider than the photo: parts of it map outside.
        const r = compare(src, M, Math.round(img.width * 1.25) | 1, img.height, o);
        if (JSON.stringify(r) !== JSON.stringify(identical))
          failures.push(`${label} (${src.format}, ${JSON.stringify(o)}): ${JSON.stringify(r)}`);
        k++;
      }
      fk.freePlane(gray);
      fk.freePlane(rgba);
      expect(failures).toEqual([]);
    }, 60_000);
  }

  test('seeded random images and matrices, odd sizes, both borders: byte-identical', () => {
    const r = mulberry32(99);
    const [, fk] = fks[2]!;
    const failures: string[] = [];
    for (let t = 0; t < 60; t++) {
      const format = t % 3 === 0 ? 'rgba' : 'gray';
      const sw = 5 + ((t * 37) % 151);
      const sh = 3 + ((t * 23) % 97);
      const src = fillRandom(fk.allocPlane(sw, sh, format), 1000 + t);
      const M = t % 2 ? randomHomography(r, sw, sh) : randomAffine(r, sw, sh);
      const o = BORDERS[t % BORDERS.length]!;
      const res = compare(src, M, 1 + ((t * 29) % 173), 1 + ((t * 13) % 61), o);
      if (JSON.stringify(res) !== JSON.stringify(identical)) failures.push(`${t}: ${JSON.stringify(res)}`);
      fk.freePlane(src);
    }
    expect(failures).toEqual([]);
  });

  test('1080p gray and RGBA through the SIMD blocks (64-column perspective blocks, 8-pixel steps): byte-identical', async () => {
    const img = await fixture('astronaut.png');
    const [, fk] = fks[2]!;
    const rgba = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data);
    const gray = fk.gray(fk.allocPlane(img.width, img.height, 'gray'), rgba) as Plane;
    const H = [3.2, 0.4, -300, -0.2, 2.9, -150, 0.0003, 0.0002, 1];
    expect(compare(gray, H, 1920, 1080, { border: 'replicate' })).toEqual(identical);
    expect(compare(rgba, [3.5, 0.3, -200, -0.25, 3.1, -100], 1920, 1080, { border: 'constant', borderValue: 40 })).toEqual(identical);
    fk.freePlane(gray);
    fk.freePlane(rgba);
  }, 120_000);
});

describe('warp: bad input is a typed error and writes nothing', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}`, () => {
      const src = fillRandom(fk.allocPlane(20, 10, 'gray'), 5);
      const dst = guarded(fk, 12, 9, 'gray');
      const rgba = fk.allocPlane(20, 10, 'rgba');
      const rgb = fk.allocPlane(20, 10, 'rgb');
      const A = [1, 0.1, 2, -0.1, 1, 3];
      const H = [1, 0.1, 2, -0.1, 1, 3, 0.001, 0, 1];
      const codes = [
        errorCode(() => fk.warpAffine(dst.plane, src, [1, 0, 0, 0, 1])),
        errorCode(() => fk.warpPerspective(dst.plane, src, A)),
        errorCode(() => fk.warpAffine(dst.plane, src, [1, 0, NaN, 0, 1, 0])),
        errorCode(() => fk.warpPerspective(dst.plane, src, [1, 0, 0, 0, 1, 0, 0, Infinity, 1])),
        errorCode(() => fk.warpAffine(dst.plane, src, [1, 2, 0, 2, 4, 0])),
        errorCode(() => fk.warpPerspective(dst.plane, src, [1, 2, 3, 2, 4, 6, 0, 0, 1])),
        errorCode(() => fk.warpAffine(dst.plane, src, A, { border: 'reflect' as never })),
        errorCode(() => fk.warpAffine(dst.plane, src, A, { borderValue: [1, 2, 3, 4, 5] })),
        errorCode(() => fk.warpAffine(dst.plane, src, A, { borderValue: NaN })),
        errorCode(() => fk.warpAffine(dst.plane, src, null as never)),
        errorCode(() => fk.warpAffine(dst.plane, rgba, A)),
        errorCode(() => fk.warpAffine(fk.allocPlane(12, 9, 'rgb'), rgb, A)),
        errorCode(() => fk.warpPerspective(dst.plane, { ...src, stride: 5 }, H)),
        errorCode(() => fk.warpPerspective(dst.plane, { ...src, ptr: 8 }, H)),
        errorCode(() => fk.warpPerspective({ ...src, width: 8, height: 4 }, src, H)),
        errorCode(() => fk.warpAffine({ ...src, ptr: src.ptr + 40, width: 8 }, src, A)),
      ];
      expect(codes).toEqual([
        'E_ARGUMENT',
        'E_ARGUMENT',
        'E_ARGUMENT',
        'E_ARGUMENT',
        'E_ARGUMENT',
        'E_ARGUMENT',
        'E_ARGUMENT',
        'E_ARGUMENT',
        'E_ARGUMENT',
        'E_ARGUMENT',
        'E_FORMAT',
        'E_FORMAT',
        'E_STRIDE',
        'E_OUT_OF_BOUNDS',
        'E_ARGUMENT',
        'E_ARGUMENT',
      ]);
      const wide = fk.allocPlane(32768, 1, 'gray');
      expect(errorCode(() => fk.warpAffine(dst.plane, wide, A))).toBe('E_DIMENSION');
      // Nothing written: the destination is still all zeros and its guards intact.
      expect(dst.plane.data.every((v, i) => i % dst.plane.stride >= 12 || v === 0)).toBe(true);
      dst.check();
      for (const p of [src, rgba, rgb, wide]) fk.freePlane(p);
      dst.free();
    });
  }
});

describe('the synthetic camera path renders with warpPerspective', () => {
  test('renderFrame (TypeScript, outside the memory) gives the bytes the kernel gives every backend', async () => {
    const img = await fixture('astronaut.png');
    const luma = new Uint8Array(img.width * img.height);
    for (let i = 0; i < luma.length; i++) luma[i] = img.data[i * 4 + 1]!;
    const path = cameraPath(320, 240, img.width);
    for (const k of [0, 37, 150]) {
      const frame = path.frame(k);
      const expected = new Uint8Array(320 * 240);
      renderFrame(expected, 320, path, frame, { width: img.width, height: img.height, data: luma });
      for (const [backend, fk] of fks) {
        const photo = fk.writePixels(fk.allocPlane(img.width, img.height, 'gray'), luma);
        const out = fk.allocPlane(320, 240, 'gray', { stride: 320 });
        fk.warpPerspective(out, photo, photoMap(frame, img.width, img.height), { inverseMap: true, border: 'replicate' });
        expect({ backend, k, same: out.data.every((v, i) => v === expected[i]) }).toEqual({ backend, k, same: true });
        fk.freePlane(out);
        fk.freePlane(photo);
      }
    }
  });
});
