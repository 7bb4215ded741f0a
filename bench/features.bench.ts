import { createFramekit, type Framekit, type Plane } from '../ts/index.js';
import { fastReference } from '../ts/kernels/fast/reference.js';
import { readImageFile } from '../ts/io/image.js';
import { measure, tile, type BenchRow, type BenchSuite } from './harness.js';
import { loadJsfeat, loadOpenCV, type CV } from './peers.js';
import { fixturePath } from './fixtures.js';

/** The astronaut photograph as packed gray bytes, tiled to `w` x `h` (OpenCV's luma weights). */
export async function tiledGray(w: number, h: number): Promise<Uint8Array> {
  const photo = await readImageFile(fixturePath('astronaut.png'));
  const g = new Uint8Array(photo.width * photo.height);
  for (let i = 0; i < g.length; i++) {
    const d = photo.data;
    g[i] = (9798 * d[i * 4]! + 19235 * d[i * 4 + 1]! + 3735 * d[i * 4 + 2]! + 16384) >> 15;
  }
  return tile(new Uint8Array(w * h), w, h, { width: photo.width, height: photo.height, data: g }, 1);
}

/** One framekit per WASM build, each holding the gray frame `bytes`. */
export async function benchFramekits(w: number, h: number, bytes: Uint8Array): Promise<Array<{ fk: Framekit; src: Plane }>> {
  const out = [];
  for (const backend of ['wasm-scalar', 'wasm-simd'] as const) {
    const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 4, backend });
    out.push({ fk, src: fk.writePixels(fk.allocPlane(w, h, 'gray', { stride: w }), bytes) });
  }
  return out;
}

/** A packed gray cv.Mat holding `bytes` (allocated once per size). */
export function cvGray(cv: CV, w: number, h: number, bytes: Uint8Array): CV {
  const m = new cv.Mat(h, w, cv.CV_8UC1);
  m.data.set(bytes);
  return m;
}

const THRESHOLD = 20;

/**
 * FAST-9 with suppression, threshold 20, on the tiled photograph: the TypeScript reference, WASM
 * scalar and SIMD, OpenCV.js FastFeatureDetector (TYPE_9_16, given as the enum object: the bare
 * number selects TYPE_5_8) and jsfeat.fast_corners (its own 16-pixel FAST with suppression).
 */
export const fastSuite: BenchSuite = {
  kernel: 'fast',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const jsfeat = loadJsfeat();
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const [scalar, simd] = await benchFramekits(w, h, bytes);
      const kps = [scalar!, simd!].map(({ fk }) => fk.allocKeypoints(1 << 17));
      let cvTask: (() => void) | undefined;
      if (cv) {
        const m = cvGray(cv, w, h, bytes);
        const det = new cv.FastFeatureDetector(THRESHOLD, true, cv.FastFeatureDetector_DetectorType.TYPE_9_16);
        const v = new cv.KeyPointVector();
        cvTask = () => det.detect(m, v);
      }
      let jsTask: (() => void) | undefined;
      if (jsfeat) {
        const img = new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t);
        img.data.set(bytes);
        const corners = Array.from({ length: w * h }, () => new jsfeat.keypoint_t(0, 0, 0, 0));
        jsfeat.fast_corners.set_threshold(THRESHOLD);
        jsTask = () => jsfeat.fast_corners.detect(img, corners, 3);
      }
      const s = simd!;
      rows.push(
        ...(await measure('fast', w, h, [
          ['reference', () => fastReference(s.fk.heap, kps[1]!, s.src, THRESHOLD, true)],
          ['wasm-scalar', () => scalar!.fk.fast(kps[0]!, scalar!.src, { threshold: THRESHOLD })],
          ['wasm-simd', () => s.fk.fast(kps[1]!, s.src, { threshold: THRESHOLD })],
          cvTask && ['opencv.js', cvTask],
          jsTask && ['jsfeat', jsTask],
        ], o)),
      );
      o.log(`fast ${w}x${h}: ${s.fk.fast(kps[1]!, s.src, { threshold: THRESHOLD }).count} keypoints`);
    }
    return rows;
  },
};
