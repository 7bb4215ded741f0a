import { describe, expect, test } from 'bun:test';
import { createFramekit, type Plane } from '../../ts/index.js';
import { Tracker, type TrackerOptions } from '../../ts/track/tracker.js';
import { cameraPath, renderFrame } from '../../ts/track/synthetic.js';
import { WorkerPool } from '../../ts/workers/pool.js';
import { fixture } from '../helpers/index.js';

// A camera panning faster and faster over a photograph, then steadily: frame k is the 320x240
// window of the photograph at (X[k], X[k] / 2). Without a pyramid (levels 0) Lucas-Kanade finds
// shifts up to about its window radius (10 px); the pan soon moves 24 and 30 px a frame, while its
// speed changes by at most 6 px a frame, so points survive only when the tracker starts them from
// the motion of the frame before.
const W = 320;
const H = 240;
const PAN = [0, 6, 18, 36, 60, 90, 120, 150];
const FRAMES = PAN.length;
// A steady pan (6 px a frame) with a jolt: frame 6 lands 54 px (and 27 px down) further than the
// motion predicts, and frame 7 as far short of the jolt's pace.
const JOLT = [0, 6, 12, 18, 24, 30, 90, 96, 102, 108];

async function panFrames(fk: Awaited<ReturnType<typeof createFramekit>>, X: number[] = PAN): Promise<Plane[]> {
  const img = await fixture('astronaut.png');
  const d = img.data;
  const frames: Plane[] = [];
  for (let k = 0; k < X.length; k++) {
    const p = fk.allocPlane(W, H, 'gray', { stride: W });
    const ox = X[k]!;
    const oy = X[k]! / 2;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = ((y + oy) * img.width + x + ox) * 4;
        p.data[y * W + x] = (9798 * d[i]! + 19235 * d[i + 1]! + 3735 * d[i + 2]! + 16384) >> 15;
      }
    }
    frames.push(p);
  }
  return frames;
}

/**
 * Runs a tracker over a pan; returns, per frame after the first, the points it carried, how many of
 * them fit the frame-to-frame homography, how far its frame-to-first map is off, and whether its flow
 * deepened.
 */
async function run(
  o: Partial<TrackerOptions>,
  X: number[] = PAN,
): Promise<{ tracked: number[]; inliers: number[]; cornerPx: number[]; deepened: boolean[] }> {
  const fk = await createFramekit({ maxWidth: W, maxHeight: H, frames: X.length + 2, arenaBytes: 16 << 20, backend: 'wasm-simd' });
  const frames = await panFrames(fk, X);
  const t = new Tracker(fk, { width: W, height: H, features: 200, ...o });
  const tracked: number[] = [];
  const inliers: number[] = [];
  const cornerPx: number[] = [];
  const deepened: boolean[] = [];
  for (let k = 0; k < X.length; k++) {
    const r = t.process(frames[k]!);
    if (k === 0) continue;
    tracked.push(r.tracked);
    inliers.push(r.inliers);
    deepened.push(r.deepened);
    // The truth: frame k sees the first frame's (x, y) at (x - X[k], y - X[k] / 2).
    const H0 = t.fromFirst;
    const at = (x: number, y: number) => {
      const w = H0[6]! * x + H0[7]! * y + H0[8]!;
      return [(H0[0]! * x + H0[1]! * y + H0[2]!) / w, (H0[3]! * x + H0[4]! * y + H0[5]!) / w] as const;
    };
    const [cx, cy] = at(W / 2, H / 2);
    cornerPx.push(Math.hypot(cx - (W / 2 - X[k]!), cy - (H / 2 - X[k]! / 2)));
  }
  return { tracked, inliers, cornerPx, deepened };
}

describe('tracker: motion prediction', () => {
  test('with prediction the points survive every frame and the map to the first frame stays within 1 px', async () => {
    const p = await run({ levels: 0, predict: true });
    for (const n of p.tracked) expect(n).toBeGreaterThan(100);
    p.tracked.forEach((n, k) => expect(p.inliers[k]!).toBeGreaterThan(0.8 * n));
    expect(Math.max(...p.cornerPx)).toBeLessThan(1);
  });

  test('the same pan without prediction loses most points once the shifts outgrow the window', async () => {
    const q = await run({ levels: 0, predict: false });
    // Lucas-Kanade still settles somewhere for most points, but not where they went: they fall out of
    // the frame's homography (which RANSAC may still find from the few that did follow).
    expect(Math.min(...q.inliers.map((n, k) => n / q.tracked[k]!))).toBeLessThan(0.25);
  });
});

describe('tracker: shallow first, deeper when the fit fails', () => {
  test('a jolt the prediction misses: the flow reruns over every level there, and only there; the map stays within 1 px', async () => {
    // Without relocalization, which would otherwise recover a lost track from the ORB keyframe.
    const p = await run({ levels: 2, relocalize: false }, JOLT);
    expect(p.deepened).toEqual(JOLT.slice(1).map((_, k) => k + 1 === 6 || k + 1 === 7));
    for (const n of p.tracked) expect(n).toBeGreaterThan(100);
    expect(Math.max(...p.cornerPx)).toBeLessThan(1);
  });

  test('the shallow pyramid alone does not follow that jolt', async () => {
    // levels 1 is what the shallow pass of levels 2 runs.
    const q = await run({ levels: 1, shallowFirst: false, relocalize: false }, JOLT);
    expect(q.deepened.some((d) => d)).toBe(false);
    // At the jolt (frames 6 and 7) most points do not follow: fewer than a third fit the homography.
    for (const k of [5, 6]) expect(q.inliers[k]!).toBeLessThan(q.tracked[k]! / 3);
  });
});

describe('tracker: processAsync', () => {
  test('with a worker pool, and with keypoints handed in, it tracks exactly as process does', async () => {
    const fk = await createFramekit({ maxWidth: W, maxHeight: H, frames: FRAMES + 2, arenaBytes: 32 << 20, shared: true });
    const pool = await WorkerPool.create(fk, { workers: 2 });
    try {
      expect(pool.info().mode).toBe('workers');
      const frames = await panFrames(fk);
      const o = { width: W, height: H, features: 200, levels: 1 };
      const [a, b, c] = [new Tracker(fk, o), new Tracker(fk, o), new Tracker(fk, o)];
      const corners = fk.allocKeypoints(4096);
      for (const frame of frames) {
        const ra = { ...a.process(frame) };
        const rb = await b.processAsync(frame, { pool });
        // The same corners, handed in as a promise (as a GPU chain's result would be).
        const rc = await c.processAsync(frame, { keypoints: Promise.resolve(fk.fast(corners, frame, { threshold: 20 })) });
        for (const [t, r] of [
          [b, rb],
          [c, rc],
        ] as const) {
          expect([r.keypoints, r.tracked, r.inliers]).toEqual([ra.keypoints, ra.tracked, ra.inliers]);
          expect(Array.from(t.flow.prev.subarray(0, 2 * t.flow.count))).toEqual(Array.from(a.flow.prev.subarray(0, 2 * a.flow.count)));
          expect(Array.from(t.fromFirst)).toEqual(Array.from(a.fromFirst));
        }
      }
      expect(a.result.tracked).toBeGreaterThan(100);
    } finally {
      await pool.dispose();
    }
  });

  test('keypoints of a coarser pyramid level refill at their level-0 places', async () => {
    const fk = await createFramekit({ maxWidth: W, maxHeight: H, frames: 4, arenaBytes: 16 << 20 });
    const [frame] = await panFrames(fk);
    const t = new Tracker(fk, { width: W, height: H, features: 3 });
    const k = fk.allocKeypoints(4);
    k.count = 4;
    k.x.set([10, 30, 500, 40]);
    k.y.set([20, 40, 5, 50]);
    k.octave.set([0, 1, 0, 2]); // (30, 40) at level 1 is (60, 80); (500, 5) lies outside; (40, 50) at level 2 is (160, 200)
    await t.processAsync(frame!, { keypoints: k });
    expect(t.flow.count).toBe(3);
    expect(Array.from(t.flow.prev.subarray(0, 6))).toEqual([10, 20, 60, 80, 160, 200]);
  });
});

describe('tracker: relocalization against ORB keyframes', () => {
  /** The synthetic camera path over a photograph, with frames `blank` replaced by a featureless gray (an occlusion). */
  async function occluded(relocalize: boolean) {
    const w = 640;
    const h = 480;
    const img = await fixture('astronaut.png');
    const d = img.data;
    const luma = new Uint8Array(img.width * img.height);
    for (let i = 0; i < luma.length; i++) luma[i] = (9798 * d[i * 4]! + 19235 * d[i * 4 + 1]! + 3735 * d[i * 4 + 2]! + 16384) >> 15;
    const photo = { width: img.width, height: img.height, data: luma };
    const path = cameraPath(w, h, img.width);
    const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 4, arenaBytes: 64 << 20 });
    const t = new Tracker(fk, {
      width: w,
      height: h,
      intrinsics: path.K,
      initialPose: path.frame(0).planeToImage,
      relocalize,
      keyframeEvery: 10,
    });
    const p = fk.allocPlane(w, h, 'gray', { stride: w });
    const frames = [...Array(20).keys(), 20, 21, 22, 40, 41, 42, 43];
    const blank = new Set([20, 21, 22]);
    const log: Array<{ k: number; relocalized: boolean; keyframe: boolean; cornerPx: number | null; rotationDeg: number | null }> = [];
    for (const k of frames) {
      if (blank.has(k)) p.data.fill(128);
      else renderFrame(p.data, w, path, path.frame(k), photo);
      const r = t.process(p);
      const e = blank.has(k) ? null : t.errorAgainst(path.frame(k), path.frame(0), w, h);
      log.push({ k, relocalized: r.relocalized, keyframe: r.keyframe, cornerPx: e?.cornerPx ?? null, rotationDeg: e?.rotationDeg ?? null });
    }
    return log;
  }

  test('after frames with nothing to track, the view 18 frames on is found again: track and pose back within 2 px and 1 degree', async () => {
    const log = await occluded(true);
    // Keyframes every 10 tracked frames, none while lost, and the next once the track is back.
    expect(log.filter((l) => l.keyframe).map((l) => l.k)).toEqual([0, 10, 41]);
    const back = log.find((l) => l.k === 40)!;
    expect(back.relocalized).toBe(true);
    for (const l of log.filter((l) => l.k >= 40)) {
      expect(l.cornerPx!).toBeLessThan(2);
      expect(l.rotationDeg!).toBeLessThan(1);
    }
  });

  test('without relocalization the same sequence stays lost', async () => {
    const log = await occluded(false);
    expect(log.some((l) => l.relocalized || l.keyframe)).toBe(false);
    expect(Math.max(...log.filter((l) => l.k >= 40).map((l) => l.cornerPx!))).toBeGreaterThan(10);
  });
});

describe('tracker: a homography with no pose', () => {
  test('a singular plane-to-image map gives frames without a pose and the track goes on', async () => {
    const fk = await createFramekit({ maxWidth: W, maxHeight: H, frames: 4, arenaBytes: 16 << 20 });
    const frames = await panFrames(fk);
    const K = [300, 0, W / 2, 0, 300, H / 2, 0, 0, 1];
    // Rank 1, its first two columns zero: every composition with it keeps them zero, so no frame can
    // have a pose (the plane's axes have no image).
    const singular = [0, 0, 1, 0, 0, 1, 0, 0, 1];
    const t = new Tracker(fk, { width: W, height: H, intrinsics: K, initialPose: singular });
    const fine = new Tracker(fk, { width: W, height: H });
    for (const f of frames) {
      const r = t.process(f);
      expect(r.hasPose).toBe(false);
      const tracked = r.tracked;
      expect(tracked).toBe(fine.process(f).tracked);
    }
    expect(t.result.tracked).toBeGreaterThan(50);
  });
});

describe('tracker: dispose', () => {
  test('returns every arena byte it reserved; use after dispose is E_STATE', async () => {
    const fk = await createFramekit({ maxWidth: W, maxHeight: H, frames: 4, arenaBytes: 16 << 20 });
    const [frame] = await panFrames(fk);
    // Kernels keep some scratch of their own once they have run (the framekit's, not the tracker's).
    const warm = new Tracker(fk, { width: W, height: H, features: 100 });
    warm.process(frame!);
    warm.dispose();
    const before = fk.arena.stats().bytesInUse;
    for (const relocalize of [true, false]) {
      const t = new Tracker(fk, { width: W, height: H, features: 100, relocalize });
      expect(fk.arena.stats().bytesInUse).toBeGreaterThan(before);
      t.process(frame!);
      t.dispose();
      t.dispose();
      expect(fk.arena.stats().bytesInUse).toBe(before);
      expect(() => t.process(frame!)).toThrow(expect.objectContaining({ code: 'E_STATE' }));
    }
  });
});
