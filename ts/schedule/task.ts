import type { HeapItem } from './heap.js';
import type { Level } from './levels.js';

/**
 * A task: called with the task's signal (if any). It may return
 * - a value: the task is done;
 * - a promise: the task is done when it settles (the scheduler runs other work meanwhile);
 * - an iterator (a generator): a long task written as steps; each `next()` is one step, and the
 *   scheduler stops stepping when the slice's budget is spent and resumes it in a later slice.
 */
export type TaskFn<T> = (signal: AbortSignal | undefined) => T | PromiseLike<T> | Iterator<unknown, T>;

/** Hears how a task ended: `(undefined, value)` or `(error, undefined)`. */
export type TaskCallback<T> = (error: unknown, value: T | undefined) => void;

export const TaskState = { FREE: 0, QUEUED: 1, RUNNING: 2, ASYNC: 3, ORPHANED: 4 } as const;
export type TaskState = (typeof TaskState)[keyof typeof TaskState];

/** What TaskRecord needs from its scheduler. */
export interface RecordOwner {
  _abort(r: TaskRecord): void;
  _settled(r: TaskRecord, error: unknown, value: unknown, failed: boolean): void;
}

/**
 * One queued task. Records are pooled by the scheduler and reused, so their listeners are bound
 * once, in the constructor, and a dispatch allocates nothing.
 */
export class TaskRecord implements HeapItem {
  deadline = Number.POSITIVE_INFINITY;
  seq = 0;
  hi = -1;
  state: TaskState = TaskState.FREE;
  fn: TaskFn<unknown> | null = null;
  iter: Iterator<unknown, unknown> | null = null;
  cls: string | null = null;
  /** The level it was queued at; stats are kept per base level. */
  base: Level = 2;
  /** Where it sits now (base, or higher after aging). */
  level: Level = 2;
  enqueuedAt = 0;
  droppable = false;
  /** Queued behind its level's on-time tasks: its deadline passed while it waited. */
  late = false;
  aborted = false;
  signal: AbortSignal | undefined = undefined;
  cb: ((error: unknown, value: unknown) => void) | null = null;
  resolve: ((v: unknown) => void) | null = null;
  reject: ((e: unknown) => void) | null = null;
  readonly onAbort: () => void;
  readonly onOk: (v: unknown) => void;
  readonly onErr: (e: unknown) => void;

  constructor(owner: RecordOwner) {
    this.onAbort = () => owner._abort(this);
    this.onOk = (v) => owner._settled(this, undefined, v, false);
    this.onErr = (e) => owner._settled(this, e, undefined, true);
  }

  reset(): void {
    this.state = TaskState.FREE;
    this.fn = null;
    this.iter = null;
    this.cls = null;
    this.signal = undefined;
    this.cb = null;
    this.resolve = null;
    this.reject = null;
    this.aborted = false;
    this.late = false;
    this.hi = -1;
  }
}
