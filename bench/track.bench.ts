import { createFramekit, type Plane } from '../ts/index.js';
import { readImageFile } from '../ts/io/image.js';
import { cameraPath, renderFrame } from '../ts/track/synthetic.js';
import { STAGES, Tracker } from '../ts/track/tracker.js';
import type { BenchRow, BenchSuite } from './harness.js';
import { fixturePath } from './fixtures.js';

/** Frames rendered ahead, then played forwards and backwards so the motion stays continuous. */
const FRAMES = 24;
/** Time the tracker runs before measuring (ms). */
const WARMUP_MS = 300;

const median = (a: Float64Array, n: number) => {
  const s = a.slice(0, n).sort();
  return s[n >> 1]!;
};

/**
 * The main job's pipeline (pyramid, Lucas-Kanade on up to 500 points, RANSAC homography, pose,
 * FAST refill) per frame, on the synthetic camera path at each size, for each WASM build. Frames
 * are rendered before timing: the row measures the pipeline, not the input. One row per build with
 * the median per-frame time, frames per second and each stage's median.
 */
export const trackSuite: BenchSuite = {
  kernel: 'track',
  async run(o) {
    const img = await readImageFile(fixturePath('astronaut.png'));
    const luma = new Uint8Array(img.width * img.height);
    for (let i = 0; i < luma.length; i++)
      luma[i] = (9798 * img.data[i * 4]! + 19235 * img.data[i * 4 + 1]! + 3735 * img.data[i * 4 + 2]! + 16384) >> 15;
    const photo = { width: img.width, height: img.height, data: luma };
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const path = cameraPath(w, h, img.width);
      for (const backend of ['wasm-scalar', 'wasm-simd'] as const) {
        const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: FRAMES + 4, scratchBytes: 32 << 20, backend });
        const frames: Plane[] = [];
        for (let k = 0; k < FRAMES; k++) {
          const p = fk.allocPlane(w, h, 'gray', { stride: w });
          renderFrame(p.data, w, path, path.frame(k), photo);
          frames.push(p);
        }
        const tracker = new Tracker(fk, {
          width: w,
          height: h,
          features: 500,
          intrinsics: path.K,
          initialPose: path.frame(0).planeToImage,
        });
        const max = 4096;
        const total = new Float64Array(max);
        const stages = STAGES.map(() => new Float64Array(max));
        let n = 0;
        let tracked = 0;
        const t0 = performance.now();
        // Warm-up by time, as the harness does: engines run new WASM code on a baseline compiler
        // first and swap in optimised code while it runs.
        let warm = true;
        let tw = t0;
        for (let i = 0; n < max && (warm || performance.now() - tw < o.timeMs * 2 || n < 30); i++) {
          const k = i % (2 * FRAMES - 2);
          const r = tracker.process(frames[k < FRAMES ? k : 2 * FRAMES - 2 - k]!);
          if (warm) {
            if (i >= 5 && performance.now() - t0 >= WARMUP_MS) {
              warm = false;
              tw = performance.now();
            }
            continue;
          }
          total[n] = r.ms.total;
          STAGES.forEach((s, j) => (stages[j]![n] = r.ms[s]));
          tracked += r.tracked;
          n++;
        }
        const ms = median(total, n);
        const row: BenchRow = {
          kernel: 'track',
          impl: backend,
          width: w,
          height: h,
          medianMs: ms,
          samples: n,
          fps: +(1000 / ms).toFixed(1),
          meanTracked: Math.round(tracked / n),
          stagesMs: Object.fromEntries(STAGES.map((s, j) => [s, +median(stages[j]!, n).toFixed(3)])),
        };
        rows.push(row);
        o.log(
          `track          ${backend.padEnd(12)} ${`${w}x${h}`.padEnd(10)} ${ms.toFixed(3).padStart(9)} ms  ${row.fps} fps  ${JSON.stringify(row.stagesMs)}`,
        );
      }
    }
    return rows;
  },
};
