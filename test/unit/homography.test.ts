import { describe, expect, test } from 'bun:test';
import { type Framekit, type HomographyOptions } from '../../ts/index.js';
import { cameraPath, frameToFrame, mat3Apply, mat3Invert, renderFrame, type Mat3 } from '../../ts/track/synthetic.js';
import { fixture, framekits, loadOpenCV, openCV, mulberry32, errorCode } from '../helpers/index.js';

const fks = await framekits();
const W = 640;
const H = 480;
const path = cameraPath(W, H, 800);

/** Seeded standard normal (Box-Muller over mulberry32). */
function gaussian(rnd: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

interface Case {
  src: number[];
  dst: number[];
  inlier: boolean[];
}

/**
 * `n` correspondences through the true homography `T`: src uniform over `box` [x0, y0, x1, y1],
 * dst = T(src) + N(0, noise^2) per axis; a fraction `outliers` of dst replaced by uniform points of the
 * image instead.
 */
function makeCase(T: Mat3, n: number, box: number[], noise: number, outliers: number, seed: number): Case {
  const rnd = mulberry32(seed);
  const g = gaussian(rnd);
  const c: Case = { src: [], dst: [], inlier: [] };
  for (let i = 0; i < n; i++) {
    const x = box[0]! + rnd() * (box[2]! - box[0]!);
    const y = box[1]! + rnd() * (box[3]! - box[1]!);
    const [u, v] = mat3Apply(T, x, y);
    const out = rnd() < outliers;
    c.src.push(x, y);
    c.dst.push(out ? rnd() * W : u + noise * g(), out ? rnd() * H : v + noise * g());
    c.inlier.push(!out);
  }
  return c;
}

/** Largest distance between where `T` and `E` take the corners of `box`. */
function cornerError(T: ArrayLike<number>, E: ArrayLike<number>, box: number[]): number {
  let worst = 0;
  for (const [x, y] of [
    [box[0]!, box[1]!],
    [box[2]!, box[1]!],
    [box[2]!, box[3]!],
    [box[0]!, box[3]!],
  ] as const) {
    const [a, b] = mat3Apply(Float64Array.from(T), x, y);
    const [c, d] = mat3Apply(Float64Array.from(E), x, y);
    worst = Math.max(worst, Math.hypot(a - c, b - d));
  }
  return worst;
}

/** Runs findHomography on a case; `shift` floats of offset start the points off 16-byte alignment. */
function run(fk: Framekit, c: Case, o: HomographyOptions = {}, shift = [0, 0]) {
  const n = c.src.length / 2;
  const srcRegion = fk.allocPoints(n + 2);
  const dstRegion = fk.allocPoints(n + 2);
  const src = srcRegion.subarray(shift[0]);
  const dst = dstRegion.subarray(shift[1]);
  src.set(c.src);
  dst.set(c.dst);
  const out = fk.allocHomography(Math.max(n, 1));
  fk.findHomography(out, src, dst, n, o);
  const r = {
    H: out.homography ? Array.from(out.homography) : null,
    reason: out.reason,
    inliers: out.inliers,
    mask: Array.from(out.mask.subarray(0, n)),
    iterations: out.iterations,
  };
  fk.arena.free(out.region);
  fk.freePoints(srcRegion);
  fk.freePoints(dstRegion);
  return r;
}

const PLANE = [-400, -300, 400, 300]; // the photo's plane, centred (photo pixels)
const IMAGE = [0, 0, W, H];

describe('findHomography: every implementation against ground truth', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: plane to image, 300 points, 0.5 px noise, 30% outliers: corners within 1 px`, () => {
      for (const k of [0, 23, 61, 97, 140]) {
        const T = path.frame(k).planeToImage;
        const c = makeCase(T, 300, PLANE, 0.5, 0.3, 100 + k);
        const r = run(fk, c);
        expect(r.reason).toBeNull();
        expect(cornerError(T, r.H!, PLANE)).toBeLessThan(1);
        // Every outlier rejected; the true inliers almost all kept (0.5 px noise, 3 px threshold).
        let kept = 0;
        for (let i = 0; i < c.inlier.length; i++) {
          if (!c.inlier[i]) expect(r.mask[i]).toBe(0);
          else kept += r.mask[i]!;
        }
        expect(kept).toBeGreaterThan(0.98 * c.inlier.filter(Boolean).length);
        expect(r.inliers).toBe(r.mask.reduce((a, b) => a + b, 0));
        expect(r.H![8]).toBe(1);
      }
    });

    test(`${backend}: frame to frame (frameToFrame), 500 points, 30% outliers: corners within 1 px`, () => {
      for (const [a, b] of [
        [0, 5],
        [10, 40],
        [70, 130],
      ] as const) {
        const T = frameToFrame(path.frame(a), path.frame(b));
        const r = run(fk, makeCase(T, 500, IMAGE, 0.5, 0.3, a * 7 + b));
        expect(r.reason).toBeNull();
        expect(cornerError(T, r.H!, IMAGE)).toBeLessThan(1);
      }
    });

    test(`${backend}: 1000 points with 50% outliers, 1 px noise, threshold 4: corners within 1 px`, () => {
      const T = frameToFrame(path.frame(20), path.frame(80));
      const r = run(fk, makeCase(T, 1000, IMAGE, 1, 0.5, 4242), { threshold: 4 });
      expect(r.reason).toBeNull();
      expect(cornerError(T, r.H!, IMAGE)).toBeLessThan(1);
    });

    test(`${backend}: 600 points, 85% outliers, ordered best first: within 100 hypotheses PROSAC (sorted) finds the map, uniform sampling does not`, () => {
      // Ordered as a matcher ranks its matches: inliers more likely near the front, not all of them.
      const T = frameToFrame(path.frame(15), path.frame(75));
      const c = makeCase(T, 600, IMAGE, 0.5, 0.85, 515);
      const rnd = mulberry32(516);
      const key = c.inlier.map((inl) => rnd() + (inl ? 0 : 0.5));
      const order = key.map((_, i) => i).sort((a, b) => key[a]! - key[b]! || a - b);
      const sorted: Case = {
        src: order.flatMap((i) => [c.src[2 * i]!, c.src[2 * i + 1]!]),
        dst: order.flatMap((i) => [c.dst[2 * i]!, c.dst[2 * i + 1]!]),
        inlier: order.map((i) => c.inlier[i]!),
      };
      // 100 hypotheses: uniform sampling draws an all-inlier sample with probability 1 - (1 - 0.15^4)^100, 5%.
      const r = run(fk, sorted, { sorted: true, minInliers: 10, maxIters: 100 });
      expect(r.reason).toBeNull();
      expect(cornerError(T, r.H!, IMAGE)).toBeLessThan(1);
      const u = run(fk, sorted, { minInliers: 10, maxIters: 100 });
      expect(u.H === null || cornerError(T, u.H, IMAGE) > 1).toBe(true);
      // Every outlier rejected.
      for (let i = 0; i < sorted.inlier.length; i++) if (!sorted.inlier[i]) expect(r.mask[i]).toBe(0);
    });

    test(`${backend}: exactly 4 points give the exact homography`, () => {
      const T = path.frame(33).planeToImage;
      const c = makeCase(T, 4, PLANE, 0, 0, 9);
      const r = run(fk, c);
      expect(r.inliers).toBe(4);
      expect(cornerError(T, r.H!, PLANE)).toBeLessThan(1e-3);
    });
  }
});

describe('findHomography: reproducible, and every implementation identical', () => {
  test('reference, wasm-scalar and wasm-simd return the same matrix (bit for bit), mask and iterations', () => {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const T = frameToFrame(path.frame(seed * 11), path.frame(seed * 11 + 20));
      const c = makeCase(T, 97 + seed * 61, IMAGE, 0.5 * seed, 0.1 * seed, seed); // n not a multiple of 4: SIMD tails
      // Uniform sampling, and PROSAC's (sorted: the same points taken as ordered best first).
      for (const sorted of [false, true]) {
        const results = fks.map(([, fk]) => run(fk, c, { seed, sorted }));
        for (const r of results.slice(1)) expect(r).toEqual(results[0]!);
        // Points starting 4, 8 or 12 bytes past a 16-byte boundary: the same result.
        for (const [, fk] of fks) expect(run(fk, c, { seed, sorted }, [seed % 4, (seed + 1) % 4])).toEqual(results[0]!);
        expect(run(fks[2]![1], c, { seed, sorted })).toEqual(results[0]!); // same seed, same result
      }
    }
  }, 60_000); // the reference runs every hypothesis in plain TypeScript, twice per case

  test('another seed draws other samples but finds the same model', () => {
    const T = path.frame(50).planeToImage;
    const c = makeCase(T, 300, PLANE, 0.5, 0.3, 77);
    const [, fk] = fks[2]!;
    const a = run(fk, c, { seed: 1 });
    const b = run(fk, c, { seed: 2 });
    expect(cornerError(a.H!, b.H!, PLANE)).toBeLessThan(0.2);
  });
});

describe('findHomography: bad input', () => {
  const [, fk] = fks[2]!;
  const code = errorCode;

  for (const [backend, f] of fks) {
    test(`${backend}: too few, collinear, coincident, no consensus: null with a reason, nothing written outside the outputs`, () => {
      const T = path.frame(3).planeToImage;
      const line = { src: [] as number[], dst: [] as number[], inlier: [] as boolean[] };
      for (let i = 0; i < 40; i++) {
        const x = -300 + i * 15.3;
        const y = 0.37 * x + 12;
        const [u, v] = mat3Apply(T, x, y);
        line.src.push(x, y);
        line.dst.push(u, v);
      }
      const same = { src: new Array(20).fill(5), dst: new Array(20).fill(7), inlier: [] };
      const cases: Array<[Case, HomographyOptions, string]> = [
        [makeCase(T, 3, PLANE, 0, 0, 1), {}, 'too-few-points'],
        [{ src: [], dst: [], inlier: [] }, {}, 'too-few-points'],
        [line, {}, 'degenerate'],
        [same, {}, 'degenerate'],
        [makeCase(T, 100, PLANE, 0.5, 0.6, 2), { minInliers: 60 }, 'no-consensus'],
      ];
      for (const [c, o, reason] of cases) {
        const n = c.src.length / 2;
        const src = f.allocPoints(n + 8);
        const dst = f.allocPoints(n + 8);
        src.fill(-1);
        dst.fill(-1);
        src.set(c.src);
        dst.set(c.dst);
        const out = f.allocHomography(n + 16);
        f.heap.fill(0xa5, out.region.ptr, out.region.ptr + out.region.size);
        const inputs = [Array.from(src), Array.from(dst)];
        const before = f.arena.stats();
        f.findHomography(out, src, dst, n, o);
        expect(out.homography).toBeNull();
        expect(out.reason).toBe(reason as never);
        expect(out.inliers).toBe(0);
        expect(Array.from(out.mask.subarray(0, n)).every((m) => m === 0)).toBe(true);
        // Guard bytes: the matrix is untouched on failure, the mask past `count` always.
        expect(Array.from(new Uint8Array(out.matrix.buffer, out.matrix.byteOffset, 72)).every((b) => b === 0xa5)).toBe(true);
        expect(Array.from(out.mask.subarray(n)).every((b) => b === 0xa5)).toBe(true);
        expect([Array.from(src), Array.from(dst)]).toEqual(inputs);
        expect(f.arena.stats()).toEqual(before);
        f.arena.free(out.region);
        f.freePoints(src);
        f.freePoints(dst);
      }
    });
  }

  test('typed errors: NaN points, points outside the arena, bad counts and options; nothing written', () => {
    const src = fk.allocPoints(8);
    const dst = fk.allocPoints(8);
    const T = path.frame(3).planeToImage;
    const c = makeCase(T, 8, PLANE, 0, 0, 4);
    src.set(c.src);
    dst.set(c.dst);
    const out = fk.allocHomography(8);
    fk.heap.fill(0xa5, out.region.ptr, out.region.ptr + out.region.size);
    const before = fk.arena.stats();
    const bad = fk.allocPoints(8);
    bad.set(c.src);
    bad[5] = Number.NaN;
    expect(code(() => fk.findHomography(out, bad, dst, 8))).toBe('E_ARGUMENT');
    bad[5] = Infinity;
    expect(code(() => fk.findHomography(out, src, bad, 8))).toBe('E_ARGUMENT');
    expect(code(() => fk.findHomography(out, new Float32Array(16), dst, 8))).toBe('E_OUT_OF_BOUNDS');
    expect(code(() => fk.findHomography(out, src, dst, 9))).toBe('E_ARGUMENT'); // more than out holds
    expect(code(() => fk.findHomography(out, src, dst, 2.5))).toBe('E_ARGUMENT');
    expect(code(() => fk.findHomography(out, src.subarray(0, 8), dst, 8))).toBe('E_BUFFER_SIZE');
    for (const o of [
      { threshold: 0 },
      { threshold: Number.NaN },
      { confidence: 1.5 },
      { maxIters: 0 },
      { seed: -1 },
      { seed: 2 ** 32 },
      { refineIters: 0.5 },
      { sorted: 1 },
    ] as unknown as HomographyOptions[]) {
      expect(code(() => fk.findHomography(out, src, dst, 8, o))).toBe('E_ARGUMENT');
    }
    const big = fk.allocHomography(64);
    const inside = new Float32Array(fk.memory.buffer, big.region.ptr + 80, 16);
    expect(code(() => fk.findHomography(big, inside, dst, 8))).toBe('E_ARGUMENT'); // out overlaps the points
    expect(code(() => fk.allocHomography(0))).toBe('E_ARGUMENT');
    expect(Array.from(new Uint8Array(fk.memory.buffer, out.region.ptr, out.region.size)).every((b) => b === 0xa5)).toBe(true);
    fk.arena.free(big.region);
    fk.freePoints(bad);
    expect(fk.arena.stats()).toEqual(before);
    fk.arena.free(out.region);
    fk.freePoints(src);
    fk.freePoints(dst);
  });
});

describe('findHomography on a photograph and a view of it through a known homography, against OpenCV.js', async () => {
  const cv = (await loadOpenCV())?.cv;
  test('OpenCV.js is installed (a development dependency)', () => expect(cv).toBeTruthy());
  test('camera.png -> its view through a perspective map (noise sigma 2): ORB matches (OpenCV.js), our RANSAC vs cv.findHomography(RANSAC) and the truth', async () => {
    // The second view is cv.warpPerspective (bilinear) of the CC0 photograph through T: the plane
    // turned and moved as by a camera (pixels move by up to about 40 px); both views then get their
    // own seeded sensor noise.
    const T = Float64Array.from([0.99, 0.03, 12, -0.03, 0.99, 7, 2e-5, -1e-5, 1]);
    const img = await fixture('camera.png');
    const bpp = img.format === 'rgba' ? 4 : img.format === 'rgb' ? 3 : 1;
    const base = new cv.Mat(img.height, img.width, cv.CV_8UC1);
    for (let i = 0; i < img.width * img.height; i++) base.data[i] = img.data[i * bpp];
    const moved = new cv.Mat();
    const tm = cv.matFromArray(3, 3, cv.CV_64F, Array.from(T));
    cv.warpPerspective(base, moved, tm, new cv.Size(img.width, img.height), cv.INTER_LINEAR, cv.BORDER_REPLICATE);
    const mats = [base, moved];
    const g = gaussian(mulberry32(7));
    for (const m of mats) for (let i = 0; i < m.data.length; i++) m.data[i] = Math.min(255, Math.max(0, Math.round(m.data[i] + 2 * g())));
    tm.delete();
    {
      const orb = new cv.ORB(1000);
      const kps = [new cv.KeyPointVector(), new cv.KeyPointVector()];
      const des = [new cv.Mat(), new cv.Mat()];
      const none = new cv.Mat();
      for (let i = 0; i < 2; i++) orb.detectAndCompute(mats[i], none, kps[i], des[i]);
      const bf = new cv.BFMatcher(cv.NORM_HAMMING, true);
      const matches = new cv.DMatchVector();
      bf.match(des[0], des[1], matches);
      const n = matches.size();
      expect(n).toBeGreaterThan(50);
      const s: number[] = [];
      const d: number[] = [];
      for (let i = 0; i < n; i++) {
        const m = matches.get(i);
        const p = kps[0]!.get(m.queryIdx).pt;
        const q = kps[1]!.get(m.trainIdx).pt;
        s.push(p.x, p.y);
        d.push(q.x, q.y);
      }
      const sm = cv.matFromArray(n, 1, cv.CV_32FC2, s);
      const dm = cv.matFromArray(n, 1, cv.CV_32FC2, d);
      const cvMask = new cv.Mat();
      const cvH = cv.findHomography(sm, dm, cv.RANSAC, 3, cvMask);
      const ref = Array.from(cvH.data64F as Float64Array);
      const cvInliers = (cvMask.data as Uint8Array).reduce((x, y) => x + (y ? 1 : 0), 0);
      for (const [backend, fk] of fks) {
        const r = run(fk, { src: s, dst: d, inlier: [] });
        expect(r.reason).toBeNull();
        // Both are estimates from the same matches, whose positions are as coarse as the pyramid level
        // ORB found them on: the inlier sets agree, on the common inliers the two maps differ by less
        // than the threshold, and at the image corners ours is within 1 px of the truth and no
        // further from it than OpenCV's.
        let both = 0;
        let agree = 0;
        let worst = 0;
        for (let i = 0; i < n; i++) {
          const ours = r.mask[i] === 1;
          const theirs = (cvMask.data as Uint8Array)[i] !== 0;
          agree += ours === theirs ? 1 : 0;
          if (!ours || !theirs) continue;
          both++;
          const [x1, y1] = mat3Apply(Float64Array.from(ref), s[2 * i]!, s[2 * i + 1]!);
          const [x2, y2] = mat3Apply(Float64Array.from(r.H!), s[2 * i]!, s[2 * i + 1]!);
          worst = Math.max(worst, Math.hypot(x1 - x2, y1 - y2));
        }
        const box = [0, 0, mats[0].cols, mats[0].rows];
        const corners = cornerError(ref, r.H!, box);
        const oursTruth = cornerError(T, r.H!, box);
        const cvTruth = cornerError(T, ref, box);
        console.log(
          `${backend}: ${n} matches; inliers ours ${r.inliers}, OpenCV ${cvInliers}, common ${both}; ` +
            `largest difference on common inliers ${worst.toFixed(3)} px (at the image corners ${corners.toFixed(2)} px); ` +
            `largest corner error against the truth: ours ${oursTruth.toFixed(3)} px, OpenCV ${cvTruth.toFixed(3)} px`,
        );
        expect(agree).toBeGreaterThan(0.95 * n);
        expect(both).toBeGreaterThan(0.95 * cvInliers);
        expect(worst).toBeLessThan(3); // the RANSAC threshold both ran with
        expect(oursTruth).toBeLessThan(1);
        expect(oursTruth).toBeLessThanOrEqual(cvTruth);
      }
      for (const m of [...mats, ...des, none, sm, dm, cvMask, cvH, matches, ...kps]) m.delete();
      orb.delete();
      bf.delete();
    }
  });
});

describe('findHomography on rendered views of a photograph (camera path with ground truth), ORB matches from OpenCV.js', async () => {
  const { cv } = await openCV();
  test('frame to frame within 1 px at the image corners; the pose of the later frame within 1 degree and 1%', async () => {
    const img = await fixture('coffee.png');
    const gray = new Uint8Array(img.width * img.height);
    const bpp = img.format === 'rgba' ? 4 : img.format === 'rgb' ? 3 : 1;
    for (let i = 0; i < gray.length; i++) {
      const d = img.data;
      gray[i] = bpp === 1 ? d[i]! : (9798 * d[i * bpp]! + 19235 * d[i * bpp + 1]! + 3735 * d[i * bpp + 2]! + 16384) >> 15;
    }
    const photo = { width: img.width, height: img.height, data: gray };
    const cam = cameraPath(W, H, img.width);
    const orb = new cv.ORB(1500);
    const bf = new cv.BFMatcher(cv.NORM_HAMMING, true);
    const none = new cv.Mat();
    const view = (k: number) => {
      const m = new cv.Mat(H, W, cv.CV_8UC1);
      renderFrame(m.data as Uint8Array, W, cam, cam.frame(k), photo);
      const kp = new cv.KeyPointVector();
      const des = new cv.Mat();
      orb.detectAndCompute(m, none, kp, des);
      m.delete();
      return { kp, des };
    };
    for (const [a, b] of [
      [0, 30],
      [40, 100],
      [90, 170],
    ] as const) {
      const va = view(a);
      const vb = view(b);
      const matches = new cv.DMatchVector();
      bf.match(va.des, vb.des, matches);
      const n = matches.size();
      const T = frameToFrame(cam.frame(a), cam.frame(b));
      const toPlane = mat3Invert(cam.frame(a).planeToImage);
      const imgA: number[] = [];
      const imgB: number[] = [];
      const plane: number[] = [];
      for (let i = 0; i < n; i++) {
        const m = matches.get(i);
        const p = va.kp.get(m.queryIdx).pt;
        const q = vb.kp.get(m.trainIdx).pt;
        imgA.push(p.x, p.y);
        imgB.push(q.x, q.y);
        plane.push(...mat3Apply(toPlane, p.x, p.y)); // where frame a's keypoint lies on the photo's plane
      }
      for (const [backend, fk] of fks) {
        const r = run(fk, { src: imgA, dst: imgB, inlier: [] });
        expect(r.reason).toBeNull();
        const err = cornerError(T, r.H!, IMAGE);
        // Plane to image b, then the pose of frame b.
        const rp = run(fk, { src: plane, dst: imgB, inlier: [] });
        const pose = fk.poseFromHomography(fk.allocPose(), rp.H!, cam.K);
        const f = cam.frame(b);
        let tr = 0;
        for (let i = 0; i < 9; i++) tr += pose.R[i]! * f.pose.R[i]!;
        const deg = (Math.acos(Math.min(1, (tr - 1) / 2)) * 180) / Math.PI;
        const dt = Math.hypot(pose.t[0]! - f.pose.t[0], pose.t[1]! - f.pose.t[1], pose.t[2]! - f.pose.t[2]) / Math.hypot(...f.pose.t);
        if (backend === 'wasm-simd') {
          console.log(
            `frames ${a} -> ${b}: ${n} ORB matches, ${r.inliers} inliers, corners ${err.toFixed(3)} px; pose ${deg.toFixed(3)} degrees, t ${(100 * dt).toFixed(3)}%`,
          );
        }
        expect(err).toBeLessThan(1);
        expect(deg).toBeLessThan(1);
        expect(dt).toBeLessThan(0.01);
        fk.arena.free(pose.region);
      }
      for (const m of [va.kp, va.des, vb.kp, vb.des, matches]) m.delete();
    }
    orb.delete();
    bf.delete();
    none.delete();
  });
});
