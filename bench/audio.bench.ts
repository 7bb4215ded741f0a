import { PerformanceObserver } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { createFramekit } from '../ts/index.js';
import type { Framekit } from '../ts/framekit.js';
import { SampleRing } from '../ts/frame/sample-ring.js';
import { AudioStream } from '../ts/audio/stream.js';
import { decodeWav } from '../ts/io/wav.js';
import { MelSpectrogram, MelStream } from '../ts/kernels/mel/api.js';
import { melColumnReference } from '../ts/kernels/mel/reference.js';
import { measure, type BenchRow, type BenchSuite, type Task } from './harness.js';
import { fixturePath } from './fixtures.js';

/** `seconds` of the speech fixture repeated (16 kHz mono f32). Allocates. */
function speech(seconds: number): Float32Array {
  const clip = decodeWav(readFileSync(fixturePath('speech-16k.wav'))).samples;
  const out = new Float32Array(seconds * 16000);
  for (let i = 0; i < out.length; i += clip.length) out.set(clip.subarray(0, Math.min(clip.length, out.length - i)), i);
  return out;
}

type Extractor = { _call(a: Float32Array): Promise<unknown> };

/** transformers.js's Whisper feature extractor, when the development dependency is installed. */
async function loadExtractor(): Promise<{ fe: Extractor; version: string } | null> {
  try {
    const t = (await import('@huggingface/transformers')) as unknown as {
      WhisperFeatureExtractor: new (c: object) => Extractor;
      env: { version: string };
    };
    const fe = new t.WhisperFeatureExtractor({
      feature_size: 80,
      sampling_rate: 16000,
      hop_length: 160,
      chunk_length: 30,
      n_fft: 400,
      n_samples: 480000,
      nb_max_frames: 3000,
      padding_value: 0,
      return_attention_mask: false,
    });
    return { fe, version: t.env.version };
  } catch {
    return null;
  }
}

/** Computes every column of `n` samples at the ring's start with a MelStream (the streaming path). */
function melOver(mel: MelSpectrogram, ring: SampleRing, n: number, out: number): number {
  const s = new MelStream(mel, ring, 0);
  let k = 0;
  while (s.advance(n, out, 1) > 0) k++;
  return k;
}

/**
 * Log-mel per 10 ms hop (rows' medianMs is per hop; medianCallMs per timed call): the WASM SIMD and scalar builds and the TypeScript reference (plain DFT)
 * through the streaming path, against transformers.js's WhisperFeatureExtractor (its whole call on
 * a 30 s window: 3000 hops, with Whisper's normalisation). Then a whole hour of audio through
 * AudioStream (ring push, frames, mel, level) on the SIMD build, timed once.
 */
export const melSuite: BenchSuite = {
  kernel: 'mel',
  async run(o) {
    const rows: BenchRow[] = [];
    const audio30 = speech(30);
    const fks: Array<[string, Framekit]> = [];
    for (const b of ['wasm-simd', 'wasm-scalar', 'reference'] as const)
      fks.push([b, await createFramekit({ arenaBytes: 8 << 20, backend: b })]);
    const jobs: Task[] = [];
    const hops = new Map<string, number>();
    for (const [b, fk] of fks) {
      const mel = new MelSpectrogram(fk);
      const ring = new SampleRing(fk, 1 << 19);
      ring.push(audio30);
      const out = fk.arena.alloc(80 * 4).ptr;
      if (b === 'reference') {
        // 1 s of audio (100 hops) per call: the plain DFT takes about a millisecond a hop.
        const one = () => {
          for (let t = 2; t < 102; t++)
            melColumnReference(fk.heap, ring.storagePtr, ring.capacity - 1, t * 160 - 200, 0, 0, mel.tables.ptr, out);
        };
        jobs.push(['reference', one]);
        hops.set('reference', 100);
      } else {
        jobs.push([b as 'wasm-simd', () => melOver(mel, ring, audio30.length, out)]);
        hops.set(b, 3001);
      }
    }
    const ex = await loadExtractor();
    // The extractor is async (its matmul runs in ONNX Runtime), so it is timed by hand below; one
    // call first loads the runtime.
    if (ex) await ex.fe._call(audio30);
    const measured = await measure('mel', 1, 1, jobs, { ...o, timeMs: Math.max(o.timeMs, 2000) });
    if (ex) {
      // Async: timed by hand, the same rounds as measure() (first call warms up).
      const times: number[] = [];
      const until = performance.now() + Math.max(o.timeMs, 2000);
      while (performance.now() < until || times.length < 5) {
        const s = performance.now();
        await ex.fe._call(audio30);
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      const m = times.length >> 1;
      const median = times.length % 2 ? times[m]! : (times[m - 1]! + times[m]!) / 2;
      measured.push({
        kernel: 'mel',
        impl: 'transformers.js',
        width: 1,
        height: 1,
        medianMs: median,
        samples: times.length,
        version: ex.version,
      });
      hops.set('transformers.js', 3000);
      o.log(`mel            transformers.js ${median.toFixed(3).padStart(9)} ms per 30 s window`);
    }
    const simdUs = (measured.find((r) => r.impl === 'wasm-simd')!.medianMs! * 1000) / hops.get('wasm-simd')!;
    for (const r of measured) {
      const us = (r.medianMs! * 1000) / hops.get(String(r.impl))!;
      // medianMs per hop, so that the table's ratios compare hops (calls cover different numbers of hops).
      rows.push({
        ...r,
        kernel: 'mel',
        width: undefined,
        height: undefined,
        medianMs: us / 1000,
        medianCallMs: r.medianMs,
        usPerHop: us,
        hopsPerCall: hops.get(String(r.impl)),
        vsSimd: us / simdUs,
        hourSeconds: (us * 360000) / 1e6,
      });
      o.log(
        `mel per hop    ${String(r.impl).padEnd(16)} ${us.toFixed(3).padStart(9)} us  (${(us / simdUs).toFixed(1)}x simd; an hour: ${((us * 360000) / 1e6).toFixed(2)} s)`,
      );
    }

    // A whole hour through the audio path: push 1,000-sample blocks from a 30 s buffer in the arena
    // (the WASM ring copy), cut 512-sample frames, mel columns, level; one core, timed once.
    const [, fk] = fks[0]!;
    const stream = new AudioStream(fk, { size: 4, ringCapacity: 32768 });
    const src = fk.arena.alloc(audio30.length * 4);
    new Float32Array(fk.heap.buffer, src.ptr, audio30.length).set(audio30);
    const total = 3600 * 16000;
    const t0 = performance.now();
    let pushed = 0;
    let frames = 0;
    let columns = 0;
    while (pushed < total) {
      const n = Math.min(1000, total - pushed);
      stream.ring.pushFrom(src.ptr + ((pushed % (audio30.length - 1000)) << 2), n);
      pushed += n;
      for (let f = stream.next(); f; f = stream.next()) {
        columns += f.mel()!.count;
        f.level();
        frames++;
        f.release();
      }
    }
    for (let f = stream.flush(); f; f = stream.flush()) {
      columns += f.mel()!.count;
      frames++;
      f.release();
    }
    const hourMs = performance.now() - t0;
    stream.dispose();
    rows.push({
      kernel: 'mel-hour',
      impl: 'wasm-simd',
      medianMs: hourMs,
      samples: 1,
      audioSeconds: 3600,
      frames,
      melColumns: columns,
      realTimeFactor: hourMs / 1000 / 3600,
    });
    o.log(
      `mel-hour       wasm-simd        an hour of audio through AudioStream: ${(hourMs / 1000).toFixed(2)} s (${frames} frames, ${columns} columns)`,
    );
    return rows;
  },
};

// ---- steady state: 100,000 audio frames ----

let stream: AudioStream;
let srcPtr = 0;
let srcLen = 0;
let pos = 0;

/** One 512-sample frame: push its samples (WASM ring copy from the arena), cut it (mel attached), level, a user slot, release. */
function audioFrame(i: number): number {
  stream.ring.pushFrom(srcPtr + (pos << 2), 512);
  pos += 512;
  if (pos + 512 > srcLen) pos = 0;
  const f = stream.next()!;
  const lv = f.level();
  const ctx = f.slot<Float32Array>('ctx');
  ctx[0] = i;
  f.attach('ctx', ctx);
  // An integer back (a float returned from a call that is not inlined is a heap number in V8).
  const n = f.mel()!.count + (lv.peak > 0.5 ? 1 : 0);
  f.release();
  return n;
}

function loop(n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += audioFrame(i);
  return s;
}

const isBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

/**
 * The audio frame loop with nothing else, 100,000 frames (FRAMEKIT_AUDIO_FRAMES overrides): garbage
 * collections and JS heap growth observed as bench/steady-state.bench.ts does (Node: GC observer and
 * heapUsed with no collection between; Bun: a WeakRef canary and heapUsed after full collections).
 * Targets: 0 GCs, < 1 byte of heap growth per frame.
 */
export const audioSteadySuite: BenchSuite = {
  kernel: 'audio-steady-state',
  async run(o) {
    const frames = Number(process.env.FRAMEKIT_AUDIO_FRAMES ?? 100000);
    const fk = await createFramekit({ arenaBytes: 8 << 20, backend: 'wasm-simd' });
    stream = new AudioStream(fk, { size: 4, ringCapacity: 8192, slots: { ctx: { length: 64, type: 'f32' } } });
    const audio = speech(30);
    const src = fk.arena.alloc(audio.length * 4);
    new Float32Array(fk.heap.buffer, src.ptr, audio.length).set(audio);
    srcPtr = src.ptr;
    srcLen = audio.length;
    let sink = 0;
    for (let k = 0; k < 10; k++) sink += loop(3000); // warm-up: optimised code before measuring
    const gcStarts: number[] = [];
    let obs: PerformanceObserver | null = null;
    if (!isBun) {
      obs = new PerformanceObserver((list) => {
        for (const e of list.getEntries()) gcStarts.push(e.startTime);
      });
      obs.observe({ entryTypes: ['gc'] });
    }
    const gc = () => (globalThis as unknown as { Bun: { gc(force: boolean): void } }).Bun.gc(true);
    let heap0 = 0;
    if (isBun) {
      gc();
      await new Promise((r) => setTimeout(r, 50));
      gc();
      heap0 = process.memoryUsage().heapUsed;
    }
    let canary: WeakRef<object> | null = null;
    for (let tries = 0; tries < 5; tries++) {
      const before = new WeakRef({ canary: 0 });
      canary = new WeakRef({ canary: 1 });
      await new Promise((r) => setTimeout(r, 0));
      if (before.deref() !== undefined) break;
    }
    const t0 = performance.now();
    if (!isBun) {
      process.memoryUsage();
      heap0 = process.memoryUsage().heapUsed;
    }
    sink += loop(frames);
    const collected = canary!.deref() === undefined;
    canary = null;
    if (isBun) gc();
    const heap1 = process.memoryUsage().heapUsed;
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 100));
    obs?.disconnect();
    const gcEvents = obs ? gcStarts.filter((t) => t >= t0 && t <= t1).length : collected ? 1 : 0;
    const usPerFrame = ((t1 - t0) * 1000) / frames;
    stream.dispose();
    const row: BenchRow = {
      kernel: 'audio-steady-state',
      impl: 'wasm-simd',
      frames,
      gcEvents,
      heapDeltaBytes: heap1 - heap0,
      heapBytesPerFrame: (heap1 - heap0) / frames,
      usPerFrame,
      medianMs: usPerFrame / 1000,
      samples: 1,
    };
    if (isBun)
      row.note = 'Bun: gcEvents from a WeakRef canary (0: no collection ran; 1: at least one); heapDeltaBytes between full collections';
    o.log(
      `audio-steady   ${frames} frames: ${usPerFrame.toFixed(2)} us/frame, gc ${gcEvents}, heap ${heap1 - heap0} B (${sink > -1 ? 'ok' : ''})`,
    );
    return [row];
  },
};
