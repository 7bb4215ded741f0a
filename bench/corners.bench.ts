import { createFramekit } from '../ts/index.js';
import { measure, type BenchRow, type BenchSuite } from './harness.js';
import { loadOpenCV } from '../ts/cli/peers.js';
import { benchFramekits, cvGray, tiledGray } from './features.bench.js';

const MAX_CORNERS = 1000;
const QUALITY = 0.01;
const MIN_DISTANCE = 10;

/**
 * goodFeaturesToTrack (Shi-Tomasi, block 3, Sobel 3, quality 0.01, minimum distance 10, at most
 * 1000 corners) on the tiled photograph: framekit's with the TypeScript reference response, with
 * the WASM scalar and SIMD response (rust/src/corners; the selection is TypeScript in every row),
 * and OpenCV.js cv.goodFeaturesToTrack.
 */
export const cornersSuite: BenchSuite = {
  kernel: 'good-features',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const ref = await createFramekit({ maxWidth: w, maxHeight: h, frames: 2, scratchBytes: 24 * w * h, backend: 'reference' });
      const all = [
        { fk: ref, src: ref.writePixels(ref.allocPlane(w, h, 'gray', { stride: w }), bytes) },
        ...(await benchFramekits(w, h, bytes)),
      ];
      const kps = all.map(({ fk }) => fk.allocKeypoints(MAX_CORNERS));
      const task = (i: number) => () => all[i]!.fk.goodFeaturesToTrack(kps[i]!, all[i]!.src, opts);
      const opts = { maxCorners: MAX_CORNERS, qualityLevel: QUALITY, minDistance: MIN_DISTANCE };
      let cvTask: (() => void) | undefined;
      if (cv) {
        const m = cvGray(cv, w, h, bytes);
        const corners = new cv.Mat();
        const mask = new cv.Mat();
        cvTask = () => cv.goodFeaturesToTrack(m, corners, MAX_CORNERS, QUALITY, MIN_DISTANCE, mask, 3, false, 0.04);
      }
      rows.push(
        ...(await measure(
          'good-features',
          w,
          h,
          [['reference', task(0)], ['wasm-scalar', task(1)], ['wasm-simd', task(2)], cvTask && ['opencv.js', cvTask]],
          o,
        )),
      );
      o.log(`good-features ${w}x${h}: ${task(2)().count} corners`);
    }
    return rows;
  },
};
