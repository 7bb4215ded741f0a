import { FramekitError } from '../errors.js';
import { toLevel, type Level, type LevelLike } from '../schedule/levels.js';
import { StageStats } from './stats.js';

/**
 * What a pipeline needs of a frame: a reference count it can hold while a slow stage works on the
 * frame, a generation that changes when the frame is recycled, and attachments. framekit's `Frame`
 * (ts/frame) is one; any object with these members is another.
 */
export interface PipelineFrame {
  readonly generation: number;
  retain(): unknown;
  release(): void;
  attach(key: string, value: unknown): unknown;
}

/** A media stage's work on one frame. A promise makes it asynchronous (its deadline then cancels it). */
export type StageFn<F> = (frame: F, signal: AbortSignal | undefined) => void | PromiseLike<void>;

export interface StageOptions {
  /** Level of the stage's tasks (media stages default to CRITICAL, AI stages to NORMAL). */
  level?: LevelLike;
  /** Task class for the scheduler's context rules (media stages default to 'frame'). */
  class?: string;
  /** Time from the frame reaching the stage to the stage finishing (ms). Late work counts as a miss. */
  deadlineMs?: number;
  /** Shed the frame rather than start the stage after its deadline (default false). */
  droppable?: boolean;
}

export interface AiOptions<F, R> extends StageOptions {
  /** The attachment the result goes under. */
  key: string;
  /** Calls running at once (default 1); frames arriving meanwhile pass on without one (counted `skipped`). */
  maxInFlight?: number;
  /** Hears each result right after it is attached, while the frame is still held. */
  onResult?: (frame: F, value: R) => void;
}

interface StageBase {
  readonly name: string;
  readonly level: Level;
  readonly cls: string | undefined;
  readonly deadlineMs: number | undefined;
  readonly droppable: boolean;
  readonly stats: StageStats;
}

export interface MediaStage<F> extends StageBase {
  readonly kind: 'media';
  readonly run: StageFn<F>;
}

export interface AiStage<F, R = unknown> extends StageBase {
  readonly kind: 'ai';
  readonly key: string;
  readonly maxInFlight: number;
  readonly run: (frame: F, signal: AbortSignal) => R | PromiseLike<R>;
  /** Method syntax on purpose: a stage with a specific result type still fits `Stage<F>`. */
  onResult?(frame: F, value: R): void;
  inFlight: number;
}

export type Stage<F> = MediaStage<F> | AiStage<F, unknown>;

function base(name: string, o: StageOptions, level: LevelLike, cls: string | undefined): StageBase {
  if (typeof name !== 'string' || name === '') throw new FramekitError('E_ARGUMENT', 'a stage needs a name');
  const d = o.deadlineMs;
  if (d !== undefined && !(d > 0)) throw new FramekitError('E_ARGUMENT', `stage ${name}: deadlineMs must be > 0, got ${String(d)}`);
  return {
    name,
    level: toLevel(o.level ?? level, `level of stage ${name}`),
    cls: o.class ?? cls,
    deadlineMs: d,
    droppable: o.droppable === true,
    stats: new StageStats(name),
  };
}

/** A media stage: runs on every frame, in order; the frame moves on when it finishes. */
export function stage<F>(name: string, run: StageFn<F>, o: StageOptions = {}): MediaStage<F> {
  if (typeof run !== 'function') throw new FramekitError('E_ARGUMENT', `stage ${name}: run must be a function`);
  return { kind: 'media', run, ...base(name, o, 'critical', 'frame') };
}

/** The last stage(s): consumers of finished frames. A media stage by another name. */
export const sink = stage;

/**
 * An AI stage: calls any (async) function on a frame at its own level, without holding the frame
 * back: the media path goes on at once, and the result is attached to the very frame it was computed
 * from (held by a reference until then). A call past `deadlineMs` is aborted (its signal fires) and
 * its result discarded. Allocates per call (promise, AbortController, timer): AI calls allocate anyway.
 */
export function ai<F, R>(name: string, run: (frame: F, signal: AbortSignal) => R | PromiseLike<R>, o: AiOptions<F, R>): AiStage<F, R> {
  if (typeof run !== 'function') throw new FramekitError('E_ARGUMENT', `ai stage ${name}: run must be a function`);
  if (typeof o?.key !== 'string' || o.key === '')
    throw new FramekitError('E_ARGUMENT', `ai stage ${name}: key (the attachment name) is required`);
  const m = o.maxInFlight ?? 1;
  if (!Number.isInteger(m) || m < 1)
    throw new FramekitError('E_ARGUMENT', `ai stage ${name}: maxInFlight must be an integer >= 1, got ${String(m)}`);
  return { kind: 'ai', run, key: o.key, maxInFlight: m, onResult: o.onResult, inFlight: 0, ...base(name, o, 'normal', undefined) };
}

/**
 * Settles with `p`, or rejects with E_DEADLINE (reason 'timeout') after `ms`, aborting `ac` so the
 * work can stop. Allocates a promise and a timer.
 */
export function withDeadline<T>(p: PromiseLike<T>, ms: number, ac: AbortController | null, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const e = new FramekitError('E_DEADLINE', `${what} did not finish within ${ms} ms`, { reason: 'timeout', ms });
      ac?.abort(e);
      reject(e);
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** 'shed', 'timeout' or 'error': how a stage's failure is counted. */
export function failureKind(e: unknown): 'shed' | 'timeout' | 'error' {
  if (e instanceof FramekitError && e.code === 'E_DEADLINE') return e.details.reason === 'timeout' ? 'timeout' : 'shed';
  return 'error';
}
