import { sobelReference } from '../ts/kernels/sobel/reference.js';
import { derivPlan } from '../ts/kernels/sobel/kernels.js';
import { measure, type BenchRow, type BenchSuite } from './harness.js';
import { loadJsfeat, loadOpenCV } from '../ts/cli/peers.js';
import { benchFramekits, cvGray, tiledGray } from './features.bench.js';
import { REFERENCE_MAX_PIXELS } from './blur.bench.js';

/**
 * Sobel dx + dy (ksize 3 and 5) and Scharr dx + dy to int16 on the tiled photograph: a memcpy of the
 * bytes both passes read and write (2 w h read, 4 w h written: a copy of 3 w h), the TypeScript
 * reference, WASM scalar and SIMD, OpenCV.js Sobel/Scharr to CV_16S into preallocated Mats, and
 * jsfeat.imgproc.sobel_derivatives / scharr_derivatives (both derivatives in one pass, int32).
 */
export const gradientsSuite: BenchSuite = {
  kernel: 'gradients',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const jsfeat = loadJsfeat();
    if (!cv) o.log('gradients: OpenCV.js not installed; its rows are left out');
    if (!jsfeat) o.log('gradients: jsfeat not installed; its rows are left out');
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const [scalar, simd] = await benchFramekits(w, h, bytes);
      const d = [scalar!, simd!].map(
        ({ fk }) => [fk.allocPlane(w, h, 'i16', { stride: 2 * w }), fk.allocPlane(w, h, 'i16', { stride: 2 * w })] as const,
      );
      const heap = simd!.fk.heap;
      const copy = simd!.fk.allocPlane(3 * w, h, 'gray', { stride: 3 * w });
      const big = simd!.fk.allocPlane(3 * w, h, 'gray', { stride: 3 * w });
      const m = cv ? cvGray(cv, w, h, bytes) : null;
      const gx = cv ? new cv.Mat(h, w, cv.CV_16S) : null;
      const gy = cv ? new cv.Mat(h, w, cv.CV_16S) : null;
      let js: { src: unknown; dst: unknown } | null = null;
      if (jsfeat) {
        js = { src: new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t), dst: new jsfeat.matrix_t(w, h, jsfeat.S32C2_t) };
        (js.src as { data: Uint8Array }).data.set(bytes);
      }
      for (const k of [3, 5, -1]) {
        const name = k === -1 ? 'scharr dx+dy' : `sobel${k} dx+dy`;
        const px = derivPlan(1, 0, k);
        const py = derivPlan(0, 1, k);
        const both = (i: 0 | 1) => {
          const { fk, src } = i === 0 ? scalar! : simd!;
          fk.sobel(d[i]![0], src, 1, 0, k);
          fk.sobel(d[i]![1], src, 0, 1, k);
        };
        const jsf = k === 5 ? undefined : k === 3 ? jsfeat?.imgproc.sobel_derivatives : jsfeat?.imgproc.scharr_derivatives;
        rows.push(
          ...(await measure(
            name,
            w,
            h,
            [
              ['memcpy', () => heap.copyWithin(copy.ptr, big.ptr, big.ptr + 3 * w * h)],
              w * h <= REFERENCE_MAX_PIXELS
                ? [
                    'reference',
                    () => {
                      sobelReference(heap, d[1]![0], simd!.src, px);
                      sobelReference(heap, d[1]![1], simd!.src, py);
                    },
                  ]
                : undefined,
              ['wasm-scalar', () => both(0)],
              ['wasm-simd', () => both(1)],
              cv
                ? [
                    'opencv.js',
                    () => {
                      if (k === -1) {
                        cv.Scharr(m, gx, cv.CV_16S, 1, 0);
                        cv.Scharr(m, gy, cv.CV_16S, 0, 1);
                      } else {
                        cv.Sobel(m, gx, cv.CV_16S, 1, 0, k);
                        cv.Sobel(m, gy, cv.CV_16S, 0, 1, k);
                      }
                    },
                  ]
                : undefined,
              jsf ? ['jsfeat', () => jsf(js!.src, js!.dst)] : undefined,
            ],
            o,
          )),
        );
      }
      const mag = simd!.fk.allocPlane(w, h, 'i16', { stride: 2 * w });
      const magS = scalar!.fk.allocPlane(w, h, 'i16', { stride: 2 * w });
      rows.push(
        ...(await measure(
          'magnitude l1',
          w,
          h,
          [
            ['memcpy', () => heap.copyWithin(copy.ptr, big.ptr, big.ptr + 3 * w * h)],
            ['wasm-scalar', () => scalar!.fk.gradientMagnitude(magS, d[0]![0], d[0]![1])],
            ['wasm-simd', () => simd!.fk.gradientMagnitude(mag, d[1]![0], d[1]![1])],
          ],
          o,
        )),
      );
      m?.delete();
      gx?.delete();
      gy?.delete();
    }
    return rows;
  },
};
