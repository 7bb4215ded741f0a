import { FramekitError } from '../errors.js';
import { CompiledRules, DEFAULT_RULES, type ContextRules } from './context.js';
import { DeadlineHeap } from './heap.js';
import { createHostPoster, type HostKind, type HostPoster, type HostPriority } from './host.js';
import { Level, LEVEL_COUNT, LEVEL_NAMES, toLevel, type LevelLike, type LevelName } from './levels.js';
import { ClassPredictor } from './predictor.js';
import { TaskRecord, TaskState, type TaskCallback, type TaskFn } from './task.js';

export interface TaskOptions {
  /** The task's own level (default NORMAL); a context rule for its `class` overrides it. */
  level?: LevelLike;
  /** Task class (`frame`, `chat`, `training` ...): picks the level from the context rules, feeds the predictor. */
  class?: string;
  /** Absolute deadline on `scheduler.now()` (ms). Within a level, earliest deadline runs first. */
  deadline?: number;
  /** Deadline relative to posting (ms); ignored when `deadline` is given. */
  deadlineMs?: number;
  /** Shed the task, never run it late, once its deadline has passed before it started (default false). */
  droppable?: boolean;
  /** Cancels the task: a queued task is removed, a step task stops at its next step. */
  signal?: AbortSignal;
}

export interface SchedulerOptions {
  /** Time a slice may run tasks before the host gets its turn (ms, default 5). */
  budgetMs?: number;
  /** A queued task rises one level for each `agingMs` it waits (default 250; 0 turns aging off). */
  agingMs?: number;
  /** Aging never lifts a task above this level (default HIGH: only real CRITICAL work is CRITICAL). */
  agingCeiling?: LevelLike;
  /** Context -> class -> level rules (default DEFAULT_RULES). */
  rules?: ContextRules;
  /** Starting context (default 'default'). */
  context?: string;
  /** How slices are posted to the host; 'manual': never, the caller calls `runSlice()` (default: best the host has). */
  host?: HostKind | 'manual';
  /** Learn which class comes next and promote it one level (default true). */
  predict?: boolean;
  /** Called when the predicted next class changes: pre-warm it (load a model, touch a buffer). */
  onWarm?: (cls: string) => void;
  /** Errors no owner receives: tasks posted without a callback, callbacks that throw. */
  onError?: (error: unknown) => void;
  /** Task records made up front (default 256); more are made, once, if ever needed. */
  capacity?: number;
  /** Clock in ms (default performance.now). */
  now?: () => number;
}

/** Counters for one level; `dropped` are shed past their deadline, `missed` ran but finished late. */
export interface LevelStats {
  posted: number;
  completed: number;
  met: number;
  missed: number;
  dropped: number;
  cancelled: number;
  failed: number;
  promoted: number;
}

const NO_DEADLINE = Number.POSITIVE_INFINITY;
const HOST_PRIORITY: readonly HostPriority[] = ['user-blocking', 'user-blocking', 'user-visible', 'background', 'background'];

function newStats(): LevelStats {
  return { posted: 0, completed: 0, met: 0, missed: 0, dropped: 0, cancelled: 0, failed: 0, promoted: 0 };
}

function isIterator(v: object): v is Iterator<unknown, unknown> {
  return (
    typeof (v as { next?: unknown }).next === 'function' && typeof (v as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
  );
}

/**
 * A cooperative priority scheduler for one thread. Five levels, CRITICAL first; earliest deadline
 * first within a level (a binary heap per level), a task whose deadline already passed going behind
 * those of its level that can still meet theirs (so one late task does not make the next ones late
 * too); aging lifts waiting work so LOW is not starved; slices of `budgetMs` between host turns,
 * whose housekeeping (shedding, aging) is bounded so that it never holds CRITICAL work up for long;
 * step tasks (generators) yield inside a slice; droppable tasks past their deadline are shed, never
 * run late; a context names which level each task class runs at.
 *
 * Dispatch allocates nothing: task records are pooled and reused, heaps keep their arrays.
 * `schedule()` with a reused options object and callback is allocation-free; `post()` allocates the
 * promise it returns. Post + dispatch + callback of an empty task: 273-289 ns on an unloaded Xeon
 * (Bun 1.4.5); at twice one core's capacity every CRITICAL deadline was met, in simulated and in real
 * time (bench/results/scheduler-pipeline-workers-h200-host.md).
 */
export class Scheduler {
  readonly now: () => number;
  readonly budgetMs: number;
  readonly agingMs: number;
  readonly agingCeiling: Level;
  readonly predictor: ClassPredictor | null;
  /** Per level, indexed by Level. */
  readonly stats: readonly LevelStats[];
  readonly hostKind: HostKind | 'manual';
  readonly #heaps: DeadlineHeap<TaskRecord>[] = [];
  readonly #free: TaskRecord[] = [];
  readonly #scratch: TaskRecord[] = [];
  readonly #rules: CompiledRules;
  readonly #poster: HostPoster | null;
  readonly #onWarm: ((cls: string) => void) | undefined;
  readonly #onError: (error: unknown) => void;
  readonly #dropError = new FramekitError('E_DEADLINE', 'task shed: its deadline passed before it could start', { reason: 'shed' });
  #table: ReadonlyMap<string, Level>;
  #context: string;
  #relevel = false;
  #queued = 0;
  #seq = 0;
  #posted = false;
  #inSlice = false;
  #lastSweep = 0;
  #slices = 0;
  #dispatched = 0;
  #made = 0;

  constructor(o: SchedulerOptions = {}) {
    this.now = o.now ?? (() => performance.now());
    this.budgetMs = o.budgetMs ?? 5;
    this.agingMs = o.agingMs ?? 250;
    if (!(this.budgetMs > 0)) throw new FramekitError('E_ARGUMENT', `budgetMs must be > 0, got ${this.budgetMs}`);
    if (!(this.agingMs >= 0)) throw new FramekitError('E_ARGUMENT', `agingMs must be >= 0, got ${this.agingMs}`);
    this.agingCeiling = toLevel(o.agingCeiling ?? Level.HIGH, 'agingCeiling');
    this.#rules = new CompiledRules(o.rules ?? DEFAULT_RULES);
    this.#context = o.context ?? (this.#rules.has('default') ? 'default' : (this.#rules.contexts()[0] ?? ''));
    this.#table = this.#rules.table(this.#context);
    this.predictor = o.predict === false ? null : new ClassPredictor();
    this.#onWarm = o.onWarm;
    this.#onError =
      o.onError ??
      ((e) =>
        queueMicrotask(() => {
          throw e;
        }));
    const stats: LevelStats[] = [];
    for (let l = 0; l < LEVEL_COUNT; l++) stats.push(newStats());
    // Per level, the tasks that can still meet their deadline, then (LEVEL_COUNT + level) those that cannot.
    for (let h = 0; h < 2 * LEVEL_COUNT; h++) this.#heaps.push(new DeadlineHeap<TaskRecord>());
    this.stats = stats;
    for (let i = 0; i < (o.capacity ?? 256); i++) this.#free.push(this.#newRecord());
    this.hostKind = o.host ?? 'manual';
    if (o.host === undefined) {
      this.#poster = createHostPoster(() => this.#onHostTurn());
      this.hostKind = this.#poster.kind;
    } else this.#poster = o.host === 'manual' ? null : createHostPoster(() => this.#onHostTurn(), o.host);
  }

  /** The current context. */
  get context(): string {
    return this.#context;
  }

  /**
   * Switches context; queued tasks move to their new levels before the next dispatch and new tasks
   * take them at once. Throws E_ARGUMENT for a context the rules do not name.
   */
  setContext(name: string): void {
    this.#table = this.#rules.table(name);
    this.#context = name;
    this.#relevel = true;
  }

  /** The level a task with these options would be queued at now. */
  levelFor(o: TaskOptions | undefined): Level {
    let level: Level = o?.level === undefined ? Level.NORMAL : toLevel(o.level);
    const cls = o?.class;
    if (cls !== undefined) {
      const ruled = this.#table.get(cls);
      if (ruled !== undefined) level = ruled;
    }
    return level;
  }

  /** Tasks queued (not counting async tasks in flight). */
  get queued(): number {
    return this.#queued;
  }

  /** Queued tasks at one level. */
  queuedAt(level: LevelLike): number {
    const l = toLevel(level);
    return this.#heaps[l]!.size + this.#heaps[LEVEL_COUNT + l]!.size;
  }

  /** Slices run and tasks dispatched since creation. */
  get counters(): { slices: number; dispatched: number } {
    return { slices: this.#slices, dispatched: this.#dispatched };
  }

  /**
   * Queues `fn`. `cb(error, value)` hears how it ended: its value, what it threw or rejected with,
   * the signal's reason when cancelled, or an E_DEADLINE FramekitError when shed. Without `cb`,
   * errors go to `onError`. Allocation-free with a reused options object and callback.
   */
  schedule<T>(fn: TaskFn<T>, o?: TaskOptions, cb?: TaskCallback<T>): void {
    const r = this.#enqueue(fn as TaskFn<unknown>, o);
    if (r) r.cb = (cb as TaskCallback<unknown> | undefined) ?? null;
    else if (cb) cb(o!.signal!.reason, undefined);
  }

  /** Queues `fn` and returns a promise of its value (rejected as `schedule` reports). Allocates the promise. */
  post<T>(fn: TaskFn<T>, o?: TaskOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const r = this.#enqueue(fn as TaskFn<unknown>, o);
      if (!r) return reject(o!.signal!.reason);
      r.resolve = resolve as (v: unknown) => void;
      r.reject = reject;
    });
  }

  #enqueue(fn: TaskFn<unknown>, o: TaskOptions | undefined): TaskRecord | null {
    if (typeof fn !== 'function') throw new FramekitError('E_ARGUMENT', 'scheduler: a task must be a function');
    let level = this.levelFor(o);
    const signal = o?.signal;
    this.stats[level]!.posted++;
    if (signal?.aborted) {
      this.stats[level]!.cancelled++;
      return null;
    }
    const t = this.now();
    const cls = o?.class;
    let clsId = -1;
    if (cls !== undefined && this.predictor) {
      clsId = this.predictor.classId(cls);
      const before = this.predictor.guess;
      // The guess made before this task arrived is what promoted it; score it, then guess again.
      if (clsId >= 0 && clsId === before && level > this.agingCeiling) {
        level = (level - 1) as Level;
        this.stats[level]!.promoted++;
      }
      const after = this.predictor.observe(clsId);
      if (after !== before && after >= 0 && this.#onWarm) this.#warm(this.predictor.className(after)!);
    }
    const r = this.#free.pop() ?? this.#newRecord();
    r.fn = fn;
    r.cls = cls ?? null;
    r.base = r.level = level;
    r.deadline = o?.deadline ?? (o?.deadlineMs !== undefined ? t + o.deadlineMs : NO_DEADLINE);
    r.droppable = o?.droppable === true;
    r.enqueuedAt = t;
    r.seq = this.#seq++;
    r.signal = signal;
    if (signal) signal.addEventListener('abort', r.onAbort, ONCE);
    r.state = TaskState.QUEUED;
    this.#heaps[level]!.push(r);
    this.#queued++;
    this.#request();
    return r;
  }

  /** Task records made so far: flat in steady state (records are reused), grows only past the busiest moment so far. */
  get recordsMade(): number {
    return this.#made;
  }

  #newRecord(): TaskRecord {
    this.#made++;
    return new TaskRecord(this);
  }

  #warm(cls: string): void {
    try {
      this.#onWarm!(cls);
    } catch (e) {
      this.#onError(e);
    }
  }

  #request(): void {
    if (this.#posted || !this.#poster || this.#inSlice) return;
    this.#posted = true;
    let top = 0;
    while (top < LEVEL_COUNT - 1 && this.#heaps[top]!.size + this.#heaps[LEVEL_COUNT + top]!.size === 0) top++;
    this.#poster.post(HOST_PRIORITY[top]!);
  }

  #onHostTurn(): void {
    this.#posted = false;
    this.runSlice();
  }

  /**
   * Runs queued tasks, most urgent first, for up to `budgetMs`; then, if work is left and a host
   * poster is set, asks the host for the next turn. Returns the number of tasks dispatched. Called
   * from inside a task it does nothing.
   */
  runSlice(budgetMs = this.budgetMs): number {
    if (this.#inSlice) return 0;
    this.#inSlice = true;
    let n = 0;
    try {
      let t = this.now();
      const end = t + budgetMs;
      if (this.#relevel) this.#relevelAll();
      // Housekeeping is bounded, so that it never holds up CRITICAL work for long: expired tasks are
      // taken off the heap tops (shed, or set behind their level) for at most a quarter of the slice;
      // whatever is left is taken in the next slices or when picked.
      this.#expire(t, t + budgetMs / 4);
      if (this.agingMs > 0 && t - this.#lastSweep >= this.agingMs / 2) this.#age(t);
      for (;;) {
        const r = this.#pick(t);
        if (!r) break;
        n++;
        this.#run(r, end);
        t = this.now();
        if (t >= end) break;
      }
    } finally {
      this.#inSlice = false;
      this.#slices++;
      this.#dispatched += n;
    }
    if (this.#queued > 0) this.#request();
    return n;
  }

  /**
   * Pops the most urgent task: by level; within a level, earliest deadline first among the tasks
   * that can still meet theirs, then those whose deadline passed while they waited (oldest deadline
   * first), then those with no deadline. A task already late has missed; running it ahead of one that can still make it would
   * make that one miss too (the domino effect of plain EDF under overload). Expired droppable
   * tasks met on the way are shed.
   */
  #pick(t: number): TaskRecord | null {
    for (let l = 0; l < LEVEL_COUNT; l++) {
      const h = this.#heaps[l]!;
      while (h.size > 0 && h.peek()!.deadline < t) this.#expireTop(h, h.peek()!);
      const top = h.peek();
      const late = this.#heaps[LEVEL_COUNT + l]!;
      // A late task still goes ahead of work with no deadline at all.
      if (top && (top.deadline !== NO_DEADLINE || late.size === 0)) {
        h.pop();
        this.#queued--;
        return top;
      }
      if (late.size > 0) {
        const r = late.pop()!;
        r.late = false;
        this.#queued--;
        return r;
      }
    }
    return null;
  }

  /** `r`, the top of on-time heap `h`, is past its deadline: shed it (droppable) or set it behind its level's on-time tasks. */
  #expireTop(h: DeadlineHeap<TaskRecord>, r: TaskRecord): void {
    h.pop();
    if (r.droppable) {
      this.#queued--;
      this.#shed(r);
      return;
    }
    r.late = true;
    this.#heaps[LEVEL_COUNT + r.level]!.push(r);
  }

  /**
   * Takes the tasks whose deadline passed off the tops of the on-time heaps (a heap orders by
   * deadline, so they are exactly its top items), until `until` on the clock (checked every 32).
   */
  #expire(t: number, until: number): void {
    let n = 0;
    for (let l = LEVEL_COUNT - 1; l >= 0; l--) {
      const h = this.#heaps[l]!;
      while (h.size > 0 && h.peek()!.deadline < t) {
        this.#expireTop(h, h.peek()!);
        if ((++n & 31) === 0 && this.now() >= until) return;
      }
    }
  }

  #run(r: TaskRecord, end: number): void {
    r.state = TaskState.RUNNING;
    if (r.iter === null) {
      let v: unknown;
      try {
        v = r.fn!(r.signal);
      } catch (e) {
        return this.#fail(r, e);
      }
      if (v === null || typeof v !== 'object' || r.aborted) return this.#finish(r, v);
      if (typeof (v as PromiseLike<unknown>).then === 'function') {
        r.state = TaskState.ASYNC;
        (v as PromiseLike<unknown>).then(r.onOk, r.onErr);
        return;
      }
      if (!isIterator(v)) return this.#finish(r, v);
      r.iter = v;
    }
    const it = r.iter;
    for (;;) {
      let res: IteratorResult<unknown, unknown>;
      try {
        res = it.next();
      } catch (e) {
        return this.#fail(r, e);
      }
      if (res.done) return this.#finish(r, res.value);
      if (r.aborted) return this.#cancel(r);
      if (this.now() >= end) {
        // Parked with its deadline and seq: it resumes ahead of later work at its level.
        r.state = TaskState.QUEUED;
        r.late = false;
        this.#heaps[r.level]!.push(r);
        this.#queued++;
        return;
      }
    }
  }

  /** @internal TaskRecord's abort listener. */
  _abort(r: TaskRecord): void {
    switch (r.state) {
      case TaskState.QUEUED:
        this.#heapOf(r).remove(r);
        this.#queued--;
        return this.#cancel(r);
      case TaskState.RUNNING:
        r.aborted = true; // the step loop or #run ends it
        return;
      case TaskState.ASYNC:
        // The owner hears now; the record waits for the promise to settle before it is reused.
        r.state = TaskState.ORPHANED;
        return this.#cancel(r);
    }
  }

  /** @internal TaskRecord's promise handlers. */
  _settled(r: TaskRecord, error: unknown, value: unknown, failed: boolean): void {
    if (r.state === TaskState.ORPHANED) return this.#release(r);
    if (failed) this.#fail(r, error);
    else this.#finish(r, value);
  }

  #finish(r: TaskRecord, value: unknown): void {
    if (r.aborted) return this.#cancel(r);
    const s = this.stats[r.base]!;
    s.completed++;
    if (this.now() <= r.deadline) s.met++;
    else s.missed++;
    this.#report(r, undefined, value, false);
  }

  #fail(r: TaskRecord, e: unknown): void {
    this.stats[r.base]!.failed++;
    this.#report(r, e, undefined, true);
  }

  #shed(r: TaskRecord): void {
    this.stats[r.base]!.dropped++;
    this.#closeIter(r);
    this.#report(r, this.#dropError, undefined, true);
  }

  #cancel(r: TaskRecord): void {
    this.stats[r.base]!.cancelled++;
    this.#closeIter(r);
    this.#report(r, r.signal?.reason, undefined, true);
  }

  #closeIter(r: TaskRecord): void {
    try {
      r.iter?.return?.();
    } catch (e) {
      this.#onError(e);
    }
  }

  /** Tells the owner, then (unless the record still waits on a promise) returns the record to the pool. */
  #report(r: TaskRecord, error: unknown, value: unknown, failed: boolean): void {
    r.signal?.removeEventListener('abort', r.onAbort);
    const { cb, resolve, reject } = r;
    if (r.state === TaskState.ORPHANED) {
      r.cb = null;
      r.resolve = r.reject = null;
    } else this.#release(r);
    try {
      if (cb) cb(failed ? error : undefined, failed ? undefined : value);
      else if (failed && reject) reject(error);
      else if (!failed && resolve) resolve(value);
      else if (failed && error !== this.#dropError) this.#onError(error);
    } catch (e) {
      this.#onError(e);
    }
  }

  #release(r: TaskRecord): void {
    r.reset();
    this.#free.push(r);
  }

  #heapOf(r: TaskRecord): DeadlineHeap<TaskRecord> {
    return this.#heaps[r.late ? LEVEL_COUNT + r.level : r.level]!;
  }

  /** Moves queued tasks with a class to the levels the current context gives them. */
  #relevelAll(): void {
    this.#relevel = false;
    const moved = this.#scratch;
    for (const h of this.#heaps)
      for (let i = 0; i < h.size; i++) {
        const r = h.items[i]!;
        if (r.cls === null) continue;
        const l = this.#table.get(r.cls);
        if (l !== undefined && l !== r.level) moved.push(r);
      }
    for (const r of moved) {
      this.#heapOf(r).remove(r);
      r.base = r.level = this.#table.get(r.cls!)!;
      this.#heapOf(r).push(r);
    }
    moved.length = 0;
  }

  /** Aging: lifts tasks that waited `agingMs` per level above their own (up to `agingCeiling`). */
  #age(t: number): void {
    this.#lastSweep = t;
    const work = this.#scratch;
    for (let l = this.agingCeiling + 1; l < LEVEL_COUNT; l++) {
      for (let k = l; k < 2 * LEVEL_COUNT; k += LEVEL_COUNT) {
        const h = this.#heaps[k]!;
        for (let i = 0; i < h.size; i++) {
          const r = h.items[i]!;
          if (t - r.enqueuedAt >= this.agingMs * (r.base - l + 1)) work.push(r);
        }
        for (const r of work) {
          h.remove(r);
          r.level = (l - 1) as Level;
          this.stats[r.base]!.promoted++;
          this.#heapOf(r).push(r);
        }
        work.length = 0;
      }
    }
  }

  /** Totals and per-level counters by level name, plus queue depths. Allocates: for reports. */
  snapshot(): {
    context: string;
    host: string;
    slices: number;
    dispatched: number;
    queued: Record<LevelName, number>;
    levels: Record<LevelName, LevelStats>;
  } {
    const queued = {} as Record<LevelName, number>;
    const levels = {} as Record<LevelName, LevelStats>;
    LEVEL_NAMES.forEach((name, l) => {
      queued[name] = this.#heaps[l]!.size + this.#heaps[LEVEL_COUNT + l]!.size;
      levels[name] = { ...this.stats[l]! };
    });
    return { context: this.#context, host: this.hostKind, slices: this.#slices, dispatched: this.#dispatched, queued, levels };
  }
}

const ONCE = { once: true } as const;
