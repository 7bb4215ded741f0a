import { FramekitError } from '../errors.js';
import type { Scheduler, TaskOptions } from '../schedule/index.js';
import type { LevelLike } from '../schedule/levels.js';
import { ModelSession, type ModelInfo, type ModelSessionOptions } from './session.js';

/** What a model stage needs of a frame: framekit's `Frame` is one. */
export interface ModelFrame {
  readonly generation: number;
  /** True while the frame still holds the pixels of `generation` (not released since). */
  isCurrent(generation: number): boolean;
  attachAsync(key: string, promise: PromiseLike<unknown>): Promise<boolean>;
}

export interface ModelStageOptions extends ModelSessionOptions {
  /** The scheduler whose tasks run the model (its context's rules pick the level of `class`). */
  scheduler: Scheduler;
  /** Level when the context has no rule for `class` (default per stage). */
  level?: LevelLike;
  /** Task class the context rules map to a level (default per stage). */
  class?: string;
  /** Attachment key the result goes under (default per stage). */
  key?: string;
  /** Hears load and inference errors (they are also counted); the media path never sees them. */
  onError?: (error: unknown) => void;
}

/** Counters of a stage; `skipped`: frames replaced by a newer one while busy; `stale`: moved on before their turn; `late`: result ready after the frame moved on. */
export interface ModelStageStats {
  pushed: number;
  runs: number;
  attached: number;
  skipped: number;
  stale: number;
  late: number;
  errors: number;
  /** Milliseconds of the last inference (preprocessing, run, decode) and of all of them. */
  lastMs: number;
  totalMs: number;
}

/**
 * A model stage over video frames: at most one inference at a time; a frame pushed while one runs
 * waits in a single pending slot, and a newer frame replaces it (latest frame wins, the replaced
 * one counted as skipped). Each inference is a scheduler task at the level the scheduler's
 * context gives the stage's class; the model loads on the first task (never before, never on the
 * pusher's path). The task checks the frame is still current, has the subclass write the model's
 * input (a kernel into a preallocated tensor), runs the model and attaches the decoded result with
 * `frame.attachAsync`, which drops it if the frame moved on meanwhile.
 *
 * `push()` allocates nothing when the stage is busy; a started inference allocates its promises
 * (as async work does).
 */
export abstract class LatestFrameStage<F extends ModelFrame, R> {
  readonly key: string;
  readonly stats: ModelStageStats = { pushed: 0, runs: 0, attached: 0, skipped: 0, stale: 0, late: 0, errors: 0, lastMs: 0, totalMs: 0 };
  readonly model: ModelSession;
  /** The last error (load or inference), or null. */
  lastError: unknown = null;
  readonly #scheduler: Scheduler;
  readonly #task: TaskOptions;
  readonly #onError: ((e: unknown) => void) | undefined;
  #busy = false;
  #frame: F | null = null;
  #gen = 0;
  #pending: F | null = null;
  #pendingGen = 0;
  #disposed = false;
  #loadError: unknown = null;
  readonly #run = () => this.#runTask();
  readonly #done = (e: unknown) => this.#finished(e);
  readonly #attachedCb = (ok: boolean) => {
    if (ok) this.stats.attached++;
    else this.stats.late++;
  };
  readonly #attachFailed = () => undefined; // counted once, in #finished

  protected constructor(model: ModelSession, o: ModelStageOptions, defaults: { key: string; class: string; level: LevelLike }) {
    if (!o?.scheduler) throw new FramekitError('E_ARGUMENT', `model stage ${model.name}: a scheduler is required`);
    this.model = model;
    this.key = o.key ?? defaults.key;
    this.#scheduler = o.scheduler;
    this.#task = { class: o.class ?? defaults.class, level: o.level ?? defaults.level };
    this.#onError = o.onError;
  }

  /** The error that stopped the model loading (the stage then ignores frames), or null. */
  get loadError(): unknown {
    return this.#loadError;
  }

  /** True while an inference is queued or running. */
  get busy(): boolean {
    return this.#busy;
  }

  /** The loaded model's report, or null before the first run. */
  get info(): ModelInfo | null {
    return this.model.info;
  }

  /**
   * Offers a frame. Starts an inference at once when idle; otherwise keeps the frame as the pending
   * one (replacing, and counting as skipped, any older pending frame). Returns immediately.
   */
  push(frame: F): void {
    if (this.#disposed) throw new FramekitError('E_STATE', `model stage ${this.model.name} was disposed`);
    this.stats.pushed++;
    // A model that failed to load (ORT missing, file missing or corrupt) is not retried per frame.
    if (this.#loadError !== null) return;
    if (this.#busy) {
      if (this.#pending) this.stats.skipped++;
      this.#pending = frame;
      this.#pendingGen = frame.generation;
      return;
    }
    this.#start(frame, frame.generation);
  }

  /** Resolves when no inference is queued, running or pending (tests, orderly shutdown). Allocates. */
  async idle(): Promise<void> {
    while (this.#busy) await new Promise((r) => setTimeout(r, 1));
  }

  /** Loads the model now (it otherwise loads on the first frame's task). */
  load(): Promise<void> {
    return this.model.load();
  }

  /** Stops taking frames and releases the session (after the running inference, if any). */
  async dispose(): Promise<void> {
    this.#disposed = true;
    this.#pending = null;
    await this.idle();
    await this.model.dispose();
    this.release();
  }

  /** Writes the model's input from a current frame (synchronously; the frame may move on after). */
  protected abstract prepare(frame: F): void;
  /** Runs the model on the prepared input and decodes its output. */
  protected abstract infer(): Promise<R>;
  /** Called once after the model loads: make the tensors. */
  protected abstract bind(): void | Promise<void>;
  /** Frees what `bind()` made. */
  protected abstract release(): void;

  #start(frame: F, gen: number): void {
    this.#busy = true;
    this.#frame = frame;
    this.#gen = gen;
    this.#scheduler.schedule(this.#run, this.#task, this.#done);
  }

  async #runTask(): Promise<void> {
    if (!this.model.loaded) {
      await this.model.load();
      await this.bind();
    }
    const frame = this.#frame!;
    this.#frame = null;
    if (!frame.isCurrent(this.#gen)) {
      this.stats.stale++;
      return;
    }
    const t0 = performance.now();
    this.prepare(frame);
    const result = this.infer();
    frame.attachAsync(this.key, result).then(this.#attachedCb, this.#attachFailed);
    await result;
    const ms = performance.now() - t0;
    this.stats.runs++;
    this.stats.lastMs = ms;
    this.stats.totalMs += ms;
  }

  #finished(e: unknown): void {
    this.#busy = false;
    this.#frame = null;
    if (e !== undefined) {
      if (!this.model.loaded) {
        this.#loadError = e;
        this.#pending = null;
      }
      this.stats.errors++;
      this.lastError = e;
      try {
        this.#onError?.(e);
      } catch {
        // a throwing listener must not stop the stage
      }
    }
    const next = this.#pending;
    if (next && !this.#disposed) {
      this.#pending = null;
      this.#start(next, this.#pendingGen);
    }
  }
}
