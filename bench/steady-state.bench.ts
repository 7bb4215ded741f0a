import { PerformanceObserver } from 'node:perf_hooks';
import { createFramekit } from '../ts/index.js';
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
 * garbage collections and the JS heap growth (how each runtime is observed: see pass 1 below); a timed pass gives the median time of a whole frame (over up to 2,000 frames)
 * and the framework overhead alone: the same loop without the ingest copy and the kernel, timed in
 * batches of 100 frames (one frame is too short for the clock).
 * Targets: 0 GCs, < 1 byte of heap growth per frame, overhead < 2 us per frame.
 */

/** Warm-up frames at the measured size, after WARMUP_SMALL frames of 64x48. */
const WARMUP = 200;
const WARMUP_SMALL = 30000;
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

function fullGc(): void {
  (globalThis as unknown as { Bun: { gc(force: boolean): void } }).Bun.gc(true);
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
      const small = fk.createPool({ width: 64, height: 48, size: 4, slots: { stats: { length: 4, type: 'f32' } } });
      const big = fk.createPool({ width: w, height: h, size: 4, slots: { stats: { length: 4, type: 'f32' } } });
      ring = FrameRing.create(4);
      const smallSrc = tile(new Uint8Array(64 * 48 * 4), 64, 48, photo, 4);
      const bigSrc = tile(new Uint8Array(w * h * 4), w, h, photo, 4);
      const timed = Math.min(frames, TIMED_FRAMES);
      const times = new Float64Array(Math.max(timed, WARMUP_SMALL / 10));
      const nBatches = Math.floor(frames / BATCH);
      const batches = new Float64Array(Math.max(nBatches, WARMUP_SMALL / 10));
      let sink = 0;
      // Warm-up: the JIT optimises these loops only after tens of thousands of frames, and its
      // compilations allocate on the JS heap (measured: ~250 KB in the first 1,000 frames, nothing
      // once optimised). A 64x48 pool on the same framekit gets there in milliseconds; the same
      // classes and kernels then run at full size for a few hundred frames before measuring.
      pool = small;
      src = smallSrc;
      for (let k = 0; k < 10; k++) {
        sink += untimed(WARMUP_SMALL / 10) + timedFull(times, WARMUP_SMALL / 10) + timedOverhead(batches, WARMUP_SMALL / 1000);
      }
      pool = big;
      src = bigSrc;
      for (let k = 0; k < 10; k++) sink += untimed(WARMUP / 10) + timedFull(times, WARMUP / 10) + timedOverhead(batches, 2);

      // Pass 1, untimed: `frames` frames with nothing else in the loop (Node's performance.now()
      // allocates a heap number per call, which would be counted against the frame loop).
      // Node: GC entries arrive asynchronously; count those that started inside the window, and
      // take the heap before and after with no collection in between (so the delta is what the
      // loop allocated). Bun has no GC observer and its heapUsed moves only when JSC sweeps, so
      // there a WeakRef canary made in an earlier job tells whether any collection ran during the
      // loop (0 or "at least 1"), and the heap is compared after a full collection on each side
      // (what the loop left behind).
      const gcStarts: number[] = [];
      let obs: PerformanceObserver | null = null;
      if (!isBun) {
        obs = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) gcStarts.push(e.startTime);
        });
        obs.observe({ entryTypes: ['gc'] });
      }
      let heap0 = 0;
      if (isBun) {
        // Twice, after a pause: objects of the previous size's run (its memory, its buffers) are
        // finalised by the first collection and swept later; without this heap1 - heap0 reads negative.
        fullGc();
        await new Promise((r) => setTimeout(r, 50));
        fullGc();
        heap0 = heapUsed();
      }
      // Two canaries, collectable from the next job on: `before` is read just before the loop, so a
      // collection that ran during the wait is not put on the loop (the wait is retried instead).
      let before: WeakRef<object> | null = null;
      let canary: WeakRef<object> | null = null;
      for (let tries = 0; tries < 5; tries++) {
        before = new WeakRef({ canary: 0 });
        canary = new WeakRef({ canary: 1 });
        await new Promise((r) => setTimeout(r, 0));
        if (before.deref() !== undefined) break;
      }
      const t0 = performance.now();
      if (!isBun) {
        heapUsed(); // its first call allocates ~1.7 KB of its own; later calls ~240 B (the result object)
        heap0 = heapUsed();
      }
      sink += untimed(frames);
      const collected = canary!.deref() === undefined;
      before = canary = null;
      if (isBun) fullGc();
      const heap1 = heapUsed();
      const t1 = performance.now();
      await new Promise((r) => setTimeout(r, 100));
      obs?.disconnect();
      const gcEvents = obs ? gcStarts.filter((t) => t >= t0 && t <= t1).length : collected ? 1 : 0;

      // Pass 2, timed: each of `timed` whole frames, then the overhead loop in batches.
      sink += timedFull(times, timed) + timedOverhead(batches, nBatches);
      const perFrame = median(times.subarray(0, timed)) * 1000;
      const overhead = median(batches.subarray(0, nBatches)) * 1000;
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
      if (isBun) {
        row.note =
          'Bun: gcEvents from a WeakRef canary (0: no collection ran; 1: at least one); heapDeltaBytes between full collections ' +
          '(retained, not allocated; JSC frees lazily, so it can read negative). Weaker than Node: JSC collects only after several MB of garbage (in this loop none after 8 MB, one after 80 MB)';
      }
      rows.push(row);
      o.log(
        `steady-state   ${`${w}x${h}`.padEnd(10)} ${frames} frames: ${perFrame.toFixed(1)} us/frame, overhead ${overhead.toFixed(3)} us/frame, ` +
          `gc ${gcEvents}, heap ${heap1 - heap0} B (${sink > -1 ? 'ok' : ''})`,
      );
      big.dispose();
      small.dispose();
    }
    return rows;
  },
};
