import { createFramekit, type Framekit } from '../ts/index.js';
import { cameraPath, frameToFrame, mat3Apply } from '../ts/track/synthetic.js';
import { measure, type BenchRow, type BenchSuite } from './harness.js';
import { loadOpenCV, type CV } from '../ts/cli/peers.js';

const POINTS = 500;
const OUTLIERS = 0.3;

/** mulberry32, as the unit suites use: the same correspondences in every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `n` correspondences between two frames of the synthetic camera path at 1280x720 (ground-truth
 * homography frameToFrame), 0.5 px Gaussian noise, a fraction `outliers` replaced by uniform points.
 */
function correspondences(n: number, outliers: number): { src: Float32Array; dst: Float32Array } {
  const [w, h] = [1280, 720];
  const path = cameraPath(w, h, 1600);
  const T = frameToFrame(path.frame(10), path.frame(40));
  const rnd = mulberry32(2024);
  const g = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const src = new Float32Array(2 * n);
  const dst = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const x = rnd() * w;
    const y = rnd() * h;
    const [u, v] = mat3Apply(T, x, y);
    const out = rnd() < outliers;
    src.set([x, y], 2 * i);
    dst.set(out ? [rnd() * w, rnd() * h] : [u + 0.5 * g(), v + 0.5 * g()], 2 * i);
  }
  return { src, dst };
}

/** A framekit of one backend holding the points and a result, and the call to time. */
async function task(
  backend: 'reference' | 'wasm-scalar' | 'wasm-simd',
  pts: { src: Float32Array; dst: Float32Array },
): Promise<{ fk: Framekit; run: () => number }> {
  const fk = await createFramekit({ arenaBytes: 1 << 20, backend });
  const src = fk.allocPoints(POINTS);
  const dst = fk.allocPoints(POINTS);
  src.set(pts.src);
  dst.set(pts.dst);
  const out = fk.allocHomography(POINTS);
  return { fk, run: () => fk.findHomography(out, src, dst, POINTS).inliers };
}

/**
 * findHomography on 500 correspondences with 30% outliers (threshold 3 px, confidence 0.995, at most
 * 2000 iterations, as OpenCV's defaults): the TypeScript reference, WASM scalar and SIMD, and OpenCV.js
 * cv.findHomography(RANSAC) on the same points (its RANSAC followed by its Levenberg-Marquardt
 * refinement). Rows have width = points, height = 1. Then pose from a homography ('pose' rows, 1x1).
 * The size options do not apply.
 */
export const geometrySuite: BenchSuite = {
  kernel: 'homography',
  async run(o) {
    const cv: CV | undefined = (await loadOpenCV())?.cv;
    const pts = correspondences(POINTS, OUTLIERS);
    const impls = [await task('reference', pts), await task('wasm-scalar', pts), await task('wasm-simd', pts)];
    let cvTask: (() => void) | undefined;
    if (cv) {
      const sm = cv.matFromArray(POINTS, 1, cv.CV_32FC2, Array.from(pts.src));
      const dm = cv.matFromArray(POINTS, 1, cv.CV_32FC2, Array.from(pts.dst));
      const mask = new cv.Mat();
      cvTask = () => cv.findHomography(sm, dm, cv.RANSAC, 3, mask).delete();
    } else o.log('homography: OpenCV.js is not installed; its row is left out');
    const rows: BenchRow[] = await measure(
      'homography',
      POINTS,
      1,
      [['reference', impls[0]!.run], ['wasm-scalar', impls[1]!.run], ['wasm-simd', impls[2]!.run], cvTask && ['opencv.js', cvTask]],
      o,
    );
    o.log(`homography: ${POINTS} points, ${OUTLIERS * 100}% outliers, ${impls[2]!.run()} inliers`);
    // Pose from a plane-to-image homography (OpenCV.js has no decomposeHomographyMat to set beside it).
    const path = cameraPath(1280, 720, 1600);
    const Hm = path.frame(10).planeToImage;
    const poseTask = (i: number): (() => unknown) => {
      const { fk } = impls[i]!;
      const pose = fk.allocPose();
      return () => fk.poseFromHomography(pose, Hm, path.K);
    };
    const poseRows = await measure(
      'pose',
      1,
      1,
      [
        ['reference', poseTask(0)],
        ['wasm-scalar', poseTask(1)],
        ['wasm-simd', poseTask(2)],
      ],
      o,
    );
    return [...rows.map((r) => ({ ...r, points: POINTS, outliers: OUTLIERS })), ...poseRows];
  },
};
