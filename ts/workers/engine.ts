import type { KernelContext } from '../core/context.js';
import { FramekitError } from '../errors.js';
import type { Region } from '../memory/arena.js';
import {
  CTL,
  CTL_BYTES,
  CTL_INTS,
  JOB_DATA_OFFSET,
  MAX_WORKERS,
  Q_END,
  Q_NEXT,
  queueBase,
  STRIPE_DONE,
  STRIPE_FLAGS_OFFSET,
  STRIPE_STARTED,
} from './control.js';
import type { StripeContext } from './kernels.js';
import { runStripes } from './runner.js';

/** What the engine needs to know of a worker thread (ts/workers/threads.ts owns them). */
export interface ThreadSlot {
  readonly index: number;
  ready: boolean;
}

interface Job {
  /** The job number of the current round (the first run of the stripes, then each retry). */
  seq: number;
  /** Stripes in the job. */
  stripes: number;
  /** Failed runs per stripe; made on the first failure. */
  failures: Uint8Array | null;
  resolve: () => void;
  reject: (e: unknown) => void;
  finished: boolean;
}

/**
 * The job engine: the control block in the arena, one job at a time (queued), each split into row
 * stripes that the workers (and, in the fallback or when no worker is ready, the calling thread)
 * claim through Atomics; the per-thread scratch and the stripe output area, grow-only. Knows nothing
 * of threads beyond which are ready, and nothing of kernels beyond the stripe table.
 *
 * A job runs in rounds. Once every worker taking part in a round is out of it (finished, or dead and
 * counted out by `recover`), the stripes without their done flag (a dead worker's, half written or
 * not begun) run again in a retry round on the workers ready then: every stripe writes only its own
 * output, so a re-run gives the bytes an unbroken run gives. A stripe that fails `retries` times more
 * rejects the job with E_WORKER instead of killing workers forever.
 */
export class JobEngine {
  readonly ctx: KernelContext;
  readonly ctlRegion: Region;
  readonly ctl: Int32Array;
  /** The calling thread's stripe context; null without WASM (then no job can run). */
  readonly main: StripeContext | null;
  readonly #slots: readonly ThreadSlot[];
  readonly #stripesPerWorker: number;
  readonly #retries: number;
  readonly #flags: Uint8Array;
  #scratch: Region[] = [];
  #scratchBytes = 0;
  #segments: Region | null = null;
  #chain: Promise<void> = Promise.resolve();
  /** Jobs handed to `chained` and not yet settled. */
  #queued = 0;
  #job: Job | null = null;
  #closed = false;
  jobs = 0;
  /** Stripes run again after the thread running them failed. */
  reruns = 0;
  /** Retry rounds started. */
  retryRounds = 0;
  /** Jobs refused because a stripe failed on every retry. */
  failedJobs = 0;

  constructor(ctx: KernelContext, slots: readonly ThreadSlot[], stripesPerWorker: number, retries = 2) {
    this.ctx = ctx;
    this.#slots = slots;
    this.#stripesPerWorker = stripesPerWorker;
    this.#retries = retries;
    this.ctlRegion = ctx.arena.alloc(CTL_BYTES, 'worker pool control block');
    this.ctl = new Int32Array(ctx.memory.buffer, this.ctlRegion.ptr, CTL_INTS);
    this.#flags = new Uint8Array(ctx.memory.buffer, this.ctlRegion.ptr + STRIPE_FLAGS_OFFSET, CTL_BYTES - STRIPE_FLAGS_OFFSET);
    this.ctl.fill(0);
    this.ctl[CTL.FAULT] = -1;
    this.main = ctx.wasm
      ? {
          wasm: ctx.wasm,
          heap: ctx.heap,
          f32: new Float32Array(ctx.memory.buffer),
          i32: ctx.heap32,
          ctl: this.ctl,
          scratchSlot: CTL.SCRATCH + 2 * MAX_WORKERS,
        }
      : null;
  }

  /** Where a job may pass data by pointer (JOB_DATA_BYTES): a blur's weights, LK's level table. */
  get jobData(): number {
    return this.ctlRegion.ptr + JOB_DATA_OFFSET;
  }

  /** The calling thread's scratch (for a kernel it runs itself after a job). */
  get mainScratch(): number {
    return this.#scratch.at(-1)!.ptr;
  }

  /**
   * Runs `job` after every job before it; a failed job does not stop later ones. With none pending,
   * `job` starts now, in this call, so the workers are already at it while the caller goes on with
   * synchronous work (a job started from a promise callback would wait until that work is done).
   */
  chained(job: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.reject(new FramekitError('E_STATE', 'worker pool: disposed'));
    let p: Promise<void>;
    if (this.#queued === 0) {
      try {
        p = job();
      } catch (e) {
        p = Promise.reject(e);
      }
    } else p = this.#chain.then(job);
    this.#queued++;
    const settled = () => {
      this.#queued--;
    };
    // Registered before the caller's own callbacks, so the count is down before they run.
    this.#chain = p.then(settled, settled);
    return p;
  }

  /** Resolves once every queued job has settled; later jobs are refused. */
  close(): Promise<void> {
    this.#closed = true;
    return this.#chain;
  }

  /** Rows per stripe for a job of `height` rows, as `start` splits it. */
  rowsPerStripe(height: number): number {
    return Math.ceil(height / Math.min(height, Math.max(1, this.#slots.length) * this.#stripesPerWorker));
  }

  /**
   * Makes every thread's scratch (the calling thread's included) at least `bytes`. Jobs run one at a
   * time and workers read their scratch pointer per stripe, so regions can be swapped between jobs.
   */
  ensureScratch(bytes: number): void {
    if (bytes <= this.#scratchBytes) return;
    const arena = this.ctx.arena;
    const n = this.#slots.length;
    const fresh: Region[] = [];
    for (let p = 0; p <= n; p++) fresh.push(arena.alloc(bytes, `worker pool scratch ${p === n ? 'main' : p}`));
    for (const r of this.#scratch) arena.free(r);
    this.#scratch = fresh;
    this.#scratchBytes = bytes;
    fresh.forEach((r, p) => {
      const slot = CTL.SCRATCH + 2 * (p === n ? MAX_WORKERS : p);
      this.ctl[slot] = r.ptr;
      this.ctl[slot + 1] = r.size;
    });
  }

  /** The stripe output area, at least `bytes` (grow-only). */
  ensureSegments(bytes: number): number {
    if (this.#segments && this.#segments.size >= bytes) return this.#segments.ptr;
    const next = this.ctx.arena.alloc(bytes, 'worker pool stripe outputs');
    if (this.#segments) this.ctx.arena.free(this.#segments);
    this.#segments = next;
    return next.ptr;
  }

  /** Starts stripe kernel `kernel` over `height` rows with checked `args`; resolves when every stripe ran. */
  start(kernel: number, height: number, args: readonly number[]): Promise<void> {
    const ctl = this.ctl;
    this.jobs++;
    ctl[CTL.KERNEL] = kernel;
    ctl[CTL.HEIGHT] = height;
    for (let i = 0; i < args.length; i++) ctl[CTL.ARGS + i] = args[i]!;
    const n = this.#slots.length;
    const queues = Math.max(1, n);
    const rows = this.rowsPerStripe(height);
    const used = Math.ceil(height / rows);
    ctl[CTL.ROWS] = rows;
    ctl[CTL.STRIPES] = used;
    ctl[CTL.WORKERS] = queues;
    ctl[CTL.DONE] = 0;
    this.#flags.fill(0, 0, used);
    for (let w = 0; w < queues; w++) {
      const q = queueBase(w);
      ctl[q + Q_NEXT] = Math.floor((w * used) / queues);
      ctl[q + Q_END] = Math.floor(((w + 1) * used) / queues);
    }
    if (n === 0) {
      // Fallback: the same stripes, in order, on this thread.
      const e = this.#runOnMain();
      if (e) this.failedJobs++;
      return e ? Promise.reject(e) : Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.#job = { seq: 0, stripes: used, failures: null, resolve, reject, finished: false };
      this.#launch(this.#job);
    });
  }

  /** Starts a round of `job` (the queues are set) on the workers ready now, or runs it here when none is. */
  #launch(job: Job): void {
    const ctl = this.ctl;
    let mask = 0;
    for (const s of this.#slots) if (s.ready) mask |= 1 << s.index;
    job.seq = ctl[CTL.SEQ]! + 1;
    Atomics.store(ctl, CTL.EXITED, 0);
    Atomics.store(ctl, CTL.PARTICIPANTS, mask);
    Atomics.store(ctl, CTL.SEQ, job.seq);
    Atomics.notify(ctl, CTL.SEQ);
    // No worker ready (all being replaced): run the round here rather than wait.
    if (mask === 0) this.#drainOnMain(job);
  }

  /** A worker reported round `seq` over (every worker taking part is out of it). */
  done(seq: number): void {
    const job = this.#job;
    if (job && job.seq === seq) this.#roundOver(job);
  }

  /**
   * Worker `index` died (killed, or it threw): it is counted out of the current round, which may end
   * the round; its stripe, which has no done flag, runs again in the retry round.
   */
  recover(index: number): void {
    const job = this.#job;
    if (!job || job.finished) return;
    const ctl = this.ctl;
    const bit = 1 << index;
    const mask = Atomics.load(ctl, CTL.PARTICIPANTS);
    if ((mask & bit) === 0) return;
    if ((Atomics.or(ctl, CTL.EXITED, bit) | bit) === mask) this.#roundOver(job);
  }

  /**
   * Every worker of the round is out: finishes the job when every stripe has its done flag, else
   * starts a retry round of the stripes without one (at most one per queue; the rest in the next
   * round), or refuses the job once a stripe has failed more than `retries` times.
   */
  #roundOver(job: Job): void {
    if (job.finished) return;
    const ctl = this.ctl;
    const flags = this.#flags;
    let missing = 0;
    for (let s = 0; s < job.stripes; s++) {
      const f = Atomics.load(flags, s);
      if (f === STRIPE_DONE) continue;
      if (f === STRIPE_STARTED) {
        job.failures ??= new Uint8Array(job.stripes);
        if (++job.failures[s]! > this.#retries) {
          this.failedJobs++;
          const why = `stripe ${s} of ${job.stripes} failed ${job.failures[s]!} times (a worker died running it each time)`;
          return this.#finish(
            job,
            new FramekitError('E_WORKER', `worker pool: ${why}; the job is refused`, { stripe: s, failures: job.failures[s] }),
          );
        }
      }
      flags[s] = 0;
      if (missing < MAX_WORKERS) {
        const q = queueBase(missing++);
        ctl[q + Q_NEXT] = s;
        ctl[q + Q_END] = s + 1;
        this.reruns++;
      }
    }
    if (missing === 0) return this.#finish(job);
    ctl[CTL.WORKERS] = Math.max(missing, this.#slots.length);
    for (let w = missing; w < ctl[CTL.WORKERS]!; w++) ctl[queueBase(w) + Q_END] = ctl[queueBase(w) + Q_NEXT]!;
    this.retryRounds++;
    this.#launch(job);
  }

  #finish(job: Job, error?: unknown): void {
    if (job.finished) return;
    job.finished = true;
    if (this.#job === job) this.#job = null;
    if (error === undefined) job.resolve();
    else job.reject(error);
  }

  /**
   * Runs every unclaimed stripe of the round on this thread, then ends the round. A stripe that
   * fails here (a trap) refuses the job; the Rust stack pointer, which a trap leaves where it was,
   * is put back.
   */
  #drainOnMain(job: Job): void {
    const e = this.#runOnMain();
    if (!e) return this.#roundOver(job);
    this.failedJobs++;
    this.#finish(job, e);
  }

  /** Claims and runs stripes on this thread; a failure comes back as E_WORKER, with the Rust stack pointer put back. */
  #runOnMain(): FramekitError | null {
    const sp = this.main!.wasm.features.__stack_pointer;
    const top = sp?.value;
    try {
      runStripes(this.main!, -1);
      return null;
    } catch (e) {
      if (sp && top !== undefined) sp.value = top;
      return stripeFailed(e, 'the calling thread');
    }
  }

  /** Returns the control block, scratch and stripe outputs to the arena (after `close()`). */
  free(): void {
    const arena = this.ctx.arena;
    for (const r of this.#scratch) arena.free(r);
    if (this.#segments) arena.free(this.#segments);
    arena.free(this.ctlRegion);
  }
}

function stripeFailed(e: unknown, where: string): FramekitError {
  const why = String((e as Error)?.message ?? e);
  return new FramekitError('E_WORKER', `worker pool: a stripe failed on ${where}: ${why}`, { cause: why });
}
