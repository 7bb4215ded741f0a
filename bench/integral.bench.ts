import { integralReference } from '../ts/kernels/integral/reference.js';
import { measure, type BenchRow, type BenchSuite } from './harness.js';
import { loadJsfeat, loadOpenCV } from '../ts/cli/peers.js';
import { benchFramekits, cvGray, tiledGray } from './features.bench.js';

/**
 * Integral image (i32) and integral + squares (f64) of the tiled photograph: a memcpy of the bytes the
 * kernel moves (reads w h, writes 4 w h, and 8 w h more with squares: a copy of half that), the
 * TypeScript reference, WASM scalar and SIMD, OpenCV.js integral / integral2 into preallocated Mats,
 * and jsfeat.imgproc.compute_integral_image.
 */
export const integralSuite: BenchSuite = {
  kernel: 'integral',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const jsfeat = loadJsfeat();
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const [scalar, simd] = await benchFramekits(w, h, bytes);
      const t = [scalar!, simd!].map(({ fk }) => ({
        sum: fk.allocPlane(w + 1, h + 1, 'i32', { stride: 4 * (w + 1) }),
        sq: fk.allocPlane(w + 1, h + 1, 'f64', { stride: 8 * (w + 1) }),
      }));
      const heap = simd!.fk.heap;
      const copy = simd!.fk.allocPlane(w, h, 'f64');
      const m = cv ? cvGray(cv, w, h, bytes) : null;
      const cs = cv ? new cv.Mat(h + 1, w + 1, cv.CV_32S) : null;
      const cq = cv ? new cv.Mat(h + 1, w + 1, cv.CV_64F) : null;
      const js = jsfeat ? new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t) : null;
      js?.data.set(bytes);
      const jsSum = new Int32Array((w + 1) * (h + 1));
      const jsSq = new Int32Array((w + 1) * (h + 1));
      for (const sq of [false, true]) {
        const n = Math.ceil((w * h * (sq ? 13 : 5)) / 2);
        rows.push(
          ...(await measure(
            sq ? 'integral+sq' : 'integral',
            w,
            h,
            [
              ['memcpy', () => heap.copyWithin(copy.ptr, simd!.src.ptr, simd!.src.ptr + n)],
              ['reference', () => integralReference(heap, t[1]!.sum, simd!.src, sq ? t[1]!.sq : null)],
              ['wasm-scalar', () => scalar!.fk.integral(t[0]!.sum, scalar!.src, sq ? t[0]!.sq : null)],
              ['wasm-simd', () => simd!.fk.integral(t[1]!.sum, simd!.src, sq ? t[1]!.sq : null)],
              cv
                ? ['opencv.js', sq ? () => cv.integral2(m, cs, cq, cv.CV_32S, cv.CV_64F) : () => cv.integral(m, cs, cv.CV_32S)]
                : undefined,
              // jsfeat's squares are int32 (they overflow past 2^31 at large sizes); a peer for speed only.
              jsfeat ? ['jsfeat', () => jsfeat.imgproc.compute_integral_image(js, jsSum, sq ? jsSq : null, null)] : undefined,
            ],
            o,
          )),
        );
      }
      for (const x of [m, cs, cq]) x?.delete();
    }
    return rows;
  },
};
