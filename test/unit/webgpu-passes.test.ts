// Every WebGPU pass against its oracles: the plain TypeScript reference of its kernel
// (ts/kernels/<kernel>/reference.ts) and, for blur, pyrDown, Sobel and FAST, OpenCV.js run on the
// same input in the test.
import { afterAll, describe, expect, test } from 'bun:test';
import { createFramekit, type PixelFormat } from '../../ts/index.js';
import { grayReference } from '../../ts/kernels/gray/reference.js';
import { gaussianReference } from '../../ts/kernels/gaussian/reference.js';
import { gaussianPlan } from '../../ts/kernels/gaussian/plan.js';
import { pyrDownReference } from '../../ts/kernels/pyrdown/reference.js';
import { sobelReference } from '../../ts/kernels/sobel/reference.js';
import { derivPlan } from '../../ts/kernels/sobel/kernels.js';
import { fastReference } from '../../ts/kernels/fast/reference.js';
import type { PlaneLike } from '../../ts/index.js';
import { gpuPlane } from '../../ts/backends/webgpu/pass.js';
import { GrayPass } from '../../ts/backends/webgpu/passes/gray.js';
import { GrayTexturePass } from '../../ts/backends/webgpu/passes/gray-texture.js';
import { BlurPass } from '../../ts/backends/webgpu/passes/blur.js';
import { PyrDownPass, pyrDownSize } from '../../ts/backends/webgpu/passes/pyrdown.js';
import { SobelPass } from '../../ts/backends/webgpu/passes/sobel.js';
import { FastPass } from '../../ts/backends/webgpu/passes/fast.js';
import {
  KEYPOINT_BYTES,
  KEYPOINT_HEADER_BYTES,
  KEYPOINT_HEADER_WORDS,
  KEYPOINT_RESPONSE_MASK,
  KEYPOINT_WORDS,
  KEYPOINT_X_MASK,
  KEYPOINT_Y_SHIFT,
} from '../../ts/core/formats.js';
import { gpuUpload, uploadPlane } from '../../ts/backends/webgpu/transfer.js';
import { PHOTOS, fillRandom, fixture, loadOpenCV } from '../helpers/index.js';
import { firstMismatch, packed, runAndRead, testGpu, uploadGray } from './webgpu-helpers.js';

const { gpu, reason } = await testGpu();
const cv = (await loadOpenCV())?.cv;
const fk = await createFramekit({ arenaBytes: 64 << 20, backend: 'wasm-simd' });
afterAll(() => gpu?.device.destroy());

test('a WebGPU adapter is available (CI installs Mesa EGL and the webgpu package)', () => {
  expect(reason).toBeNull();
  expect(cv).toBeTruthy();
});

/** Sizes that hit every word tail and the reflect-101 corner cases (1- and 2-pixel lines). */
const SIZES: Array<[number, number]> = [];
for (let w = 1; w <= 65; w++) SIZES.push([w, 1 + (w % 7)]);
SIZES.push([2, 2], [1, 9], [97, 33], [640, 480]);

const COLOUR: Array<[PixelFormat, number]> = [
  ['rgba', 4],
  ['bgra', 4],
  ['rgb', 3],
  ['bgr', 3],
  ['gray', 1],
];

describe.skipIf(!gpu)('webgpu passes', () => {
  const g = gpu!;
  const q = () => g.device.queue;

  test('gray: every format, widths 1..65, padded strides, equals the reference', async () => {
    let seed = 1;
    for (const [format, bpp] of COLOUR) {
      for (const [w, h] of SIZES) {
        const src = fillRandom(fk.allocPlane(w, h, format, { stride: w * bpp + (w % 5) }), seed++);
        const ref = fk.allocPlane(w, h, 'gray', { stride: w });
        grayReference(fk.heap, ref, src);
        const up = gpuUpload(g.pool, 'src', w, h, format);
        uploadPlane(q(), up, fk.heap, src, new Uint8Array(up.strideBytes));
        const dst = gpuPlane(g.pool, 'dst', w, h, 'gray');
        const pass = new GrayPass(g.pool, dst, up);
        const got = await runAndRead(g, dst, (p) => pass.encode(p));
        expect([format, w, h, firstMismatch(got, ref.data)]).toEqual([format, w, h, -1]);
        for (const b of [up.buffer, dst.buffer, pass.params]) g.pool.release(b);
        fk.freePlane(ref);
        fk.freePlane(src);
      }
    }
  }, 60_000);

  test('gray from a texture (rgba8unorm, bgra8unorm via writeTexture): widths 1..65, equals the reference', async () => {
    let seed = 50;
    for (const format of ['rgba', 'bgra'] as const) {
      for (const [w, h] of SIZES) {
        const src = fillRandom(fk.allocPlane(w, h, format, { stride: w * 4 + 4 * (w % 3) }), seed++);
        const ref = fk.allocPlane(w, h, 'gray', { stride: w });
        grayReference(fk.heap, ref, src);
        const tex = g.pool.texture('src', w, h, `${format}8unorm`, 0x04 | 0x02);
        q().writeTexture(
          { texture: tex },
          fk.heap as Uint8Array<ArrayBuffer>,
          { offset: src.ptr, bytesPerRow: src.stride, rowsPerImage: h },
          [w, h],
        );
        const dst = gpuPlane(g.pool, 'dst', w, h, 'gray');
        const pass = new GrayTexturePass(g.pool, dst, tex);
        const got = await runAndRead(g, dst, (p) => pass.encode(p));
        expect([format, w, h, firstMismatch(got, ref.data)]).toEqual([format, w, h, -1]);
        for (const b of [dst.buffer, pass.params]) g.pool.release(b);
        tex.destroy();
        fk.freePlane(ref);
        fk.freePlane(src);
      }
    }
  }, 60_000);

  /** Runs an 8-bit-in pass on a gray plane and OpenCV.js on the same pixels; compares bytes. */
  async function versusOpenCV(
    name: string,
    w: number,
    h: number,
    seedOrPhoto: number | Uint8Array,
    gpuRun: (src: ReturnType<typeof uploadGray>) => Promise<{ got: Uint8Array; release: () => void }>,
    cvRun: (src: unknown, dst: unknown) => void,
    ref: { w: number; h: number; format: 'gray' | 'i16'; run: (dst: PlaneLike, src: PlaneLike) => void },
  ) {
    const src = fk.allocPlane(w, h, 'gray', { stride: w });
    if (typeof seedOrPhoto === 'number') fillRandom(src, seedOrPhoto);
    else src.data.set(seedOrPhoto);
    const up = uploadGray(g, fk.heap, src);
    const { got, release } = await gpuRun(up);
    const m = new cv.Mat(h, w, cv.CV_8UC1);
    m.data.set(packed(fk.heap, src));
    const out = new cv.Mat();
    cvRun(m, out);
    const want = new Uint8Array(out.data);
    m.delete();
    out.delete();
    expect([name, w, h, firstMismatch(got, want)]).toEqual([name, w, h, -1]);
    const bpp = ref.format === 'i16' ? 2 : 1;
    const r = fk.allocPlane(ref.w, ref.h, ref.format, { stride: ref.w * bpp });
    ref.run(r, src);
    expect([name, 'reference', w, h, firstMismatch(got, packed(fk.heap, r, bpp))]).toEqual([name, 'reference', w, h, -1]);
    fk.freePlane(r);
    release();
    g.pool.release(up.buffer);
    fk.freePlane(src);
  }

  test('blur 5x5: equals OpenCV.js GaussianBlur on random planes and photographs', async () => {
    const run = (w: number, h: number, s: number | Uint8Array) =>
      versusOpenCV(
        'blur',
        w,
        h,
        s,
        async (up) => {
          const dst = gpuPlane(g.pool, 'dst', w, h, 'gray');
          const pass = new BlurPass(g.pool, dst, up);
          const got = await runAndRead(g, dst, (p) => pass.encode(p));
          return { got, release: () => [dst.buffer, pass.params].forEach((b) => g.pool.release(b)) };
        },
        (a, b) => cv.GaussianBlur(a, b, new cv.Size(5, 5), 0, 0, cv.BORDER_DEFAULT),
        { w, h, format: 'gray', run: (d, x) => gaussianReference(fk.heap, d, x, gaussianPlan(w === 1 ? 1 : 5, h === 1 ? 1 : 5, 0, 0)) },
      );
    let seed = 100;
    for (const [w, h] of SIZES) await run(w, h, seed++);
    for (const name of PHOTOS.slice(0, 2)) {
      const img = await fixture(name);
      const gray = fk.allocPlane(img.width, img.height, 'gray', { stride: img.width });
      fk.gray(gray, fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data));
      await run(img.width, img.height, gray.data.slice());
    }
  }, 60_000);

  test('pyrDown: equals OpenCV.js pyrDown', async () => {
    let seed = 200;
    for (const [w, h] of SIZES) {
      await versusOpenCV(
        'pyrDown',
        w,
        h,
        seed++,
        async (up) => {
          const [dw, dh] = pyrDownSize(w, h);
          const dst = gpuPlane(g.pool, 'dst', dw, dh, 'gray');
          const pass = new PyrDownPass(g.pool, dst, up);
          const got = await runAndRead(g, dst, (p) => pass.encode(p));
          return { got, release: () => [dst.buffer, pass.params].forEach((b) => g.pool.release(b)) };
        },
        (a, b) => cv.pyrDown(a, b, new cv.Size(0, 0), cv.BORDER_DEFAULT),
        { w: pyrDownSize(w, h)[0], h: pyrDownSize(w, h)[1], format: 'gray', run: (d, x) => pyrDownReference(fk.heap, d, x) },
      );
    }
  }, 60_000);

  test('Sobel 3x3 dx and dy to int16: equals OpenCV.js Sobel', async () => {
    let seed = 300;
    for (const [dx, dy] of [
      [1, 0],
      [0, 1],
    ] as const) {
      for (const [w, h] of SIZES) {
        await versusOpenCV(
          `sobel ${dx}${dy}`,
          w,
          h,
          seed++,
          async (up) => {
            const dst = gpuPlane(g.pool, 'dst', w, h, 'i16');
            const pass = new SobelPass(g.pool, dst, up, dx, dy);
            const got = await runAndRead(g, dst, (p) => pass.encode(p));
            return { got, release: () => [dst.buffer, pass.params].forEach((b) => g.pool.release(b)) };
          },
          (a, b) => cv.Sobel(a, b, cv.CV_16S, dx, dy, 3, 1, 0, cv.BORDER_DEFAULT),
          { w, h, format: 'i16', run: (d, x) => sobelReference(fk.heap, d, x, derivPlan(dx, dy, 3)) },
        );
      }
    }
  }, 60_000);

  /** FAST on the GPU, keypoints sorted (y, x) as OpenCV lists them: [x, y, response] triples. */
  async function gpuFast(
    up: ReturnType<typeof uploadGray>,
    threshold: number,
    nonmax: boolean,
    capacity = 1 << 18,
  ): Promise<{ count: number; kps: number[][] }> {
    const scores = gpuPlane(g.pool, 'scores', up.width, up.height, 'u16');
    const kpBuf = g.pool.buffer('kps', KEYPOINT_HEADER_BYTES + capacity * KEYPOINT_BYTES, 0x80 | 0x4 | 0x8);
    const pass = new FastPass(g.pool, kpBuf, capacity, up, scores, { threshold, nonmax, level: 0 });
    const enc = g.device.createCommandEncoder();
    enc.clearBuffer(kpBuf, 0, KEYPOINT_HEADER_BYTES);
    const p = enc.beginComputePass();
    pass.encode(p);
    p.end();
    const rb = g.device.createBuffer({ size: kpBuf.size, usage: 0x1 | 0x8 });
    enc.copyBufferToBuffer(kpBuf, 0, rb, 0, kpBuf.size);
    g.device.queue.submit([enc.finish()]);
    await rb.mapAsync(1);
    const words = new Uint32Array(rb.getMappedRange().slice(0));
    rb.unmap();
    rb.destroy();
    for (const b of [scores.buffer, kpBuf, pass.params]) g.pool.release(b);
    const count = words[0]!;
    const kps: number[][] = [];
    for (let i = 0; i < Math.min(count, capacity); i++) {
      const a = words[KEYPOINT_HEADER_WORDS + KEYPOINT_WORDS * i]!;
      const b = words[KEYPOINT_HEADER_WORDS + KEYPOINT_WORDS * i + 1]!;
      kps.push([a & KEYPOINT_X_MASK, a >>> KEYPOINT_Y_SHIFT, b & KEYPOINT_RESPONSE_MASK]);
    }
    kps.sort((p1, p2) => p1[1]! - p2[1]! || p1[0]! - p2[0]!);
    return { count, kps };
  }

  function cvFast(gray: Uint8Array, w: number, h: number, threshold: number, nonmax: boolean): number[][] {
    const m = new cv.Mat(h, w, cv.CV_8UC1);
    m.data.set(gray);
    const det = new cv.FastFeatureDetector();
    det.setThreshold(threshold);
    det.setNonmaxSuppression(nonmax);
    const v = new cv.KeyPointVector();
    det.detect(m, v);
    const out: number[][] = [];
    for (let i = 0; i < v.size(); i++) {
      const k = v.get(i);
      out.push([k.pt.x, k.pt.y, k.response]);
    }
    v.delete();
    det.delete();
    m.delete();
    return out.sort((p1, p2) => p1[1]! - p2[1]! || p1[0]! - p2[0]!);
  }

  test('FAST-9 with and without suppression: the same keypoints and responses as OpenCV.js', async () => {
    let seed = 400;
    const cases: Array<[number, number, number | string]> = [
      [7, 7, 0],
      [8, 9, 0],
      [33, 17, 0],
      [64, 48, 0],
      [97, 33, 0],
      [640, 480, 0],
    ];
    for (const name of PHOTOS) cases.push([0, 0, name]);
    for (const [cw, ch, photo] of cases) {
      let w = cw;
      let h = ch;
      let pixels: Uint8Array;
      if (typeof photo === 'string') {
        const img = await fixture(photo);
        w = img.width;
        h = img.height;
        const gray = fk.allocPlane(w, h, 'gray', { stride: w });
        const rgba = fk.writePixels(fk.allocPlane(w, h, 'rgba'), img.data);
        fk.gray(gray, rgba);
        pixels = gray.data.slice();
        fk.freePlane(rgba);
        fk.freePlane(gray);
      } else {
        const tmp = fillRandom(fk.allocPlane(w, h, 'gray', { stride: w }), seed++);
        // Smooth random noise a little so that both corner polarities and plateaus occur.
        pixels = tmp.data.slice();
        for (let i = 0; i < pixels.length; i++) pixels[i] = pixels[i]! & 0xf0;
        fk.freePlane(tmp);
      }
      const src = fk.allocPlane(w, h, 'gray', { stride: w });
      src.data.set(pixels);
      const up = uploadGray(g, fk.heap, src);
      for (const [t, nonmax] of [
        [20, true],
        [20, false],
        [0, true],
        [40, true],
      ] as const) {
        const { count, kps } = await gpuFast(up, t, nonmax);
        const want = cvFast(pixels, w, h, t, nonmax);
        const ref = fk.allocKeypoints(1 << 18);
        ref.count = Math.min(fastReference(fk.heap, ref, src, t, nonmax), ref.capacity);
        const refList = Array.from({ length: ref.count }, (_, i) => [ref.x[i]!, ref.y[i]!, ref.response[i]!]);
        expect([photo, w, h, t, nonmax, 'reference', kps]).toEqual([photo, w, h, t, nonmax, 'reference', refList]);
        fk.arena.free(ref.region);
        expect([photo, w, h, t, nonmax, count, kps.length]).toEqual([photo, w, h, t, nonmax, want.length, want.length]);
        expect([photo, w, h, t, nonmax, kps]).toEqual([photo, w, h, t, nonmax, want]);
      }
      g.pool.release(up.buffer);
      fk.freePlane(src);
    }
  }, 120_000);

  test('FAST overflow: the counter counts every corner, the list keeps `capacity` of them', async () => {
    const w = 256;
    const h = 128;
    const src = fillRandom(fk.allocPlane(w, h, 'gray', { stride: w }), 77);
    const up = uploadGray(g, fk.heap, src);
    const want = cvFast(packed(fk.heap, src), w, h, 10, true);
    expect(want.length).toBeGreaterThan(100);
    const { count, kps } = await gpuFast(up, 10, true, 100);
    expect(count).toBe(want.length);
    expect(kps.length).toBe(100);
    const key = (k: number[]) => k.join(',');
    const all = new Set(want.map(key));
    for (const k of kps) expect(all.has(key(k))).toBe(true);
    g.pool.release(up.buffer);
    fk.freePlane(src);
  });
});
