import { resizeAreaReference, resizeLinearReference } from '../ts/kernels/resize/reference.js';
import { measure, type BenchRow, type BenchSuite } from './harness.js';
import { loadJsfeat, loadOpenCV } from '../ts/cli/peers.js';
import { benchFramekits, cvGray, tiledGray } from './features.bench.js';

/**
 * Resize of the tiled photograph: bilinear to 2/3 size, bilinear to 3/2 size, area to half. The
 * memcpy row copies half of what the kernel moves (source read + destination written). Peers:
 * OpenCV.js resize (INTER_LINEAR, INTER_AREA) into preallocated Mats; jsfeat.imgproc.resample
 * (its own area-style filter: a peer for speed) for the shrink.
 */
export const resizeSuite: BenchSuite = {
  kernel: 'resize',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const jsfeat = loadJsfeat();
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const [scalar, simd] = await benchFramekits(w, h, bytes);
      const heap = simd!.fk.heap;
      const m = cv ? cvGray(cv, w, h, bytes) : null;
      const js = jsfeat ? new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t) : null;
      js?.data.set(bytes);
      for (const [name, dw, dh, area] of [
        ['resize linear 2/3', Math.round((w * 2) / 3), Math.round((h * 2) / 3), false],
        ['resize linear 3/2', Math.round((w * 3) / 2), Math.round((h * 3) / 2), false],
        ['resize area 1/2', w >> 1, h >> 1, true],
      ] as const) {
        const d = [scalar!, simd!].map(({ fk }) => fk.allocPlane(dw, dh, 'gray', { stride: dw }));
        const copy = simd!.fk.allocPlane(w + dw, h, 'gray');
        const n = Math.ceil((w * h + dw * dh) / 2);
        const out = cv ? new cv.Mat(dh, dw, cv.CV_8UC1) : null;
        const size = cv ? new cv.Size(dw, dh) : null;
        const jsOut = jsfeat ? new jsfeat.matrix_t(dw, dh, jsfeat.U8_t | jsfeat.C1_t) : null;
        const mode = area ? 'area' : 'linear';
        rows.push(
          ...(await measure(
            name,
            w,
            h,
            [
              ['memcpy', () => heap.copyWithin(copy.ptr, simd!.src.ptr, simd!.src.ptr + n)],
              [
                'reference',
                area ? () => resizeAreaReference(heap, d[1]!, simd!.src, 2, 2) : () => resizeLinearReference(heap, d[1]!, simd!.src),
              ],
              ['wasm-scalar', () => scalar!.fk.resize(d[0]!, scalar!.src, mode)],
              ['wasm-simd', () => simd!.fk.resize(d[1]!, simd!.src, mode)],
              cv ? ['opencv.js', () => cv.resize(m, out, size, 0, 0, area ? cv.INTER_AREA : cv.INTER_LINEAR)] : undefined,
              jsfeat && dw < w ? ['jsfeat', () => jsfeat.imgproc.resample(js, jsOut, dw, dh)] : undefined,
            ],
            o,
          )),
        );
        out?.delete();
      }
      m?.delete();
    }
    return rows;
  },
};
