import { histogramReference, lutReference, thresholdReference } from '../ts/kernels/histogram/reference.js';
import { equalizeLut } from '../ts/kernels/histogram/math.js';
import { measure, type BenchRow, type BenchSuite } from './harness.js';
import { loadJsfeat, loadOpenCV } from '../ts/cli/peers.js';
import { benchFramekits, cvGray, tiledGray } from './features.bench.js';

/**
 * Histogram, equalizeHist, binary threshold and Otsu threshold of the tiled photograph. Each memcpy
 * row copies half the bytes the kernel reads and writes (a copy of n bytes moves 2n): histogram w h / 2,
 * equalizeHist (two reads, one write) 1.5 w h, threshold w h, Otsu (histogram, then threshold) 1.5 w h.
 * Peers: OpenCV.js calcHist, equalizeHist, threshold (THRESH_BINARY, | THRESH_OTSU);
 * jsfeat.imgproc.equalize_histogram.
 */
export const histogramSuite: BenchSuite = {
  kernel: 'histogram',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const jsfeat = loadJsfeat();
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const [scalar, simd] = await benchFramekits(w, h, bytes);
      const dsts = [scalar!, simd!].map(({ fk }) => fk.allocPlane(w, h, 'gray', { stride: w }));
      const heap = simd!.fk.heap;
      const copy = simd!.fk.allocPlane(2 * w, h, 'gray', { stride: 2 * w });
      const big = simd!.fk.allocPlane(2 * w, h, 'gray', { stride: 2 * w });
      const memcpy = (n: number) => () => heap.copyWithin(copy.ptr, big.ptr, big.ptr + Math.ceil(n));
      const hist = new Uint32Array(256);
      const table = new Uint8Array(256);
      const m = cv ? cvGray(cv, w, h, bytes) : null;
      const out = cv ? new cv.Mat(h, w, cv.CV_8UC1) : null;
      const vec = cv ? new cv.MatVector() : null;
      vec?.push_back(m);
      const ch = cv ? new cv.Mat() : null;
      const mask = cv ? new cv.Mat() : null;
      const js = jsfeat
        ? [new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t), new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t)]
        : null;
      js?.[0].data.set(bytes);
      const s = simd!;
      const c = scalar!;
      const cases: Array<[string, Parameters<typeof measure>[3]]> = [
        [
          'histogram',
          [
            ['memcpy', memcpy((w * h) / 2)],
            ['reference', () => histogramReference(heap, s.src, hist)],
            ['wasm-scalar', () => c.fk.histogram(c.src, hist)],
            ['wasm-simd', () => s.fk.histogram(s.src, hist)],
            cv ? ['opencv.js', () => cv.calcHist(vec, [0], mask, ch, [256], [0, 256])] : undefined,
          ],
        ],
        [
          'equalizehist',
          [
            ['memcpy', memcpy(1.5 * w * h)],
            [
              'reference',
              () => {
                equalizeLut(table, histogramReference(heap, s.src, hist), w * h);
                lutReference(heap, dsts[1]!, s.src, table);
              },
            ],
            ['wasm-scalar', () => c.fk.equalizeHist(dsts[0]!, c.src)],
            ['wasm-simd', () => s.fk.equalizeHist(dsts[1]!, s.src)],
            cv ? ['opencv.js', () => cv.equalizeHist(m, out)] : undefined,
            js ? ['jsfeat', () => jsfeat.imgproc.equalize_histogram(js[0], js[1])] : undefined,
          ],
        ],
        [
          'threshold',
          [
            ['memcpy', memcpy(w * h)],
            ['reference', () => thresholdReference(heap, dsts[1]!, s.src, 127, 255, 0)],
            ['wasm-scalar', () => c.fk.threshold(dsts[0]!, c.src, 127)],
            ['wasm-simd', () => s.fk.threshold(dsts[1]!, s.src, 127)],
            cv ? ['opencv.js', () => cv.threshold(m, out, 127, 255, cv.THRESH_BINARY)] : undefined,
          ],
        ],
        [
          'threshold otsu',
          [
            ['memcpy', memcpy(1.5 * w * h)],
            ['wasm-scalar', () => c.fk.thresholdOtsu(dsts[0]!, c.src)],
            ['wasm-simd', () => s.fk.thresholdOtsu(dsts[1]!, s.src)],
            cv ? ['opencv.js', () => cv.threshold(m, out, 0, 255, cv.THRESH_BINARY | cv.THRESH_OTSU)] : undefined,
          ],
        ],
      ];
      for (const [name, tasks] of cases) rows.push(...(await measure(name, w, h, tasks, o)));
      for (const x of [m, out, vec, ch, mask]) x?.delete();
    }
    return rows;
  },
};
