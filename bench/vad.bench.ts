import { PerformanceObserver } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { createFramekit } from '../ts/index.js';
import { AudioStream } from '../ts/audio/stream.js';
import { decodeWav } from '../ts/io/wav.js';
import { loadOrt, type OrtModule, type OrtTensor } from '../ts/models/ort.js';
import { VAD_WINDOW, VadStage } from '../ts/models/silero/vad.js';
import { Scheduler } from '../ts/schedule/index.js';
import { fixturePath } from './fixtures.js';
import { measure, type BenchRow, type BenchSuite, type Impl } from './harness.js';

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

/** `seconds` of the speech fixture repeated (16 kHz mono f32). Allocates. */
function speech(seconds: number): Float32Array {
  const clip = decodeWav(readFileSync(fixturePath('speech-16k.wav'))).samples;
  const out = new Float32Array(seconds * 16000);
  for (let i = 0; i < out.length; i += clip.length) out.set(clip.subarray(0, Math.min(clip.length, out.length - i)), i);
  return out;
}

async function runtimes(): Promise<Array<'node' | 'web'>> {
  const out: Array<'node' | 'web'> = [];
  for (const k of ['node', 'web'] as const)
    if (
      await loadOrt(k).then(
        () => true,
        () => false,
      )
    )
      out.push(k);
  return out;
}

const WINDOWS_PER_CALL = 32; // 1.024 s of audio per timed call

/**
 * Silero VAD's real-time factor through the stage (scheduler task per window, queue, model,
 * hysteresis) on speech, per ONNX Runtime package installed, and the ONNX Runtime call alone:
 * - `silero vad cold`: a fresh session's first 30.72 s of audio (960 windows), timed once: what a
 *   stream that starts with the model meets while the engine still runs ONNX Runtime's WebAssembly
 *   in its baseline tier (V8's Liftoff until its hot functions are recompiled);
 * - `silero vad 1.024 s`: after 3,000 windows, 32 windows through the stage, taking turns (tinybench
 *   rounds) with 32 `session.run` calls alone on like tensors (no stage, no scheduler).
 * rtf = time / audio time. The brief's target: < 0.1 on one core.
 */
export const vadSuite: BenchSuite = {
  kernel: 'vad',
  async run(o) {
    const rows: BenchRow[] = [];
    const ks = await runtimes();
    if (!ks.length) {
      o.log('vad: ONNX Runtime is not installed; rows skipped');
      return rows;
    }
    const audio = speech(30.72);
    const windows = audio.length / VAD_WINDOW;
    for (const k of ks) {
      const impl: Impl = `onnxruntime-${k}`;
      const vad = new VadStage({ scheduler: new Scheduler(), ort: k, queue: 64 });
      await vad.load();
      let w = 0;
      const second = async () => {
        for (let i = 0; i < WINDOWS_PER_CALL; i++, w = (w + 1) % windows) vad.push(audio.subarray(w * VAD_WINDOW, (w + 1) * VAD_WINDOW));
        await vad.idle();
      };
      const t0 = performance.now();
      for (let s = 0; s < windows / WINDOWS_PER_CALL; s++) await second();
      const coldMs = performance.now() - t0;
      rows.push({ kernel: 'silero vad cold 30.72 s', impl, medianMs: coldMs, samples: 1, rtf: coldMs / 30720 });
      o.log(`silero vad cold  ${impl.padEnd(17)} first 30.72 s of audio: ${coldMs.toFixed(0)} ms, rtf ${(coldMs / 30720).toFixed(4)}`);
      while (vad.stats.processed < 3000) await second();
      // The ONNX Runtime call alone, on tensors like the stage's (the stage's own are private), 32
      // calls per timed call, taking turns with the stage in the same rounds.
      const ort = (await loadOrt(k)).ort;
      const feeds = {
        input: new ort.Tensor('float32', audio.subarray(0, 576), [1, 576]),
        state: new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]),
        sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
      };
      const session = vad.model.session;
      const calls = async () => {
        for (let i = 0; i < WINDOWS_PER_CALL; i++) await session.run(feeds);
      };
      const r = await measure(
        'silero vad 1.024 s',
        16384,
        1,
        [
          [`${impl} stage` as Impl, second],
          [`${impl} ort calls alone` as Impl, calls],
        ],
        { ...o, timeMs: Math.max(o.timeMs, 1000) },
      );
      for (const row of r) row.rtf = row.medianMs! / 1024;
      rows.push(...r);
      o.log(
        `silero vad       ${impl.padEnd(17)} steady rtf ${(r[0]!.rtf as number).toFixed(4)} (stage), ${(r[1]!.rtf as number).toFixed(4)} (the 32 ORT calls alone)`,
      );
      await vad.dispose();
    }
    return rows;
  },
};

// ---- steady state: framekit's part and ONNX Runtime's part, separately ----

/**
 * A stand-in for ONNX Runtime with Silero's inputs and outputs whose `run` answers at once with
 * outputs made once (a probability from the window's energy, the state passed through): with it,
 * what allocates in the audio path plus the VAD stage is framekit's alone. Not a model.
 */
function standInOrt(): OrtModule {
  class T implements OrtTensor {
    constructor(
      readonly type: string,
      readonly data: Float32Array | BigInt64Array | Int32Array,
      readonly dims: readonly number[],
    ) {}
  }
  const out = { output: new T('float32', new Float32Array(1), [1, 1]), stateN: new T('float32', new Float32Array(256), [2, 1, 128]) };
  return {
    Tensor: T,
    InferenceSession: {
      create: async () => ({
        inputNames: ['input', 'state', 'sr'],
        outputNames: ['output', 'stateN'],
        // Synchronous on purpose (the scheduler takes a plain value as the task's result): no promise.
        run: ((feeds: Record<string, OrtTensor>) => {
          const x = feeds.input!.data as Float32Array;
          let e = 0;
          for (let i = 64; i < x.length; i += 8) e += x[i]! * x[i]!;
          (out.output.data as Float32Array)[0] = e > 0.05 ? 0.9 : 0.05;
          return out;
        }) as unknown as () => Promise<Record<string, OrtTensor>>,
        release: async () => undefined,
      }),
    },
  };
}

/** Garbage collections and heap bytes over `fn` (Node: GC observer and used heap before and after each collection; Bun: a WeakRef canary and heap growth between full collections). */
async function allocations(
  fn: () => Promise<number> | number,
): Promise<{ gc: number; allocatedBytes: number | null; heapDeltaBytes: number }> {
  const gcBun = () => (globalThis as unknown as { Bun: { gc(force: boolean): void } }).Bun.gc(true);
  if (isBun) {
    gcBun();
    await new Promise((r) => setTimeout(r, 20));
    gcBun();
    const h0 = process.memoryUsage().heapUsed;
    let canary: WeakRef<object> | null = new WeakRef({ canary: 1 });
    await fn();
    const collected = canary.deref() === undefined;
    canary = null;
    gcBun();
    return { gc: collected ? 1 : 0, allocatedBytes: null, heapDeltaBytes: process.memoryUsage().heapUsed - h0 };
  }
  const v8 = await import('node:v8');
  let gcs = 0;
  const obs = new PerformanceObserver((l) => void (gcs += l.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  const prof = new v8.GCProfiler();
  await new Promise((r) => setTimeout(r, 0));
  prof.start();
  const h0 = process.memoryUsage().heapUsed;
  await fn();
  const h1 = process.memoryUsage().heapUsed;
  const stats = prof.stop() as {
    statistics: Array<{ beforeGC: { heapStatistics: { usedHeapSize: number } }; afterGC: { heapStatistics: { usedHeapSize: number } } }>;
  };
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  // What was allocated = growth at the end + everything collections freed on the way.
  let freed = 0;
  for (const s of stats.statistics) freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
  return { gc: Math.max(gcs, stats.statistics.length), allocatedBytes: h1 - h0 + freed, heapDeltaBytes: h1 - h0 };
}

/**
 * Steady state of the audio path with voice activity, 100,000 frames (FRAMEKIT_AUDIO_FRAMES overrides):
 * - framekit's part: ring push, frame cut (mel), level, `VadStage.pushFrame`, the scheduler task,
 *   hysteresis and the `speech` attachment in the frame's own SpeechState, with the model replaced
 *   by an instant stand-in (above), the scheduler run by hand: target 0 GC, < 1 B per frame;
 * - ONNX Runtime's part: `session.run` awaited alone, 10,000 calls per package (FRAMEKIT_VAD_CALLS);
 * - the whole path with the real model, the same count, each frame awaited (`waitPending(0)`).
 * Node: bytes allocated (used heap plus what each collection freed); Bun: collections seen and
 * retained heap only (JavaScriptCore reports no allocation count).
 */
export const vadSteadySuite: BenchSuite = {
  kernel: 'vad-steady-state',
  async run(o) {
    const rows: BenchRow[] = [];
    const frames = Number(process.env.FRAMEKIT_AUDIO_FRAMES ?? 100000);
    const calls = Number(process.env.FRAMEKIT_VAD_CALLS ?? 10000);
    const fk = await createFramekit({ arenaBytes: 8 << 20, backend: 'wasm-simd' });
    const audio = speech(30);
    const src = fk.arena.alloc(audio.length * 4);
    new Float32Array(fk.heap.buffer, src.ptr, audio.length).set(audio);
    // One stream for every run, made before any measurement (its tables and regions are set-up, not steady state).
    const stream = new AudioStream(fk, { size: 4, ringCapacity: 8192 });
    let pos = 0;
    const run = async (vad: VadStage, scheduler: Scheduler | null, n: number) => {
      let s = 0;
      const one = () => {
        stream.ring.pushFrom(src.ptr + (pos << 2), 512);
        pos += 512;
        if (pos + 512 > audio.length) pos = 0;
        const f = stream.next()!;
        f.level();
        vad.pushFrame(f);
        return f;
      };
      if (scheduler) {
        for (let i = 0; i < n; i++) {
          const f = one();
          scheduler.runSlice();
          s += f.get('speech')!.speech ? 1 : 0;
          f.release();
        }
      } else {
        for (let i = 0; i < n; i++) {
          const f = one();
          await vad.waitPending(0);
          s += f.has('speech') ? 1 : 0;
          f.release();
        }
      }
      return s;
    };
    // framekit's part, with the stand-in: as configured by default (the stage times each window, the
    // scheduler reads performance.now()), and with both clocks out of the way (the stage's timing off,
    // the scheduler on a counter clock): in Node each performance.now() returns a new heap number.
    for (const clocks of ['default clocks', 'no clock reads'] as const) {
      let tick = 0;
      const scheduler = new Scheduler({ host: 'manual', ...(clocks === 'no clock reads' ? { now: () => tick++ } : {}) });
      const vad = new VadStage({ scheduler, ort: standInOrt(), model: new Uint8Array(1), queue: 4, timing: clocks === 'default clocks' });
      await vad.load();
      await run(vad, scheduler, 30000); // warm-up: optimised code before measuring
      const t0 = performance.now();
      const a = await allocations(() => run(vad, scheduler, frames));
      const us = ((performance.now() - t0) * 1000) / frames;
      rows.push({
        kernel: 'vad-steady-state',
        impl: `framekit (model stand-in, ${clocks})`,
        frames,
        gcEvents: a.gc,
        allocatedBytesPerFrame: a.allocatedBytes === null ? null : a.allocatedBytes / frames,
        heapDeltaBytes: a.heapDeltaBytes,
        heapBytesPerFrame: a.heapDeltaBytes / frames,
        usPerFrame: us,
        medianMs: us / 1000,
        samples: 1,
        attached: vad.stats.attached,
      });
      o.log(
        `vad-steady     framekit (${clocks}), ${frames} frames: gc ${a.gc}, allocated ${a.allocatedBytes === null ? '?' : (a.allocatedBytes / frames).toFixed(2)} B/frame, heap ${a.heapDeltaBytes} B, ${us.toFixed(2)} us/frame`,
      );
    }
    for (const k of await runtimes()) {
      const impl = `onnxruntime-${k}`;
      const vad = new VadStage({ scheduler: new Scheduler(), ort: k, queue: 4, warmup: 1500 });
      await vad.load();
      const ort = (await loadOrt(k)).ort;
      const feeds = {
        input: new ort.Tensor('float32', audio.subarray(0, 576), [1, 576]),
        state: new ort.Tensor('float32', new Float32Array(256), [2, 1, 128]),
        sr: new ort.Tensor('int64', BigInt64Array.from([16000n]), []),
      };
      const session = vad.model.session;
      const alone = async () => {
        for (let i = 0; i < calls; i++) await session.run(feeds);
        return 0;
      };
      await run(vad, null, 1000);
      // Alternate: the call alone, the whole path, twice.
      const take: Array<{ what: string; a: Awaited<ReturnType<typeof allocations>>; ms: number }> = [];
      for (let round = 0; round < 2; round++) {
        let t = performance.now();
        take.push({ what: 'ort call alone', a: await allocations(alone), ms: performance.now() - t });
        t = performance.now();
        take.push({ what: 'whole path', a: await allocations(() => run(vad, null, calls)), ms: performance.now() - t });
      }
      for (const what of ['ort call alone', 'whole path']) {
        const xs = take.filter((x) => x.what === what);
        const last = xs[xs.length - 1]!;
        rows.push({
          kernel: 'vad-steady-state',
          impl: `${impl} ${what}`,
          frames: calls,
          gcEvents: xs.map((x) => x.a.gc),
          allocatedBytesPerCall: xs.map((x) => (x.a.allocatedBytes === null ? null : x.a.allocatedBytes / calls)),
          heapDeltaBytes: xs.map((x) => x.a.heapDeltaBytes),
          usPerCall: xs.map((x) => (x.ms * 1000) / calls),
          medianMs: last.ms / calls,
          samples: xs.length,
        });
        o.log(
          `vad-steady     ${impl} ${what}, ${calls} calls x2: gc ${xs.map((x) => x.a.gc).join('/')}, allocated ${xs.map((x) => (x.a.allocatedBytes === null ? '?' : (x.a.allocatedBytes / calls).toFixed(0))).join('/')} B per call`,
        );
      }
      await vad.dispose();
    }
    stream.dispose();
    return rows;
  },
};
