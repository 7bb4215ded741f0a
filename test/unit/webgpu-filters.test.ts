// The general Gaussian pass (shaders/gaussian.wgsl, any odd size and sigma), the Sobel pass with
// derivPlan's kernels (ksize 1, 3 and Scharr, orders up to 2) and the general derivative pass
// (shaders/deriv.wgsl, ksize 5 and 7), against OpenCV.js run on the same
// input and against the plain TypeScript references, on every word tail and reflect-101 corner case
// and on photographs. A missing adapter fails the first test (CI installs Mesa EGL and webgpu).
import { afterAll, expect, test } from 'bun:test';
import { createFramekit, type PlaneLike } from '../../ts/index.js';
import { gaussianReference } from '../../ts/kernels/gaussian/reference.js';
import { gaussianPlan } from '../../ts/kernels/gaussian/plan.js';
import { autoKsize } from '../../ts/kernels/gaussian/coefficients.js';
import { sobelReference } from '../../ts/kernels/sobel/reference.js';
import { derivPlan } from '../../ts/kernels/sobel/kernels.js';
import { gpuPlane, type GpuPlane } from '../../ts/backends/webgpu/pass.js';
import { GaussianPass } from '../../ts/backends/webgpu/passes/gaussian.js';
import { SobelPass } from '../../ts/backends/webgpu/passes/sobel.js';
import { DerivPass } from '../../ts/backends/webgpu/passes/deriv.js';
import { fillRandom, fixture, loadOpenCV } from '../helpers/index.js';
import { firstMismatch, packed, runAndRead, testGpu, uploadGray } from './webgpu-helpers.js';

const { gpu, reason } = await testGpu();
const cv = (await loadOpenCV())?.cv;
const fk = await createFramekit({ arenaBytes: 64 << 20, backend: 'wasm-simd' });
afterAll(() => gpu?.device.destroy());

test('a WebGPU adapter and OpenCV.js are available', () => {
  expect(reason).toBeNull();
  expect(cv).toBeTruthy();
});

/** Widths 1..65 (every word tail), heights 1..7, and a few larger planes. */
const SIZES: Array<[number, number]> = [];
for (let w = 1; w <= 65; w++) SIZES.push([w, 1 + (w % 7)]);
SIZES.push([2, 2], [1, 9], [97, 33]);

/** Two photographs' luma, tightly packed. */
async function photos(): Promise<Array<{ w: number; h: number; data: Uint8Array }>> {
  const out = [];
  for (const name of ['coffee.png', 'chelsea.png']) {
    const img = await fixture(name);
    const gray = fk.allocPlane(img.width, img.height, 'gray', { stride: img.width });
    const rgba = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data);
    fk.gray(gray, rgba);
    out.push({ w: img.width, h: img.height, data: gray.data.slice() });
    fk.freePlane(rgba);
    fk.freePlane(gray);
  }
  return out;
}

/**
 * Runs a pass on a gray plane (random with `seed`, or `data`), compares with OpenCV.js and the
 * reference; returns a label and the first mismatch (-1 when none) for each.
 */
async function compare(
  label: string,
  w: number,
  h: number,
  input: number | Uint8Array,
  format: 'gray' | 'i16',
  pass: (dst: GpuPlane, src: GpuPlane) => { encode(p: GPUComputePassEncoder): void; buffers: GPUBuffer[] },
  cvRun: (src: unknown, dst: unknown) => void,
  refRun: (dst: PlaneLike, src: PlaneLike) => void,
): Promise<[string, number, number]> {
  const g = gpu!;
  const src = fk.allocPlane(w, h, 'gray', { stride: w });
  if (typeof input === 'number') fillRandom(src, input);
  else src.data.set(input);
  const up = uploadGray(g, fk.heap, src);
  const dst = gpuPlane(g.pool, 'dst', w, h, format);
  const p = pass(dst, up);
  const got = await runAndRead(g, dst, (e) => p.encode(e));
  for (const b of [up.buffer, dst.buffer, ...p.buffers]) g.pool.release(b);
  const m = new cv.Mat(h, w, cv.CV_8UC1);
  m.data.set(packed(fk.heap, src));
  const out = new cv.Mat();
  cvRun(m, out);
  const want = new Uint8Array(out.data);
  m.delete();
  out.delete();
  const bpp = format === 'i16' ? 2 : 1;
  const r = fk.allocPlane(w, h, format, { stride: w * bpp });
  refRun(r, src);
  const ref = packed(fk.heap, r, bpp);
  fk.freePlane(r);
  fk.freePlane(src);
  return [label, firstMismatch(got, want), firstMismatch(got, ref)];
}

/** [ksize, sigma]: OpenCV's fixed tables (sigma 0, ksize <= 9), computed kernels, ksize from sigma, kernels wider than the plane. */
const GAUSSIANS: Array<[number, number]> = [
  [1, 0],
  [3, 0],
  [7, 0],
  [9, 0],
  [11, 0],
  [5, 2],
  [0, 1.5],
  [31, 4],
];

async function gaussian(k: number, sigma: number, w: number, h: number, input: number | Uint8Array) {
  const side = k === 0 ? autoKsize(sigma) : k;
  return compare(
    `gaussian ${k} ${sigma} ${w}x${h}`,
    w,
    h,
    input,
    'gray',
    (dst, src) => {
      const p = new GaussianPass(gpu!.pool, dst, src, gaussianPlan(side, side, sigma, sigma).kx);
      return { encode: (e) => p.encode(e), buffers: [p.params, p.mid.buffer] };
    },
    (a, b) => cv.GaussianBlur(a, b, new cv.Size(k, k), sigma, sigma, cv.BORDER_DEFAULT),
    // A 1-pixel side is not blurred along, as OpenCV (and the kernel's api.ts) do it.
    (d, x) => gaussianReference(fk.heap, d, x, gaussianPlan(w === 1 ? 1 : side, h === 1 ? 1 : side, sigma, sigma)),
  );
}

test('gaussian pass: every kernel on widths 1..65 and odd shapes equals OpenCV.js GaussianBlur and the reference', async () => {
  let seed = 300;
  for (const [k, sigma] of GAUSSIANS) {
    for (const [w, h] of SIZES) {
      const [label, cvAt, refAt] = await gaussian(k, sigma, w, h, seed++);
      expect([label, cvAt, refAt]).toEqual([label, -1, -1]);
    }
  }
}, 120_000);

test('gaussian pass: photographs, every kernel, equal OpenCV.js GaussianBlur and the reference', async () => {
  for (const { w, h, data } of await photos()) {
    for (const [k, sigma] of GAUSSIANS) {
      const [label, cvAt, refAt] = await gaussian(k, sigma, w, h, data);
      expect([label, cvAt, refAt]).toEqual([label, -1, -1]);
    }
  }
}, 120_000);

test('gaussian pass: kernels it cannot take are E_ARGUMENT', () => {
  const g = gpu!;
  const a = gpuPlane(g.pool, 'a', 8, 8, 'gray');
  const b = gpuPlane(g.pool, 'b', 8, 8, 'gray');
  for (const k of [[], [128, 128], [1, 254, 2], [-1, 258, -1], [0.5, 255, 0.5]])
    expect(() => new GaussianPass(g.pool, b, a, k)).toThrow(/E_ARGUMENT/);
  g.pool.release(a.buffer);
  g.pool.release(b.buffer);
});

/** [dx, dy, ksize]: every Sobel with 3-tap kernels and Scharr. */
const SOBELS: Array<[number, number, number]> = [
  [1, 0, 1],
  [0, 2, 1],
  [1, 1, 1],
  [2, 0, 3],
  [1, 1, 3],
  [0, 2, 3],
  [1, 0, -1],
  [0, 1, -1],
];

async function sobel(dx: number, dy: number, ksize: number, w: number, h: number, input: number | Uint8Array) {
  const plan = derivPlan(dx, dy, ksize);
  return compare(
    `sobel ${dx} ${dy} ${ksize} ${w}x${h}`,
    w,
    h,
    input,
    'i16',
    (dst, src) => {
      const p = new SobelPass(gpu!.pool, dst, src, dx, dy, plan);
      return { encode: (e) => p.encode(e), buffers: [p.params] };
    },
    (a, b) => cv.Sobel(a, b, cv.CV_16S, dx, dy, ksize, 1, 0, cv.BORDER_DEFAULT),
    (d, x) => sobelReference(fk.heap, d, x, plan),
  );
}

test('sobel pass with derivPlan kernels: ksize 1, 3, Scharr, orders up to 2, equals OpenCV.js Sobel and the reference', async () => {
  let seed = 900;
  for (const [dx, dy, ksize] of SOBELS) {
    for (const [w, h] of SIZES) {
      const [label, cvAt, refAt] = await sobel(dx, dy, ksize, w, h, seed++);
      expect([label, cvAt, refAt]).toEqual([label, -1, -1]);
    }
  }
  for (const { w, h, data } of await photos()) {
    for (const [dx, dy, ksize] of SOBELS) {
      const [label, cvAt, refAt] = await sobel(dx, dy, ksize, w, h, data);
      expect([label, cvAt, refAt]).toEqual([label, -1, -1]);
    }
  }
}, 120_000);

test('sobel pass: kernels of other lengths, and (dx, dy) without kernels other than (1, 0), (0, 1), are E_ARGUMENT', () => {
  const g = gpu!;
  const a = gpuPlane(g.pool, 'a', 8, 8, 'gray');
  const b = gpuPlane(g.pool, 'b', 8, 8, 'i16');
  expect(() => new SobelPass(g.pool, b, a, 1, 0, derivPlan(1, 0, 5))).toThrow(/E_ARGUMENT/);
  expect(() => new SobelPass(g.pool, b, a, 1, 1)).toThrow(/E_ARGUMENT/);
  expect(() => new SobelPass(g.pool, b, a, 2, 0)).toThrow(/E_ARGUMENT/);
  g.pool.release(a.buffer);
  g.pool.release(b.buffer);
});

/** [dx, dy, ksize]: Sobel kernels of 5 and 7 taps that fit int16 (derivPlan refuses the rest). */
const DERIVS: Array<[number, number, number]> = [
  [1, 0, 5],
  [0, 1, 5],
  [1, 1, 5],
  [2, 1, 5],
  [0, 3, 5],
  [3, 3, 5],
  [2, 3, 7],
  [3, 2, 7],
];

async function deriv(dx: number, dy: number, ksize: number, w: number, h: number, input: number | Uint8Array) {
  const plan = derivPlan(dx, dy, ksize);
  return compare(
    `deriv ${dx} ${dy} ${ksize} ${w}x${h}`,
    w,
    h,
    input,
    'i16',
    (dst, src) => {
      const p = new DerivPass(gpu!.pool, dst, src, plan.kx, plan.ky);
      return { encode: (e) => p.encode(e), buffers: [p.params, p.mid.buffer] };
    },
    (a, b) => cv.Sobel(a, b, cv.CV_16S, dx, dy, ksize, 1, 0, cv.BORDER_DEFAULT),
    (d, x) => sobelReference(fk.heap, d, x, plan),
  );
}

test('deriv pass: Sobel ksize 5 and 7, widths 1..65 and photographs, equals OpenCV.js Sobel and the reference', async () => {
  let seed = 1500;
  for (const [dx, dy, ksize] of DERIVS) {
    for (const [w, h] of SIZES) {
      const [label, cvAt, refAt] = await deriv(dx, dy, ksize, w, h, seed++);
      expect([label, cvAt, refAt]).toEqual([label, -1, -1]);
    }
  }
  for (const { w, h, data } of await photos()) {
    for (const [dx, dy, ksize] of DERIVS) {
      const [label, cvAt, refAt] = await deriv(dx, dy, ksize, w, h, data);
      expect([label, cvAt, refAt]).toEqual([label, -1, -1]);
    }
  }
}, 120_000);

test('deriv pass: even or too long kernels, and a dst that is not i16, are refused', () => {
  const g = gpu!;
  const a = gpuPlane(g.pool, 'a', 8, 8, 'gray');
  const b = gpuPlane(g.pool, 'b', 8, 8, 'i16');
  expect(() => new DerivPass(g.pool, b, a, [1, -1], [1])).toThrow(/E_ARGUMENT/);
  expect(() => new DerivPass(g.pool, b, a, new Array(33).fill(1), [1])).toThrow(/E_ARGUMENT/);
  expect(() => new DerivPass(g.pool, a, a, [1], [1])).toThrow(/E_DIMENSION/);
  g.pool.release(a.buffer);
  g.pool.release(b.buffer);
});
