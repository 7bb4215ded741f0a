import { describe, expect, test } from 'bun:test';
import { FramekitError } from '../../ts/index.js';
import { cameraPath, mat3Apply, rotation, type Mat3 } from '../../ts/track/synthetic.js';
import { framekits, openCV, mulberry32 } from '../helpers/index.js';

const fks = await framekits();
const W = 640;
const H = 480;
const path = cameraPath(W, H, 800);

/** Angle of the rotation taking A to B (row-major 3x3), in degrees. */
function angleBetween(A: ArrayLike<number>, B: ArrayLike<number>): number {
  let tr = 0; // trace(A^T B)
  for (let i = 0; i < 9; i++) tr += A[i]! * B[i]!;
  return (Math.acos(Math.min(1, Math.max(-1, (tr - 1) / 2))) * 180) / Math.PI;
}

/** |a - b| / |b| for translations. */
function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!) / Math.hypot(b[0]!, b[1]!, b[2]!);
}

/** R^T R = I and det R = 1 within `eps`. */
function isRotation(R: ArrayLike<number>, eps = 1e-9): boolean {
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      const d = R[i]! * R[j]! + R[3 + i]! * R[3 + j]! + R[6 + i]! * R[6 + j]!;
      if (Math.abs(d - (i === j ? 1 : 0)) > eps) return false;
    }
  }
  const det = R[0]! * (R[4]! * R[8]! - R[5]! * R[7]!) - R[1]! * (R[3]! * R[8]! - R[5]! * R[6]!) + R[2]! * (R[3]! * R[7]! - R[4]! * R[6]!);
  return Math.abs(det - 1) < eps;
}

const FRAMES = [0, 13, 42, 77, 111, 150];

describe('poseFromHomography: every implementation against ground truth', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: from the true homography, at any scale and sign: R within 1e-6 degrees, t within 1e-9`, () => {
      const pose = fk.allocPose();
      for (const k of FRAMES) {
        const f = path.frame(k);
        for (const scale of [1, -3.5, 1e-4]) {
          fk.poseFromHomography(
            pose,
            f.planeToImage.map((x) => x * scale),
            path.K,
          );
          expect(isRotation(pose.R)).toBe(true);
          expect(angleBetween(pose.R, f.pose.R)).toBeLessThan(1e-6);
          expect(relError(pose.t, f.pose.t)).toBeLessThan(1e-9);
          expect(pose.t[2]).toBeGreaterThan(0);
        }
      }
      fk.arena.free(pose.region);
    });

    test(`${backend}: from the RANSAC homography of noisy points (0.5 px, 30% outliers): within 1 degree and 1% of translation`, () => {
      const pose = fk.allocPose();
      const n = 300;
      const src = fk.allocPoints(n);
      const dst = fk.allocPoints(n);
      const out = fk.allocHomography(n);
      for (const k of FRAMES) {
        const f = path.frame(k);
        const rnd = mulberry32(k + 1);
        const g = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
        for (let i = 0; i < n; i++) {
          const x = (rnd() - 0.5) * 800;
          const y = (rnd() - 0.5) * 600;
          const [u, v] = mat3Apply(f.planeToImage, x, y);
          const outlier = rnd() < 0.3;
          src.set([x, y], 2 * i);
          dst.set(outlier ? [rnd() * W, rnd() * H] : [u + 0.5 * g(), v + 0.5 * g()], 2 * i);
        }
        fk.findHomography(out, src, dst, n);
        fk.poseFromHomography(pose, out.homography!, path.K);
        expect(angleBetween(pose.R, f.pose.R)).toBeLessThan(1);
        expect(relError(pose.t, f.pose.t)).toBeLessThan(0.01);
      }
      for (const p of [src, dst]) fk.freePoints(p);
      fk.arena.free(out.region);
      fk.arena.free(pose.region);
    });

    test(`${backend}: a non-square-pixel, skewed camera and a tilted plane`, () => {
      const K = Float64Array.of(700, 1.5, 300, 0, 650, 250, 0, 0, 1);
      const R = rotation(0.5, -0.4, 1.2);
      const t = [-40, 25, 900];
      const rt = Float64Array.of(R[0]!, R[1]!, t[0]!, R[3]!, R[4]!, t[1]!, R[6]!, R[7]!, t[2]!);
      const Hm: Mat3 = new Float64Array(9);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) Hm[i * 3 + j] = K[i * 3]! * rt[j]! + K[i * 3 + 1]! * rt[3 + j]! + K[i * 3 + 2]! * rt[6 + j]!;
      const pose = fk.poseFromHomography(fk.allocPose(), Hm, K);
      expect(angleBetween(pose.R, R)).toBeLessThan(1e-6);
      expect(relError(pose.t, t)).toBeLessThan(1e-9);
      fk.arena.free(pose.region);
    });
  }

  test('reference, wasm-scalar and wasm-simd agree bit for bit (300 perturbed homographies, scales 1e-6 to 1e6)', () => {
    const rnd = mulberry32(99);
    const poses = fks.map(([, fk]) => fk.allocPose());
    for (let i = 0; i < 300; i++) {
      const scale = 10 ** (12 * rnd() - 6);
      const noisy = path.frame(i).planeToImage.map((x) => x * scale * (1 + 0.01 * (rnd() - 0.5)));
      const got = fks.map(([, fk], j) => {
        const p = fk.poseFromHomography(poses[j]!, noisy, path.K);
        return [Array.from(p.R), Array.from(p.t)];
      });
      expect(got[1]).toEqual(got[0]!);
      expect(got[2]).toEqual(got[0]!);
    }
    fks.forEach(([, fk], j) => fk.arena.free(poses[j]!.region));
  });
});

describe('poseFromHomography against OpenCV.js solvePnP on the same correspondences', async () => {
  const { cv } = await openCV();
  test('200 plane points with 0.5 px noise: our pose (RANSAC homography, then R and t) and cv.solvePnP (iterative) agree within 0.1 degree and 0.2%', () => {
    const [, fk] = fks[2]!;
    const n = 200;
    const src = fk.allocPoints(n);
    const dst = fk.allocPoints(n);
    const out = fk.allocHomography(n);
    const pose = fk.allocPose();
    const Kmat = cv.matFromArray(3, 3, cv.CV_64F, Array.from(path.K));
    const dist = cv.Mat.zeros(4, 1, cv.CV_64F);
    let worstR = 0;
    let worstT = 0;
    for (const k of FRAMES) {
      const f = path.frame(k);
      const rnd = mulberry32(500 + k);
      const g = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
      const obj: number[] = [];
      const img: number[] = [];
      for (let i = 0; i < n; i++) {
        const x = (rnd() - 0.5) * 800;
        const y = (rnd() - 0.5) * 600;
        const [u, v] = mat3Apply(f.planeToImage, x, y);
        src.set([x, y], 2 * i);
        dst.set([u + 0.5 * g(), v + 0.5 * g()], 2 * i);
        obj.push(x, y, 0);
        img.push(dst[2 * i]!, dst[2 * i + 1]!);
      }
      fk.findHomography(out, src, dst, n);
      fk.poseFromHomography(pose, out.homography!, path.K);
      const om = cv.matFromArray(n, 1, cv.CV_64FC3, obj);
      const im = cv.matFromArray(n, 1, cv.CV_64FC2, img);
      const rvec = new cv.Mat();
      const tvec = new cv.Mat();
      expect(cv.solvePnP(om, im, Kmat, dist, rvec, tvec, false, cv.SOLVEPNP_ITERATIVE)).toBe(true);
      const Rm = new cv.Mat();
      cv.Rodrigues(rvec, Rm);
      const cvR = Array.from(Rm.data64F as Float64Array);
      const cvT = Array.from(tvec.data64F as Float64Array);
      worstR = Math.max(worstR, angleBetween(pose.R, cvR));
      worstT = Math.max(worstT, relError(pose.t, cvT));
      for (const m of [om, im, rvec, tvec, Rm]) m.delete();
    }
    console.log(
      `pose vs cv.solvePnP over ${FRAMES.length} frames: largest rotation difference ${worstR.toFixed(4)} degrees, translation ${(100 * worstT).toFixed(4)}%`,
    );
    expect(worstR).toBeLessThan(0.1);
    expect(worstT).toBeLessThan(0.002);
    Kmat.delete();
    dist.delete();
    for (const p of [src, dst]) fk.freePoints(p);
    fk.arena.free(out.region);
    fk.arena.free(pose.region);
  });
});

describe('poseFromHomography: bad input', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: invalid intrinsics or homography: E_ARGUMENT, nothing written`, () => {
      const pose = fk.allocPose();
      fk.heap.fill(0xa5, pose.region.ptr, pose.region.ptr + 96);
      const before = fk.arena.stats();
      const Hm = path.frame(5).planeToImage;
      const K = path.K;
      const with_ = (m: ArrayLike<number>, i: number, v: number) => Array.from(m, (x, j) => (j === i ? v : x));
      const bad: Array<[ArrayLike<number>, ArrayLike<number>]> = [
        [Hm, with_(K, 0, 0)], // fx = 0
        [Hm, with_(K, 4, -640)], // fy < 0
        [Hm, with_(K, 6, 0.1)], // bottom row not [0 0 1]
        [Hm, with_(K, 8, 2)],
        [Hm, with_(K, 3, 1)], // not upper triangular
        [Hm, with_(K, 2, Number.NaN)],
        [Hm, [1, 0, 0, 0, 1, 0]], // not 3x3
        [with_(Hm, 4, Number.NaN), K],
        [with_(Hm, 8, Infinity), K],
        [[0, 0, 1, 0, 0, 2, 0, 0, 1], K], // singular: r1 = r2 = 0
        [[1, 0, 0, 0, 0, 0, 0, 0, 1], K], // second column zero
      ];
      for (const [h, k] of bad) {
        let err: unknown;
        try {
          fk.poseFromHomography(pose, h, k);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(FramekitError);
        expect((err as FramekitError).code).toBe('E_ARGUMENT');
      }
      expect(Array.from(fk.heap.subarray(pose.region.ptr, pose.region.ptr + 96)).every((b) => b === 0xa5)).toBe(true);
      expect(fk.arena.stats()).toEqual(before);
      fk.arena.free(pose.region);
    });
  }
});
