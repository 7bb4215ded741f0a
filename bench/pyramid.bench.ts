import { pyrDownReference } from '../ts/kernels/pyrdown/reference.js';
import { allocPyramid } from '../ts/kernels/pyrdown/api.js';
import { measure, type BenchRow, type BenchSuite } from './harness.js';
import { loadJsfeat, loadOpenCV } from '../ts/cli/peers.js';
import { benchFramekits, cvGray, tiledGray } from './features.bench.js';

/**
 * pyrDown of the tiled photograph, and a 4-level pyramid into preallocated planes: a memcpy of the
 * bytes one level reads and writes (w h + w h / 4, halved: a copy of n bytes moves 2n), the
 * TypeScript reference, WASM scalar and SIMD, OpenCV.js pyrDown (four calls for the pyramid), and
 * jsfeat.imgproc.pyrdown (a 2x2 box average: a peer, not the same filter).
 */
export const pyramidSuite: BenchSuite = {
  kernel: 'pyramid',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const jsfeat = loadJsfeat();
    if (!cv) o.log('pyramid: OpenCV.js not installed; its rows are left out');
    if (!jsfeat) o.log('pyramid: jsfeat not installed; its rows are left out');
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const [scalar, simd] = await benchFramekits(w, h, bytes);
      const [hw, hh] = [(w + 1) >> 1, (h + 1) >> 1];
      const dsts = [scalar!, simd!].map(({ fk }) => fk.allocPlane(hw, hh, 'gray', { stride: hw }));
      const levels = [scalar!, simd!].map(({ fk }) => allocPyramid(fk, w, h, 4));
      const heap = simd!.fk.heap;
      const copy = simd!.fk.allocPlane(w, h, 'gray', { stride: w });
      const n = Math.ceil((w * h + hw * hh) / 2);
      const m = cv ? cvGray(cv, w, h, bytes) : null;
      const out = cv ? new cv.Mat(hh, hw, cv.CV_8UC1) : null;
      // OpenCV.js has no buildPyramid: four pyrDown calls into preallocated Mats.
      const cvLevels: Array<{ delete(): void }> = [];
      if (cv) for (let i = 0, lw = w, lh = h; i < 4; i++) cvLevels.push(new cv.Mat((lh = (lh + 1) >> 1), (lw = (lw + 1) >> 1), cv.CV_8UC1));
      let js: { src: unknown; dst: unknown } | null = null;
      if (jsfeat) {
        js = { src: new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t), dst: new jsfeat.matrix_t(hw, hh, jsfeat.U8_t | jsfeat.C1_t) };
        (js.src as { data: Uint8Array }).data.set(bytes);
      }
      rows.push(
        ...(await measure(
          'pyrdown',
          w,
          h,
          [
            ['memcpy', () => heap.copyWithin(copy.ptr, simd!.src.ptr, simd!.src.ptr + n)],
            ['reference', () => pyrDownReference(heap, dsts[1]!, simd!.src)],
            ['wasm-scalar', () => scalar!.fk.pyrDown(dsts[0]!, scalar!.src)],
            ['wasm-simd', () => simd!.fk.pyrDown(dsts[1]!, simd!.src)],
            cv ? ['opencv.js', () => cv.pyrDown(m, out)] : undefined,
            jsfeat ? ['jsfeat', () => jsfeat.imgproc.pyrdown(js!.src, js!.dst)] : undefined,
          ],
          o,
        )),
        ...(await measure(
          'pyramid4',
          w,
          h,
          [
            ['wasm-scalar', () => scalar!.fk.buildPyramid(levels[0]!, scalar!.src)],
            ['wasm-simd', () => simd!.fk.buildPyramid(levels[1]!, simd!.src)],
            cv
              ? [
                  'opencv.js',
                  () => {
                    let prev = m;
                    for (const l of cvLevels) cv.pyrDown(prev, (prev = l));
                  },
                ]
              : undefined,
          ],
          o,
        )),
      );
      m?.delete();
      out?.delete();
      for (const l of cvLevels) l.delete();
    }
    return rows;
  },
};
