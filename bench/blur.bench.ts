import { gaussianReference } from '../ts/kernels/gaussian/reference.js';
import { gaussianPlan } from '../ts/kernels/gaussian/plan.js';
import { boxReference } from '../ts/kernels/box/reference.js';
import { measure, type BenchRow, type BenchSuite } from './harness.js';
import { loadJsfeat, loadOpenCV } from '../ts/cli/peers.js';
import { benchFramekits, cvGray, tiledGray } from './features.bench.js';

/** The plain reference costs ksize^2 operations a pixel: measured up to this many pixels only. */
export const REFERENCE_MAX_PIXELS = 1920 * 1080;

/**
 * Gaussian blur 3x3, 5x5 and 7x7 (sigma from the size, as OpenCV) of the tiled photograph: a memcpy
 * of the frame (the kernel reads and writes one frame each), the TypeScript reference, WASM scalar
 * and SIMD, OpenCV.js GaussianBlur on preallocated Mats, jsfeat.imgproc.gaussian_blur (its own
 * float-derived kernel: a peer, not bit-exact); then the normalised box blur 3x3 and 5x5 against
 * OpenCV.js blur and jsfeat.imgproc.box_blur_gray (radius 1 and 2).
 */
export const blurSuite: BenchSuite = {
  kernel: 'blur',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const jsfeat = loadJsfeat();
    if (!cv) o.log('blur: OpenCV.js not installed; its rows are left out');
    if (!jsfeat) o.log('blur: jsfeat not installed; its rows are left out');
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const [scalar, simd] = await benchFramekits(w, h, bytes);
      const dsts = [scalar!, simd!].map(({ fk }) => fk.allocPlane(w, h, 'gray', { stride: w }));
      const copy = simd!.fk.allocPlane(w, h, 'gray', { stride: w });
      const m = cv ? cvGray(cv, w, h, bytes) : null;
      const out = cv ? new cv.Mat(h, w, cv.CV_8UC1) : null;
      const jsSrc = jsfeat ? new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t) : null;
      const jsDst = jsfeat ? new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t) : null;
      jsSrc?.data.set(bytes);
      if (w * h > REFERENCE_MAX_PIXELS) o.log(`blur: reference left out at ${w}x${h} (seconds a call)`);
      for (const k of [3, 5, 7]) {
        const plan = gaussianPlan(k, k, 0, 0);
        const heap = simd!.fk.heap;
        const size = cv ? new cv.Size(k, k) : null;
        rows.push(
          ...(await measure(
            `gaussian${k}x${k}`,
            w,
            h,
            [
              ['memcpy', () => heap.copyWithin(copy.ptr, simd!.src.ptr, simd!.src.ptr + w * h)],
              w * h <= REFERENCE_MAX_PIXELS ? ['reference', () => gaussianReference(heap, dsts[1]!, simd!.src, plan)] : undefined,
              ['wasm-scalar', () => scalar!.fk.gaussianBlur(dsts[0]!, scalar!.src, k)],
              ['wasm-simd', () => simd!.fk.gaussianBlur(dsts[1]!, simd!.src, k)],
              cv ? ['opencv.js', () => cv.GaussianBlur(m, out, size, 0, 0, cv.BORDER_DEFAULT)] : undefined,
              jsfeat ? ['jsfeat', () => jsfeat.imgproc.gaussian_blur(jsSrc, jsDst, k, 0)] : undefined,
            ],
            o,
          )),
        );
      }
      for (const k of [3, 5]) {
        const heap = simd!.fk.heap;
        const size = cv ? new cv.Size(k, k) : null;
        const anchor = cv ? new cv.Point(-1, -1) : null;
        rows.push(
          ...(await measure(
            `box${k}x${k}`,
            w,
            h,
            [
              ['memcpy', () => heap.copyWithin(copy.ptr, simd!.src.ptr, simd!.src.ptr + w * h)],
              w * h <= REFERENCE_MAX_PIXELS ? ['reference', () => boxReference(heap, dsts[1]!, simd!.src, k, k)] : undefined,
              ['wasm-scalar', () => scalar!.fk.boxBlur(dsts[0]!, scalar!.src, k)],
              ['wasm-simd', () => simd!.fk.boxBlur(dsts[1]!, simd!.src, k)],
              cv ? ['opencv.js', () => cv.blur(m, out, size, anchor, cv.BORDER_DEFAULT)] : undefined,
              jsfeat ? ['jsfeat', () => jsfeat.imgproc.box_blur_gray(jsSrc, jsDst, k >> 1, 0)] : undefined,
            ],
            o,
          )),
        );
      }
      m?.delete();
      out?.delete();
    }
    return rows;
  },
};
