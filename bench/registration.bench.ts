/*
 * Registration accuracy and findHomography time: framekit against OpenCV.js on the registration
 * pairs (test/helpers/registration.ts), and framekit's findHomography before this RANSAC (the WebAssembly
 * SIMD binary of commit ee69217, read from git history, run in its own memory) against now.
 *
 *   bun bench/registration.bench.ts [--out FILE]                       (Bun)
 *   npm run build:ts && node dist/bench/registration.bench.js [--out FILE]   (Node)
 *
 * Run from the repository root. Writes JSON: per pair the mean and max corner error (the four image
 * corners mapped by the recovered and the true homography) of framekit now, framekit without its
 * window-alignment refinement (registerPair with refine: false), framekit before (its earlier RANSAC
 * on the points the earlier `framekit match` made) and OpenCV.js; then the median time per
 * findHomography call on the matches of two pairs, each implementation on the points its own
 * pipeline hands it, and the median time of a whole registerPair with and without refinement.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createFramekit, type Framekit } from '../ts/index.js';
import { registerPair } from '../ts/features/register.js';
import { benchEnv, measure, type BenchOptions } from './harness.js';
import { loadOpenCV, type CV } from '../ts/cli/peers.js';
import {
  cornerError,
  grayOfImage,
  makePair,
  opencvRegister,
  registrationViews,
  type GrayImage,
  type RegistrationPair,
} from '../test/helpers/registration.js';
import { readImageFile } from '../ts/io/image.js';
import { readMemoryImport } from '../ts/backends/wasm/binary.js';

const FEATURES = 2000;
const BEFORE_COMMIT = 'ee69217';

type Before = (src: Float32Array, dst: Float32Array) => () => { homography: Float64Array | null; inliers: number };

/**
 * The earlier findHomography (no PROSAC, LO or MSAC; OpenCV's defaults and minInliers 10, as the
 * earlier match command called it), in a memory of its own: `before(src, dst)` copies the points in
 * and returns the call.
 */
async function loadBefore(): Promise<Before> {
  const bytes = new Uint8Array(execFileSync('git', ['show', `${BEFORE_COMMIT}:wasm/bin/features.simd.wasm`]));
  const declared = readMemoryImport(bytes);
  if (!declared) throw new Error(`${BEFORE_COMMIT}:wasm/bin/features.simd.wasm imports no memory`);
  const memory = new WebAssembly.Memory({ initial: Math.max(declared.initial, 512) });
  const inst = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { env: { memory } });
  const find = inst.exports.fk_find_homography as (...a: number[]) => number;
  const base = memory.buffer.byteLength >> 1; // above the module's data and stack
  return (src, dst) => {
    const n = src.length / 2;
    if (base + 17 * n + 128 > memory.buffer.byteLength) throw new Error('too many points for the earlier findHomography');
    const f32 = new Float32Array(memory.buffer);
    f32.set(src, base / 4);
    f32.set(dst, base / 4 + 2 * n);
    const outH = base + 16 * n;
    return () => {
      const status = find(base, base + 8 * n, n, 3, 0.995, 2000, 0x2545f491, 10, 10, outH, outH + 80, outH + 72);
      return { homography: status >= 0 ? new Float64Array(memory.buffer, outH, 9).slice() : null, inliers: Math.max(0, status) };
    };
  };
}

interface Points {
  src: Float32Array;
  dst: Float32Array;
}

/**
 * framekit's pipeline now, with and without refinement, and the earlier one's points. `now` holds the
 * unrefined pipeline's points (keypoints sorted and centred, as findHomography gets them first).
 */
function framekitPoints(
  fk: Framekit,
  p: RegistrationPair,
): { now: Points; before: Points; homography: Float64Array | null; inliers: number; unrefined: Float64Array | null; refined: number } {
  const planes = [p.a, p.b].map((g) => fk.writePixels(fk.allocPlane(g.width, g.height, 'gray'), g.data));
  const u = registerPair(fk, planes[0]!, planes[1]!, FEATURES, { refine: false });
  const n = u.matches.count;
  const before = { src: new Float32Array(2 * n), dst: new Float32Array(2 * n) };
  for (let k = 0; k < n; k++) {
    const [i, j] = [u.matches.queryIdx[k]!, u.matches.trainIdx[k]!];
    before.src.set([u.a.kps.x[i]!, u.a.kps.y[i]!], 2 * k);
    before.dst.set([u.b.kps.x[j]!, u.b.kps.y[j]!], 2 * k);
  }
  const now = { src: u.src.slice(), dst: u.dst.slice() };
  const unrefined = u.homography.homography ? new Float64Array(u.homography.homography) : null;
  u.free();
  const r = registerPair(fk, planes[0]!, planes[1]!, FEATURES);
  const out = {
    now,
    before,
    homography: r.homography.homography ? new Float64Array(r.homography.homography) : null,
    inliers: r.homography.inliers,
    unrefined,
    refined: r.refined,
  };
  r.free();
  planes.forEach((q) => fk.arena.free(q.region!));
  return out;
}

const round = (e: { mean: number; max: number }) => ({ mean: +e.mean.toFixed(4), max: +e.max.toFixed(4) });

async function main(): Promise<void> {
  const outArg = process.argv.indexOf('--out');
  const env = benchEnv();
  const out = outArg > 0 ? process.argv[outArg + 1]! : `bench/results/registration-${env.runtime}.json`;
  const cv: CV = (await loadOpenCV())?.cv;
  if (!cv) throw new Error('OpenCV.js (@techstark/opencv-js) is not installed');
  const fk = await createFramekit({ arenaBytes: 96 << 20, backend: 'wasm-simd' });
  const before = await loadBefore();
  const grays = new Map<string, GrayImage>();
  const pairs: Array<{
    pair: string;
    cornerError: Record<'framekit' | 'framekitUnrefined' | 'framekitBefore' | 'opencv', { mean: number; max: number }>;
    [k: string]: unknown;
  }> = [];
  const kept = new Map<string, { now: Points; cv: Points; pair: RegistrationPair }>();
  for (const { photo, view } of registrationViews()) {
    if (!grays.has(photo)) grays.set(photo, grayOfImage(cv, (await readImageFile(`test/fixtures/${photo}`)) as never));
    const a = grays.get(photo)!;
    const pair = makePair(cv, `${photo} tilt ${view.tilt}`, a, view);
    const ours = framekitPoints(fk, pair);
    const old = before(ours.before.src, ours.before.dst)();
    const theirs = opencvRegister(cv, pair, FEATURES);
    const err = (h: Float64Array | null) => round(cornerError(pair.truth, h, a.width, a.height));
    const row = {
      pair: pair.name,
      view,
      matches: { framekit: ours.now.src.length / 2, opencv: theirs.src.length / 2 },
      refined: ours.refined,
      inliers: { framekit: ours.inliers, framekitBefore: old.inliers, opencv: theirs.inliers },
      cornerError: {
        framekit: err(ours.homography),
        framekitUnrefined: err(ours.unrefined),
        framekitBefore: err(old.homography),
        opencv: err(theirs.homography),
      },
    };
    pairs.push(row);
    kept.set(pair.name, { now: ours.now, cv: { src: theirs.src, dst: theirs.dst }, pair });
    const e = row.cornerError;
    console.error(
      `${pair.name.padEnd(30)} mean (max) corner error: framekit ${e.framekit.mean.toFixed(2)} (${e.framekit.max.toFixed(2)}), ` +
        `unrefined ${e.framekitUnrefined.mean.toFixed(2)} (${e.framekitUnrefined.max.toFixed(2)}), ` +
        `before ${e.framekitBefore.mean.toFixed(2)} (${e.framekitBefore.max.toFixed(2)}), OpenCV.js ${e.opencv.mean.toFixed(2)} (${e.opencv.max.toFixed(2)})`,
    );
  }
  type Impl = 'framekit' | 'framekitUnrefined' | 'framekitBefore' | 'opencv';
  const avg = (k: Impl, f: 'mean' | 'max') => pairs.reduce((s, r) => s + r.cornerError[k][f], 0) / pairs.length;
  const worst = (k: Impl) => Math.max(...pairs.map((r) => r.cornerError[k].mean));
  const noWorse = (k: Impl) => pairs.filter((r) => r.cornerError[k].mean <= r.cornerError.opencv.mean).length;
  const summary = {
    pairs: pairs.length,
    meanOfMeanCornerError: {
      framekit: avg('framekit', 'mean'),
      framekitUnrefined: avg('framekitUnrefined', 'mean'),
      framekitBefore: avg('framekitBefore', 'mean'),
      opencv: avg('opencv', 'mean'),
    },
    meanOfMaxCornerError: {
      framekit: avg('framekit', 'max'),
      framekitUnrefined: avg('framekitUnrefined', 'max'),
      framekitBefore: avg('framekitBefore', 'max'),
      opencv: avg('opencv', 'max'),
    },
    worstPairMeanCornerError: {
      framekit: worst('framekit'),
      framekitUnrefined: worst('framekitUnrefined'),
      framekitBefore: worst('framekitBefore'),
      opencv: worst('opencv'),
    },
    framekitNoWorseThanOpencv: noWorse('framekit'),
    framekitUnrefinedNoWorseThanOpencv: noWorse('framekitUnrefined'),
    framekitBeforeNoWorseThanOpencv: noWorse('framekitBefore'),
  };
  console.error(JSON.stringify(summary));

  // Time per findHomography call, on the matches of a strong and a mild view change.
  const o: BenchOptions = { sizes: [], timeMs: 3000, kernels: [], log: (l) => console.error(l) };
  const timing = [];
  for (const name of ['camera.png tilt 60', 'camera.png tilt 20']) {
    const { now, cv: cvPts } = kept.get(name)!;
    const n = now.src.length / 2;
    const s = fk.allocPoints(n);
    const d = fk.allocPoints(n);
    s.set(now.src);
    d.set(now.dst);
    const res = fk.allocHomography(n);
    const m = cvPts.src.length / 2;
    const sm = cv.matFromArray(m, 1, cv.CV_32FC2, Array.from(cvPts.src));
    const dm = cv.matFromArray(m, 1, cv.CV_32FC2, Array.from(cvPts.dst));
    const mask = new cv.Mat();
    const rows = await measure(
      'homography',
      n,
      1,
      [
        ['wasm-simd', () => fk.findHomography(res, s, d, n, { minInliers: 10, sorted: true })],
        ['wasm-simd-before' as never, before(now.src, now.dst)],
        ['opencv.js', () => cv.findHomography(sm, dm, cv.RANSAC, 3, mask).delete()],
      ],
      o,
    );
    [sm, dm, mask].forEach((x) => x.delete());
    // A whole registerPair (ORB of both, matching, findHomography), with and without refinement.
    const { pair } = kept.get(name)!;
    const planes = [pair.a, pair.b].map((g) => fk.writePixels(fk.allocPlane(g.width, g.height, 'gray'), g.data));
    const whole = await measure(
      'registerPair',
      pair.a.width,
      pair.a.height,
      [
        ['registerPair' as never, () => registerPair(fk, planes[0]!, planes[1]!, FEATURES).free()],
        ['registerPair-unrefined' as never, () => registerPair(fk, planes[0]!, planes[1]!, FEATURES, { refine: false }).free()],
      ],
      o,
    );
    planes.forEach((q) => fk.arena.free(q.region!));
    timing.push({
      pair: name,
      points: { framekit: n, opencv: m },
      rows: rows.map((r) => ({ impl: r.impl, medianMs: r.medianMs, samples: r.samples })),
      registerPair: whole.map((r) => ({ impl: r.impl, medianMs: r.medianMs, samples: r.samples })),
    });
    fk.arena.free(res.region);
    fk.freePoints(s);
    fk.freePoints(d);
  }
  const report = {
    env,
    what:
      'framekit match pipeline (ORB 2000, cross-checked matches, findHomography, refit on window-aligned points; framekitUnrefined: the same with refine: false) vs OpenCV.js ORB(2000) + BFMatcher(NORM_HAMMING, crossCheck) + findHomography(RANSAC, 3) on fixture photographs tilted out of plane (test/helpers/registration.ts); framekitBefore: findHomography of commit ' +
      `${BEFORE_COMMIT} on the points the earlier match command made. Timing: median ms per findHomography call (framekit: wasm-simd with sorted; before: that commit's wasm-simd binary; OpenCV.js: cv.findHomography(RANSAC, 3) on its own matches, already in Mats). Each on the points its own pipeline made. registerPair: median ms of a whole framekit registration (ORB of both images, matching, findHomography), with and without the refinement.`,
    summary,
    pairs,
    timing,
  };
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.error(`wrote ${out}`);
}

await main();
