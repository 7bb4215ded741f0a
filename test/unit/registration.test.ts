import { describe, expect, test } from 'bun:test';
import { createFramekit } from '../../ts/index.js';
import { registerPair } from '../../ts/features/register.js';
import {
  cornerError,
  framekitRegister,
  grayOfImage,
  makePair,
  opencvRegister,
  registrationViews,
  type GrayImage,
} from '../helpers/registration.js';
import { fixture, loadOpenCV } from '../helpers/index.js';

const FEATURES = 2000;

describe('registration under strong viewpoint changes: framekit match against OpenCV.js ORB + BFMatcher + findHomography(RANSAC)', async () => {
  const cv = (await loadOpenCV())?.cv;
  test('OpenCV.js is installed (a development dependency)', () => expect(cv).toBeTruthy());

  test('photographs of test/fixtures tilted 40, 50, 60 and 20 degrees out of plane (cv.warpPerspective, blur, noise): corner errors against the true homography', async () => {
    const fk = await createFramekit({ arenaBytes: 96 << 20, backend: 'wasm-simd' });
    const grays = new Map<string, GrayImage>();
    const rows: Array<{ name: string; fk: { mean: number; max: number }; cv: { mean: number; max: number } }> = [];
    for (const { photo, view } of registrationViews()) {
      if (!grays.has(photo)) grays.set(photo, grayOfImage(cv, await fixture(photo)));
      const a = grays.get(photo)!;
      const pair = makePair(cv, `${photo} tilt ${view.tilt}`, a, view);
      const ours = framekitRegister(fk, pair, FEATURES);
      const theirs = opencvRegister(cv, pair, FEATURES);
      expect(ours.homography).not.toBeNull();
      expect(theirs.homography).not.toBeNull();
      const row = {
        name: pair.name,
        fk: cornerError(pair.truth, ours.homography, a.width, a.height),
        cv: cornerError(pair.truth, theirs.homography, a.width, a.height),
      };
      rows.push(row);
      console.log(
        `${row.name.padEnd(32)} mean corner error framekit ${row.fk.mean.toFixed(2)} px, OpenCV.js ${row.cv.mean.toFixed(2)} px` +
          ` (max ${row.fk.max.toFixed(2)}, ${row.cv.max.toFixed(2)}); inliers ${ours.inliers} of ${ours.src.length / 2}, ${theirs.inliers} of ${theirs.src.length / 2}`,
      );
    }
    const avg = (k: 'fk' | 'cv') => rows.reduce((s, r) => s + r[k].mean, 0) / rows.length;
    const worst = (k: 'fk' | 'cv') => Math.max(...rows.map((r) => r[k].mean));
    const noWorse = rows.filter((r) => r.fk.mean <= r.cv.mean).length;
    console.log(
      `${rows.length} pairs: mean corner error framekit ${avg('fk').toFixed(3)} px, OpenCV.js ${avg('cv').toFixed(3)} px; ` +
        `worst pair ${worst('fk').toFixed(2)} px, ${worst('cv').toFixed(2)} px; framekit no worse on ${noWorse} of ${rows.length}`,
    );
    expect(rows.length).toBe(24);
    // On every pair framekit's corner error is at most OpenCV.js's, with no tolerance; so are the
    // average and the worst pair's.
    const worse = rows.filter((r) => !(r.fk.mean <= r.cv.mean)).map((r) => `${r.name}: ${r.fk.mean.toFixed(3)} > ${r.cv.mean.toFixed(3)}`);
    expect(worse).toEqual([]);
    expect(noWorse).toBe(rows.length);
    expect(avg('fk')).toBeLessThanOrEqual(avg('cv'));
    expect(worst('fk')).toBeLessThanOrEqual(worst('cv'));
  }, 300_000);

  test('registerPair: the refined pairs come first, the homography is fitted on them alone, and refine: false leaves the RANSAC result', async () => {
    const fk = await createFramekit({ arenaBytes: 96 << 20, backend: 'wasm-simd' });
    const { photo, view } = registrationViews().find((v) => v.photo === 'camera.png' && v.view.tilt === 50)!;
    const pair = makePair(cv, `${photo} tilt ${view.tilt}`, grayOfImage(cv, await fixture(photo)), view);
    const [a, b] = [pair.a, pair.b].map((g) => fk.writePixels(fk.allocPlane(g.width, g.height, 'gray'), g.data));
    const plain = registerPair(fk, a!, b!, FEATURES, { refine: false });
    const ref = registerPair(fk, a!, b!, FEATURES);
    const n = ref.matches.count;
    expect(plain.refined).toBe(0);
    expect(plain.matches.count).toBe(n);
    expect(ref.refined).toBeGreaterThan(100);
    expect(ref.refined).toBeLessThanOrEqual(n);
    // order is a permutation of the matches; src is A's point of match order[k] in both, in their orders.
    expect(Array.from(ref.order).sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, k) => k));
    const at = new Map(Array.from(plain.order, (m, k) => [m, k]));
    let movedFar = 0;
    for (let k = 0; k < n; k++) {
      const p = at.get(ref.order[k]!)!;
      expect([ref.src[2 * k], ref.src[2 * k + 1]]).toEqual([plain.src[2 * p], plain.src[2 * p + 1]]);
      // Unrefined pairs keep B's keypoint; refined ones moved less than the threshold (3 px).
      const d = Math.hypot(ref.dst[2 * k]! - plain.dst[2 * p]!, ref.dst[2 * k + 1]! - plain.dst[2 * p + 1]!);
      if (k >= ref.refined) expect(d).toBe(0);
      if (d > 6) movedFar++;
    }
    expect(movedFar).toBe(0);
    // Each part keeps the distance order.
    const dist = (k: number) => ref.matches.distance[ref.order[k]!]!;
    for (let k = 1; k < n; k++) if (k !== ref.refined) expect(dist(k)).toBeGreaterThanOrEqual(dist(k - 1));
    // The mask marks refined pairs only, and counts the inliers.
    expect(ref.homography.mask.subarray(ref.refined, n).every((m) => m === 0)).toBe(true);
    expect(ref.homography.mask.subarray(0, n).reduce((s, m) => s + m, 0)).toBe(ref.homography.inliers);
    // refine: false is RANSAC on every pair, as before: its homography and mask equal findHomography's own.
    const direct = fk.allocHomography(n);
    fk.findHomography(direct, plain.src, plain.dst, n, { minInliers: 10, sorted: true });
    expect(Array.from(direct.homography!)).toEqual(Array.from(plain.homography.homography!));
    expect(Array.from(direct.mask.subarray(0, n))).toEqual(Array.from(plain.homography.mask.subarray(0, n)));
    fk.arena.free(direct.region);
    const err = (r: typeof ref) => cornerError(pair.truth, r.homography.homography, pair.a.width, pair.a.height).mean;
    expect(err(ref)).toBeLessThan(err(plain));
    // free() returns the seven regions each took (keypoints, descriptors, matches, points, result).
    const live = fk.arena.stats().regions;
    ref.free();
    plain.free();
    expect(fk.arena.stats().regions).toBe(live - 14);
  });
});
