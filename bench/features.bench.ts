import { createFramekit, type Framekit, type Plane } from '../ts/index.js';
import { fastReference } from '../ts/kernels/fast/reference.js';
import { readImageFile } from '../ts/io/image.js';
import { measure, tile, type BenchRow, type BenchSuite } from './harness.js';
import { loadJsfeat, loadOpenCV, type CV } from '../ts/cli/peers.js';
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
    const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 4, scratchBytes: 24 * w * h, backend });
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
        ...(await measure(
          'fast',
          w,
          h,
          [
            ['reference', () => fastReference(s.fk.heap, kps[1]!, s.src, THRESHOLD, true)],
            ['wasm-scalar', () => scalar!.fk.fast(kps[0]!, scalar!.src, { threshold: THRESHOLD })],
            ['wasm-simd', () => s.fk.fast(kps[1]!, s.src, { threshold: THRESHOLD })],
            cvTask && ['opencv.js', cvTask],
            jsTask && ['jsfeat', jsTask],
          ],
          o,
        )),
      );
      o.log(`fast ${w}x${h}: ${s.fk.fast(kps[1]!, s.src, { threshold: THRESHOLD }).count} keypoints`);
    }
    return rows;
  },
};

const LK_POINTS = 1000;
const LK_WIN = 21;
const LK_LEVELS = 3;

/** `src` moved by (dx, dy) whole pixels, edges repeated: the second frame of the LK bench. */
function shifted(src: Uint8Array, w: number, h: number, dx: number, dy: number): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(Math.max(y - dy, 0), h - 1);
    for (let x = 0; x < w; x++) out[y * w + x] = src[sy * w + Math.min(Math.max(x - dx, 0), w - 1)]!;
  }
  return out;
}

/**
 * Pyramidal LK, 1000 FAST corners, window 21, 3 levels above the base, 30 iterations, eps 0.01,
 * between the tiled photograph and the same moved by (3, 2). `lk` is the whole of OpenCV's
 * calcOpticalFlowPyrLK on two images (both pyramids built, then tracking) for every implementation;
 * `lk-track` is the tracking alone on pyramids already built, which is what a frame loop pays
 * besides one pyramid per frame (each frame's pyramid serves as next, then as prev).
 */
export const lkSuite: BenchSuite = {
  kernel: 'lk',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const jsfeat = loadJsfeat();
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const a = await tiledGray(w, h);
      const b = shifted(a, w, h, 3, 2);
      const sets = await benchFramekits(w, h, a);
      const ref = await createFramekit({ maxWidth: w, maxHeight: h, frames: 4, scratchBytes: 24 * w * h, backend: 'reference' });
      const all = [...sets, { fk: ref, src: ref.writePixels(ref.allocPlane(w, h, 'gray', { stride: w }), a) }];
      const kp = sets[1]!.fk.fast(sets[1]!.fk.allocKeypoints(1 << 18), sets[1]!.src, { threshold: 20 });
      const xy: number[] = [];
      for (let i = 0; i < LK_POINTS; i++) {
        const k = Math.floor((i * kp.count) / LK_POINTS);
        xy.push(kp.x[k]!, kp.y[k]!);
      }
      const tasks = all.map(({ fk, src }) => {
        const next = fk.writePixels(fk.allocPlane(w, h, 'gray', { stride: w }), b);
        const pp = fk.allocFlowPyramid(w, h, { win: LK_WIN, maxLevel: LK_LEVELS });
        const pn = fk.allocFlowPyramid(w, h, { win: LK_WIN, maxLevel: LK_LEVELS, derivatives: false });
        const pts = fk.allocFlowPoints(LK_POINTS).setPrev(xy);
        const full = () => fk.opticalFlow(pts, fk.buildFlowPyramid(pp, src), fk.buildFlowPyramid(pn, next));
        full();
        return { full, track: () => fk.opticalFlow(pts, pp, pn), pts };
      });
      const [scalar, simd, reference] = tasks;
      let tracked = 0;
      for (let i = 0; i < LK_POINTS; i++) tracked += simd!.pts.status[i]!;
      o.log(`lk ${w}x${h}: ${tracked} of ${LK_POINTS} points tracked (wasm-simd)`);
      let cvTask: (() => void) | undefined;
      if (cv) {
        const [ma, mb] = [cvGray(cv, w, h, a), cvGray(cv, w, h, b)];
        const p0 = cv.matFromArray(LK_POINTS, 1, cv.CV_32FC2, xy);
        const [p1, st, er] = [new cv.Mat(), new cv.Mat(), new cv.Mat()];
        const size = new cv.Size(LK_WIN, LK_WIN);
        const crit = new cv.TermCriteria(cv.TERM_CRITERIA_COUNT | cv.TERM_CRITERIA_EPS, 30, 0.01);
        cvTask = () => cv.calcOpticalFlowPyrLK(ma, mb, p0, p1, st, er, size, LK_LEVELS, crit);
      }
      let jsTask: (() => void) | undefined;
      if (jsfeat) {
        const pyr = [a, b].map((bytes) => {
          const p = new jsfeat.pyramid_t(LK_LEVELS + 1);
          p.allocate(w, h, jsfeat.U8_t | jsfeat.C1_t);
          p.data[0].data.set(bytes);
          return p;
        });
        const prevXY = new Float32Array(xy);
        const currXY = new Float32Array(2 * LK_POINTS);
        const status = new Uint8Array(LK_POINTS);
        jsTask = () => {
          pyr[0]!.build(pyr[0]!.data[0], true);
          pyr[1]!.build(pyr[1]!.data[0], true);
          jsfeat.optical_flow_lk.track(pyr[0], pyr[1], prevXY, currXY, LK_POINTS, LK_WIN, 30, status, 0.01, 1e-4);
        };
      }
      rows.push(
        ...(await measure(
          'lk',
          w,
          h,
          [
            ['reference', reference!.full],
            ['wasm-scalar', scalar!.full],
            ['wasm-simd', simd!.full],
            cvTask && ['opencv.js', cvTask],
            jsTask && ['jsfeat', jsTask],
          ],
          o,
        )),
        ...(await measure(
          'lk-track',
          w,
          h,
          [
            ['wasm-scalar', scalar!.track],
            ['wasm-simd', simd!.track],
          ],
          o,
        )),
      );
    }
    return rows;
  },
};

/**
 * Brute-force Hamming matching with cross-check of N x N random 256-bit descriptors (N = 500 and
 * 2000; the row's width and height are the two counts): reference, WASM scalar and SIMD, OpenCV.js
 * BFMatcher(NORM_HAMMING, crossCheck). Frame sizes do not apply.
 */
export const matchSuite: BenchSuite = {
  kernel: 'match',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const rows: BenchRow[] = [];
    for (const n of [500, 2000]) {
      const bytes = new Uint8Array(2 * n * 32);
      let s = 12345;
      for (let i = 0; i < bytes.length; i++) bytes[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
      const setup = async (backend: 'reference' | 'wasm-scalar' | 'wasm-simd') => {
        const fk = await createFramekit({ arenaBytes: 8 << 20, backend });
        const [q, t] = [fk.allocDescriptors(n), fk.allocDescriptors(n)];
        q.data.set(bytes.subarray(0, n * 32));
        t.data.set(bytes.subarray(n * 32));
        q.count = t.count = n;
        const out = fk.allocMatches(n);
        return () => fk.match(out, q, t, { crossCheck: true });
      };
      let cvTask: (() => void) | undefined;
      if (cv) {
        const [mq, mt] = [new cv.Mat(n, 32, cv.CV_8U), new cv.Mat(n, 32, cv.CV_8U)];
        mq.data.set(bytes.subarray(0, n * 32));
        mt.data.set(bytes.subarray(n * 32));
        const bf = new cv.BFMatcher(cv.NORM_HAMMING, true);
        const v = new cv.DMatchVector();
        cvTask = () => bf.match(mq, mt, v);
      }
      rows.push(
        ...(await measure(
          'match',
          n,
          n,
          [
            ['reference', await setup('reference')],
            ['wasm-scalar', await setup('wasm-scalar')],
            ['wasm-simd', await setup('wasm-simd')],
            cvTask && ['opencv.js', cvTask],
          ],
          o,
        )),
      );
    }
    return rows;
  },
};

/**
 * ORB(500) keypoints and descriptors on the tiled photograph, OpenCV's defaults (8 levels, scale
 * 1.2, FAST 20, Harris ranking): reference, WASM scalar and SIMD, OpenCV.js ORB.detectAndCompute.
 */
export const orbSuite: BenchSuite = {
  kernel: 'orb',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const sets = await benchFramekits(w, h, bytes);
      const ref = await createFramekit({ maxWidth: w, maxHeight: h, frames: 4, scratchBytes: 24 * w * h, backend: 'reference' });
      const all = [...sets, { fk: ref, src: ref.writePixels(ref.allocPlane(w, h, 'gray', { stride: w }), bytes) }];
      const [scalar, simd, reference] = all.map(({ fk, src }) => {
        const out = fk.allocKeypoints(500);
        const desc = fk.allocDescriptors(500);
        const pyr = fk.allocOrbPyramid(w, h);
        return () => fk.orb(out, desc, pyr, src, { features: 500 });
      });
      o.log(`orb ${w}x${h}: ${simd!().count} keypoints (wasm-simd)`);
      let cvTask: (() => void) | undefined;
      if (cv) {
        const m = cvGray(cv, w, h, bytes);
        const det = new cv.ORB(500);
        const [kv, d, mask] = [new cv.KeyPointVector(), new cv.Mat(), new cv.Mat()];
        cvTask = () => det.detectAndCompute(m, mask, kv, d);
      }
      rows.push(
        ...(await measure(
          'orb',
          w,
          h,
          [['reference', reference!], ['wasm-scalar', scalar!], ['wasm-simd', simd!], cvTask && ['opencv.js', cvTask]],
          o,
        )),
      );
    }
    return rows;
  },
};
