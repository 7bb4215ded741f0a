import { describe, expect, test } from 'bun:test';
import { createFramekit } from '../../ts/index.js';
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
    // Over the pairs, framekit's error is the smaller, and so is its worst pair's; framekit is no worse
    // on most pairs. Not on every one: on some pairs even a least-squares fit on the true inliers
    // is worse than OpenCV.js's estimate, which then wins by the draw of the noise.
    expect(avg('fk')).toBeLessThanOrEqual(avg('cv'));
    expect(worst('fk')).toBeLessThanOrEqual(worst('cv'));
    expect(noWorse).toBeGreaterThan(rows.length / 2);
  }, 300_000);
});
