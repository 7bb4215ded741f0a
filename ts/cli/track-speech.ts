/**
 * `framekit track` over a file with audio: Silero VAD v5 on the audio frames `VideoAudio` cuts, and
 * each video frame's audio window given the speech flag and probability the VAD found for the audio
 * frame covering its timestamp. The VAD is a HIGH task on a scheduler; ONNX Runtime runs it on this
 * thread, as `framekit listen` does (0.4 ms a window with onnxruntime-node here: a VAD model is small
 * enough that a worker's copies and messages would cost more than they save).
 *
 * The media loop never waits for the model unboundedly. Each processed frame's JSON line is held,
 * with a reference to the frame's audio frame (not the video frame: the video pool does not grow),
 * until that audio frame's `speech` result is in, for at most `lag` frames; a line whose result is
 * still missing then goes out with `speech: null` and is counted `late`. Between frames the loop
 * gives the event loop a few turns while windows are queued (a bounded number, within a time budget),
 * so the model's tasks run beside the media path rather than only when it waits for input.
 *
 * ONNX Runtime is an optional peer: when it is not installed, or the model does not load, `warm()`
 * records why, says so once, and the frames go out with `speech: null` (nothing is held then).
 */
import type { VideoAudio } from '../audio/follow.js';
import type { AudioFrame } from '../audio/frame.js';
import type { AudioWindow } from '../audio/sync.js';
import { FramekitError } from '../errors.js';
import type { Frame } from '../frame/frame.js';
import { loadOrt, type PackageImporter } from '../models/ort.js';
import { VadStage } from '../models/silero/vad.js';
import type { ModelSource } from '../models/source.js';
import { hostYield } from '../schedule/host.js';
import { Scheduler } from '../schedule/index.js';
import { LISTEN_MIN_SPEECH_MS, LISTEN_REDEMPTION_MS } from './commands/listen.js';

/** Frames a processed frame's line is held for its speech result at most. */
export const SPEECH_LAG = 8;
/** Windows the VAD may queue (as `listen`): a read of the audio pipe cuts up to 16 at once. */
const QUEUE = 64;
/** Windows of silence the model runs when it loads, off the media clock (ORT's hot code compiled). */
const WARMUP = 32;
/** Per frame: event-loop turns given while windows are queued, at most, and the time they may take (ms). */
const TURNS = 16;
const TURNS_MS = 4;

export interface TrackSpeechOptions {
  /** The scheduler the VAD's tasks go on (default: its own). */
  scheduler?: Scheduler;
  /** The model (default: silero_vad_v5.onnx of the installed @ricky0123/vad-web). */
  model?: ModelSource;
  /** How ONNX Runtime's package is imported (tests: an importer that finds none). */
  importer?: PackageImporter;
  /** Frames a line is held for its result (default SPEECH_LAG). */
  lag?: number;
  /** Hears, once, why there will be no speech flags (ONNX Runtime missing, the model failing). */
  warn?: (message: string) => void;
}

const round = (v: number, d: number) => (Number.isFinite(v) ? +v.toFixed(d) : null);
const plain = (e: unknown) => String((e as Error)?.message ?? e).replace(/^E_[A-Z_]+: /, '');

/** The speech side of `framekit track`. */
export class TrackSpeech {
  readonly vad: VadStage;
  readonly lag: number;
  /** Why the frames carry no speech flags (null while the VAD runs). */
  reason: string | null = null;
  readonly #audio: VideoAudio;
  readonly #importer: PackageImporter | undefined;
  readonly #warn: ((m: string) => void) | undefined;
  #warned = false;
  #warmMs = 0;
  #runtime: string | null = null;
  // Held frames, oldest first, in a ring: the covering audio frame (retained) or null, the line's audio entry, the line.
  readonly #frames: Array<AudioFrame | null>;
  readonly #targets: Array<Record<string, unknown> | null>;
  readonly #lines: Array<Record<string, unknown> | null>;
  #head = 0;
  #count = 0;
  #withResult = 0;
  #late = 0;
  #noWindow = 0;

  constructor(audio: VideoAudio, o: TrackSpeechOptions = {}) {
    this.lag = o.lag ?? SPEECH_LAG;
    if (!Number.isInteger(this.lag) || this.lag < 0)
      throw new FramekitError('E_ARGUMENT', `speech lag must be an integer >= 0, got ${this.lag}`);
    this.#audio = audio;
    this.#importer = o.importer;
    this.#warn = o.warn;
    this.vad = new VadStage({
      scheduler: o.scheduler ?? new Scheduler(),
      queue: QUEUE,
      warmup: WARMUP,
      redemptionMs: LISTEN_REDEMPTION_MS,
      minSpeechMs: LISTEN_MIN_SPEECH_MS,
      // One thread, never spinning: ONNX Runtime's default pool (a thread per core, spinning between
      // calls) would take the core the video decoder and the media loop share.
      sessionOptions: {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
      },
      ...(o.model !== undefined ? { model: o.model } : {}),
      onError: (e) => this.#off(`the voice-activity model failed: ${plain(e)}`),
    });
    // Room for `lag` held lines, the frame being added, and the frames a caller's own hold keeps (faces).
    const cap = this.lag + 16;
    this.#frames = new Array<AudioFrame | null>(cap).fill(null);
    this.#targets = new Array<Record<string, unknown> | null>(cap).fill(null);
    this.#lines = new Array<Record<string, unknown> | null>(cap).fill(null);
  }

  /** Whether the VAD runs (ONNX Runtime and the model loaded, no failure since). */
  get running(): boolean {
    return this.reason === null;
  }

  /**
   * Loads ONNX Runtime and the model and runs the warm-up windows, before the media clock starts;
   * from then on every audio frame the stream cuts goes to the VAD. A failure turns speech off (the
   * reason is kept and said once); it never throws.
   */
  async warm(): Promise<void> {
    const t0 = performance.now();
    try {
      await loadOrt('auto', this.#importer);
      await this.vad.load();
    } catch (e) {
      const missing = e instanceof FramekitError && e.code === 'E_DEPENDENCY';
      this.#off(missing ? plain(e) : `the voice-activity model did not load: ${plain(e)}`);
    }
    this.#warmMs = performance.now() - t0;
    this.#runtime = this.vad.info?.runtime ?? null;
    if (this.running) this.#audio.onFrame = (f) => this.vad.pushFrame(f);
  }

  /**
   * After `audio.attach(video)`: holds `line` (null without --json) with the audio frame covering the
   * video frame, whose result it waits for. The video frame may be released right after.
   */
  take(video: Frame, line: Record<string, unknown> | null): void {
    if (this.#count === this.#frames.length) throw new FramekitError('E_STATE', `speech hold: more than ${this.#count} frames held`);
    const i = (this.#head + this.#count) % this.#frames.length;
    const w = video.get('audio') as AudioWindow | null;
    const a = w && this.running ? this.#audio.sync.pool.tryHandle(w.audioHandle) : null;
    this.#frames[i] = a ? a.retain() : null;
    this.#targets[i] = line && (line.audio as Record<string, unknown> | null);
    this.#lines[i] = line;
    this.#count++;
    if (!w) this.#noWindow++;
  }

  /**
   * Gives the event loop turns while the VAD has windows queued: at most TURNS, within TURNS_MS, so
   * the model keeps up with the audio read so far without holding the media path up for longer.
   */
  async turns(): Promise<void> {
    if (!this.running || this.vad.pending === 0) return;
    const t0 = performance.now();
    for (let k = 0; k < TURNS && this.vad.pending > 0 && performance.now() - t0 < TURNS_MS; k++) await hostYield();
  }

  /**
   * The oldest held line, once its result is in or more than `lag` lines are held (then it goes out
   * without one, counted late): the line (null for a frame taken without one), or undefined when
   * the oldest must wait. Call until undefined.
   */
  shift(lag: number = this.lag): Record<string, unknown> | null | undefined {
    if (this.#count === 0) return undefined;
    const h = this.#head;
    const a = this.#frames[h]!;
    const sp = a ? a.get('speech') : null;
    if (a && !sp && this.#count <= lag && this.running) return undefined;
    const t = this.#targets[h]!;
    if (a) {
      if (sp) {
        this.#withResult++;
        if (t) {
          t.speech = sp.speech;
          t.speechProbability = round(sp.probability, 4);
        }
      } else this.#late++;
      a.release();
    }
    const line = this.#lines[h]!;
    this.#frames[h] = null;
    this.#targets[h] = null;
    this.#lines[h] = null;
    this.#head = (h + 1) % this.#frames.length;
    this.#count--;
    return line;
  }

  /** End of stream: waits for the windows queued (at most QUEUE) and closes an open segment; then `shift(0)` ends every hold. */
  async drain(): Promise<void> {
    if (this.running && this.vad.model.loaded) await this.vad.flush();
    this.#audio.onFrame = null;
  }

  /** Ends every hold (results or not) and frees the session. */
  async close(): Promise<void> {
    while (this.shift(0) !== undefined);
    this.#audio.onFrame = null;
    await this.vad.dispose();
  }

  /** The summary's speech entries (under `audio`). Allocates. */
  report(): Record<string, unknown> {
    if (!this.running && !this.vad.stats.processed) return { detector: null, vad: null, speechMissing: this.reason };
    const s = this.vad.stats;
    const audioSeconds = (s.processed * 512) / 16000;
    return {
      detector: 'silero-vad-v5',
      vad: {
        runtime: this.#runtime,
        /** Loading ONNX Runtime and the model, and the warm-up windows, before the first frame (ms). */
        warmMs: round(this.#warmMs, 1),
        segments: this.vad.segments.map((g) => [round(g.start, 3), round(g.end, 3)]),
        /** Frames whose audio window got its speech result; frames whose hold ended first; frames with no audio window. */
        framesWithResult: this.#withResult,
        late: this.#late,
        framesWithoutAudio: this.#noWindow,
        lag: this.lag,
        windows: s.processed,
        skipped: s.skipped,
        errors: s.errors,
        modelMs: round(s.totalMs, 1),
        /** Model time (each window from its call to its result) over the audio it ran on. */
        realTimeFactor: round(s.totalMs / 1000 / Math.max(audioSeconds, 1e-9), 5),
      },
      ...(this.reason ? { speechMissing: this.reason } : {}),
    };
  }

  #off(reason: string): void {
    this.reason ??= reason;
    this.#audio.onFrame = null;
    if (!this.#warned) {
      this.#warned = true;
      this.#warn?.(this.reason);
    }
  }
}
