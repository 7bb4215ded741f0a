import { PerformanceObserver } from 'node:perf_hooks';
import { createFramekit } from '../ts/index.js';
import type { Frame } from '../ts/frame/frame.js';
import type { FramePool } from '../ts/frame/pool.js';
import { FrameRing } from '../ts/frame/ring.js';
import { ingestPixels } from '../ts/frame/ingest.js';
import { readImageFile } from '../ts/io/image.js';
import { tile, type BenchRow, type BenchSuite } from './harness.js';
import { fixturePath } from './fixtures.js';

/**
 * The frame loop with nothing else: acquire, ingest (one copy from a JS buffer), gray (compute-once),
 * attach a user slot, ring push and pop of the handle, release; 10,000 frames per size
 * (FRAMEKIT_STEADY_FRAMES overrides). After a warm-up, an untimed pass over all of them gives the
 * garbage collections (Node: `gc` performance entries; Bun has no such observer, so null) and the
 * JS heap growth; a timed pass gives the median time of a whole frame (over up to 2,000 frames)
 * and the framework overhead alone: the same loop without the ingest copy and the kernel, timed in
 * batches of 100 frames (one frame is too short for the clock).
 * Targets: 0 GCs, < 1 byte of heap growth per frame, overhead < 2 us per frame.
 */

const WARMUP = 500;
const BATCH = 100;
/** Whole frames timed one by one for the median (the GC and heap pass runs all `frames`). */
const TIMED_FRAMES = 2000;

// The loop bodies are module-level functions over module-level state: no closure or object is made per frame.
let pool: FramePool;
let ring: FrameRing;
let src: Uint8Array;

function fullFrame(i: number): number {
  const f = pool.acquire(i);
  ingestPixels(f, src);
  f.gray();
  const stats = f.slot<Float32Array>('stats');
  stats[0] = i;
  f.attach('stats', stats);
  ring.push(f.handle);
  const g = pool.fromHandle(ring.pop());
  const luma = g.get('gray')!.data[0]!;
  g.release();
  return luma;
}

function overheadFrame(i: number): number {
  const f = pool.acquire(i);
  f.attach('gray', f.grayStorage);
  const stats = f.slot<Float32Array>('stats');
  stats[0] = i;
  f.attach('stats', stats);
  ring.push(f.handle);
  const g = pool.fromHandle(ring.pop());
  const n = g.get('gray')!.width;
  g.release();
  return n;
}

// The loops live in functions of their own, run during the warm-up too, so that the measured
// calls enter already optimised code (on-stack replacement of a loop compiled mid-run puts code
// objects on the JS heap, which would read as heap growth).
function untimed(n: number): number {
  let sink = 0;
  for (let i = 0; i < n; i++) sink += fullFrame(i);
  return sink;
}

function timedFull(times: Float64Array, n: number): number {
  let sink = 0;
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    sink += fullFrame(i);
    times[i] = performance.now() - s;
  }
  return sink;
}

function timedOverhead(batches: Float64Array, n: number): number {
  let sink = 0;
  for (let b = 0; b < n; b++) {
    const s = performance.now();
    for (let i = 0; i < BATCH; i++) sink += overheadFrame(i);
    batches[b] = (performance.now() - s) / BATCH;
  }
  return sink;
}

function median(a: Float64Array): number {
  const s = Float64Array.from(a).sort();
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function heapUsed(): number {
  return process.memoryUsage().heapUsed;
}

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

export const steadyStateSuite: BenchSuite = {
  kernel: 'steady-state',
  async run(o) {
    const frames = Number(process.env.FRAMEKIT_STEADY_FRAMES ?? 10000);
    if (!Number.isInteger(frames) || frames < BATCH) throw new Error(`FRAMEKIT_STEADY_FRAMES must be an integer >= ${BATCH}`);
    const photo = await readImageFile(fixturePath('astronaut.png'));
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 4, backend: 'wasm-simd' });
      pool = fk.createPool({ width: w, height: h, size: 4, slots: { stats: { length: 4, type: 'f32' } } });
      ring = FrameRing.create(4);
      src = tile(new Uint8Array(w * h * 4), w, h, photo, 4);
      const timed = Math.min(frames, TIMED_FRAMES);
      const times = new Float64Array(timed);
      const batches = new Float64Array(Math.floor(frames / BATCH));
      let sink = 0;
      for (let k = 0; k < 10; k++) {
        sink += untimed(WARMUP / 10) + timedFull(times, Math.min(timed, WARMUP / 10));
        sink += timedOverhead(batches, Math.min(batches.length, WARMUP / 10));
      }

      // Pass 1, untimed: `frames` frames with nothing else in the loop (Node's performance.now()
      // allocates a heap number per call, which would be counted against the frame loop).
      // GC entries arrive asynchronously; count those that started inside the window.
      const gcStarts: number[] = [];
      let obs: PerformanceObserver | null = null;
      if (!isBun) {
        obs = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) gcStarts.push(e.startTime);
        });
        obs.observe({ entryTypes: ['gc'] });
      }
      const t0 = performance.now();
      const heap0 = heapUsed();
      sink += untimed(frames);
      const heap1 = heapUsed();
      const t1 = performance.now();
      await new Promise((r) => setTimeout(r, 100));
      obs?.disconnect();
      const gcEvents = obs ? gcStarts.filter((t) => t >= t0 && t <= t1).length : null;

      // Pass 2, timed: each of `timed` whole frames, then the overhead loop in batches.
      sink += timedFull(times, timed) + timedOverhead(batches, batches.length);
      const perFrame = median(times) * 1000;
      const overhead = median(batches) * 1000;
      const row: BenchRow = {
        kernel: 'steady-state',
        impl: 'wasm-simd',
        width: w,
        height: h,
        frames,
        gcEvents,
        heapDeltaBytes: heap1 - heap0,
        heapBytesPerFrame: (heap1 - heap0) / frames,
        timedFrames: timed,
        medianUsPerFrame: perFrame,
        overheadUsPerFrame: overhead,
        medianMs: perFrame / 1000,
        samples: timed,
      };
      if (isBun) row.note = 'Bun has no gc observer: gcEvents is null; heapDeltaBytes is the evidence';
      rows.push(row);
      o.log(
        `steady-state   ${`${w}x${h}`.padEnd(10)} ${frames} frames: ${perFrame.toFixed(1)} us/frame, overhead ${overhead.toFixed(3)} us/frame, ` +
          `gc ${gcEvents ?? 'n/a'}, heap ${heap1 - heap0} B (${sink > -1 ? 'ok' : ''})`,
      );
      pool.dispose();
    }
    return rows;
  },
};
