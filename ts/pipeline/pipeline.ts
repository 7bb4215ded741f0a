import { FramekitError } from '../errors.js';
import type { Scheduler, TaskOptions } from '../schedule/scheduler.js';
import { failureKind, withDeadline, type AiStage, type MediaStage, type PipelineFrame, type Stage } from './stage.js';
import type { StageReport } from './stats.js';

export interface PipelineOptions {
  /** Frames in the media stages at once (default 3); `push()` beyond that drops the frame. */
  maxInFlight?: number;
  /** Errors thrown by stages (the frame is dropped; the pipeline goes on). Default: ignored but counted. */
  onError?: (stage: string, error: unknown) => void;
}

export interface PipelineReport {
  frames: { pushed: number; completed: number; dropped: number; rejected: number; inFlight: number };
  stages: StageReport[];
}

/** One frame's trip through the media stages. Pooled: its callbacks are bound once. */
class Flight<F extends PipelineFrame> {
  frame: F | null = null;
  idx = 0;
  t = 0;
  deadline = 0;
  readonly opts: TaskOptions = {};
  readonly run: (signal: AbortSignal | undefined) => unknown;
  readonly done: (error: unknown) => void;

  constructor(p: Pipeline<F>) {
    this.run = (signal) => p._runMedia(this, signal);
    this.done = (error) => p._mediaDone(this, error);
  }
}

/**
 * Frames from a source through media stages to sinks, each stage a scheduler task at its level, and
 * AI stages beside them that never hold the media path back. Per-stage statistics: latency
 * percentiles, deadline misses, drops, time-outs, queue depths.
 *
 * `push()` hands the pipeline one reference to the frame; it is released after the last stage (or
 * when the frame is dropped). Media stages allocate nothing per frame (flights are pooled, task
 * options reused) unless they are asynchronous with a deadline (a timer each).
 */
export class Pipeline<F extends PipelineFrame> {
  readonly scheduler: Scheduler;
  readonly stages: readonly Stage<F>[];
  readonly maxInFlight: number;
  readonly #onError: ((stage: string, error: unknown) => void) | undefined;
  readonly #free: Flight<F>[] = [];
  #inFlight = 0;
  #aiInFlight = 0;
  #pushed = 0;
  #completed = 0;
  #dropped = 0;
  #rejected = 0;
  readonly #waiters: Array<() => void> = [];

  constructor(scheduler: Scheduler, stages: ReadonlyArray<Stage<F>>, o: PipelineOptions = {}) {
    this.scheduler = scheduler;
    if (!Array.isArray(stages) || stages.length === 0) throw new FramekitError('E_ARGUMENT', 'a pipeline needs at least one stage');
    const names = new Set<string>();
    for (const s of stages) {
      if (s?.kind !== 'media' && s?.kind !== 'ai')
        throw new FramekitError('E_ARGUMENT', 'pipeline stages come from stage(), ai() or sink()');
      if (names.has(s.name)) throw new FramekitError('E_ARGUMENT', `two stages are named ${JSON.stringify(s.name)}`);
      names.add(s.name);
    }
    this.stages = [...stages];
    this.maxInFlight = o.maxInFlight ?? 3;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1)
      throw new FramekitError('E_ARGUMENT', `maxInFlight must be an integer >= 1`);
    this.#onError = o.onError;
    for (let i = 0; i < this.maxInFlight; i++) this.#free.push(new Flight(this));
  }

  /** Frames in the media stages now. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /**
   * Takes one reference to `frame` and starts it through the stages. Returns false, releasing the
   * frame, when `maxInFlight` frames are already on their way (a live source drops rather than queues).
   */
  push(frame: F): boolean {
    this.#pushed++;
    const f = this.#free.pop();
    if (!f) {
      this.#rejected++;
      frame.release();
      return false;
    }
    this.#inFlight++;
    f.frame = frame;
    f.idx = 0;
    this.#advance(f);
    return true;
  }

  /** Resolves when a `push()` would be accepted. Allocates a promise when it has to wait. */
  whenReady(): Promise<void> {
    if (this.#inFlight < this.maxInFlight) return Promise.resolve();
    return new Promise((r) => this.#waiters.push(r));
  }

  /**
   * Feeds frames from `source` (an iterable or async iterable: a decoder, a camera loop) as fast as
   * the pipeline takes them: the next frame is asked for only when a push would be accepted, so a
   * pool-backed source acquires no frame it cannot hand over. Stops at the source's end or when
   * `signal` aborts (the source is closed with `return()`); resolves once the pipeline is idle.
   */
  async pump(source: Iterable<F> | AsyncIterable<F>, signal?: AbortSignal): Promise<void> {
    const it: Iterator<F> | AsyncIterator<F> =
      Symbol.asyncIterator in source ? (source as AsyncIterable<F>)[Symbol.asyncIterator]() : (source as Iterable<F>)[Symbol.iterator]();
    try {
      for (;;) {
        await this.whenReady();
        if (signal?.aborted) break;
        const r = await it.next();
        if (r.done) return await this.idle();
        this.push(r.value);
      }
      await it.return?.();
    } catch (e) {
      await it.return?.();
      throw e;
    }
    await this.idle();
  }

  /** Resolves when no frame is in the media stages and no AI call is running. Polls between host turns. */
  async idle(): Promise<void> {
    while (this.#inFlight > 0 || this.#aiInFlight > 0) await new Promise((r) => setTimeout(r, 1));
  }

  report(): PipelineReport {
    return {
      frames: {
        pushed: this.#pushed,
        completed: this.#completed,
        dropped: this.#dropped,
        rejected: this.#rejected,
        inFlight: this.#inFlight,
      },
      stages: this.stages.map((s) => s.stats.report()),
    };
  }

  /** Runs AI stages as they come (without waiting) and schedules the next media stage; finishes the frame at the end. */
  #advance(f: Flight<F>): void {
    const stages = this.stages;
    while (f.idx < stages.length) {
      const s = stages[f.idx]!;
      if (s.kind === 'ai') {
        this.#startAi(s, f.frame!);
        f.idx++;
        continue;
      }
      const t = this.scheduler.now();
      s.stats.enter();
      f.t = t;
      f.deadline = s.deadlineMs === undefined ? Number.POSITIVE_INFINITY : t + s.deadlineMs;
      const o = f.opts;
      o.level = s.level;
      o.class = s.cls;
      o.deadline = f.deadline;
      o.droppable = s.droppable;
      this.scheduler.schedule(f.run, o, f.done);
      return;
    }
    this.#completed++;
    this.#finish(f);
  }

  /** @internal A flight's task body: the current media stage on its frame. */
  _runMedia(f: Flight<F>, signal: AbortSignal | undefined): unknown {
    const s = this.stages[f.idx] as MediaStage<F>;
    const v = s.run(f.frame!, signal);
    if (v === undefined || s.deadlineMs === undefined || typeof (v as PromiseLike<void>).then !== 'function') return v;
    return withDeadline(v as PromiseLike<void>, Math.max(0, f.deadline - this.scheduler.now()), null, `stage ${s.name}`);
  }

  /** @internal A flight's task callback: count, then move on or drop the frame. */
  _mediaDone(f: Flight<F>, error: unknown): void {
    const s = this.stages[f.idx]!;
    const st = s.stats;
    const t = this.scheduler.now();
    st.leave(t - f.t);
    if (error === undefined) {
      st.completed++;
      if (t > f.deadline) st.missed++;
      f.idx++;
      this.#advance(f);
      return;
    }
    this.#count(s, error);
    this.#dropped++;
    this.#finish(f);
  }

  #count(s: Stage<F>, error: unknown): void {
    const kind = failureKind(error);
    if (kind === 'shed') s.stats.dropped++;
    else if (kind === 'timeout') s.stats.timedOut++;
    else {
      s.stats.failed++;
      this.#onError?.(s.name, error);
    }
  }

  #finish(f: Flight<F>): void {
    const frame = f.frame!;
    f.frame = null;
    this.#inFlight--;
    this.#free.push(f);
    frame.release();
    this.#waiters.shift()?.();
  }

  #startAi(s: AiStage<F, unknown>, frame: F): void {
    const st = s.stats;
    if (s.inFlight >= s.maxInFlight) {
      st.skipped++;
      return;
    }
    s.inFlight++;
    this.#aiInFlight++;
    st.enter();
    frame.retain();
    const generation = frame.generation;
    const t0 = this.scheduler.now();
    const ac = new AbortController();
    const run = () => {
      const v = s.run(frame, ac.signal);
      const p =
        v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function'
          ? (v as PromiseLike<unknown>)
          : Promise.resolve(v);
      return s.deadlineMs === undefined
        ? p
        : withDeadline(p, Math.max(0, t0 + s.deadlineMs - this.scheduler.now()), ac, `ai stage ${s.name}`);
    };
    const settle = (error: unknown, value: unknown) => {
      const t = this.scheduler.now();
      st.leave(t - t0);
      s.inFlight--;
      this.#aiInFlight--;
      try {
        if (error !== undefined) this.#count(s, error);
        else if (frame.generation !== generation)
          st.dropped++; // cannot happen while held; kept as the contract's check
        else {
          st.completed++;
          if (s.deadlineMs !== undefined && t > t0 + s.deadlineMs) st.missed++;
          frame.attach(s.key, value);
          st.attached++;
          s.onResult?.(frame, value);
        }
      } catch (e) {
        st.failed++;
        this.#onError?.(s.name, e);
      } finally {
        frame.release();
      }
    };
    this.scheduler.schedule(
      run,
      { level: s.level, class: s.cls, deadline: s.deadlineMs === undefined ? undefined : t0 + s.deadlineMs, droppable: s.droppable },
      settle,
    );
  }
}
