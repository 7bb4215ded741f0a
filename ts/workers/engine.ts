import type { KernelContext } from '../core/context.js';
import { FramekitError } from '../errors.js';
import type { Region } from '../memory/arena.js';
import { CTL, CTL_BYTES, CTL_INTS, JOB_DATA_OFFSET, MAX_WORKERS, Q_CURRENT, Q_END, Q_EXIT_SEQ, Q_NEXT, queueBase } from './control.js';
import { STRIPE_KERNELS, type StripeContext } from './kernels.js';
import { runStripe, runStripes } from './runner.js';

/** What the engine needs to know of a worker thread (ts/workers/threads.ts owns them). */
export interface ThreadSlot {
  readonly index: number;
  ready: boolean;
}

interface Job {
  seq: number;
  resolve: () => void;
  reject: (e: unknown) => void;
  finished: boolean;
}

/**
 * The job engine: the control block in the arena, one job at a time (queued), each split into row
 * stripes that the workers (and, in the fallback or after a crash, the calling thread) claim through
 * Atomics; the per-thread scratch and the stripe output area, grow-only. Knows nothing of threads
 * beyond which are ready, and nothing of kernels beyond the stripe table.
 */
export class JobEngine {
  readonly ctx: KernelContext;
  readonly ctlRegion: Region;
  readonly ctl: Int32Array;
  /** The calling thread's stripe context; null without WASM (then no job can run). */
  readonly main: StripeContext | null;
  readonly #slots: readonly ThreadSlot[];
  readonly #stripesPerWorker: number;
  #scratch: Region[] = [];
  #scratchBytes = 0;
  #segments: Region | null = null;
  #chain: Promise<void> = Promise.resolve();
  #job: Job | null = null;
  #closed = false;
  jobs = 0;
  reruns = 0;

  constructor(ctx: KernelContext, slots: readonly ThreadSlot[], stripesPerWorker: number) {
    this.ctx = ctx;
    this.#slots = slots;
    this.#stripesPerWorker = stripesPerWorker;
    this.ctlRegion = ctx.arena.alloc(CTL_BYTES, 'worker pool control block');
    this.ctl = new Int32Array(ctx.memory.buffer, this.ctlRegion.ptr, CTL_INTS);
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

  /** Runs `job` after every job before it; a failed job does not stop later ones. */
  chained(job: () => Promise<void>): Promise<void> {
    if (this.#closed) return Promise.reject(new FramekitError('E_STATE', 'worker pool: disposed'));
    const p = this.#chain.then(job);
    this.#chain = p.catch(() => undefined);
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
    ctl[CTL.EXITED] = 0;
    for (let w = 0; w < queues; w++) {
      const q = queueBase(w);
      ctl[q + Q_NEXT] = Math.floor((w * used) / queues);
      ctl[q + Q_END] = Math.floor(((w + 1) * used) / queues);
      ctl[q + Q_CURRENT] = -1;
    }
    if (n === 0) {
      // Fallback: the same stripes, in order, on this thread.
      runStripes(this.main!, -1);
      return Promise.resolve();
    }
    const seq = ctl[CTL.SEQ]! + 1;
    let participants = 0;
    for (const s of this.#slots) {
      if (s.ready) participants++;
      ctl[queueBase(s.index) + Q_EXIT_SEQ] = s.ready ? seq - 1 : seq;
    }
    ctl[CTL.PARTICIPANTS] = participants;
    return new Promise<void>((resolve, reject) => {
      this.#job = { seq, resolve, reject, finished: false };
      Atomics.store(ctl, CTL.SEQ, seq);
      Atomics.notify(ctl, CTL.SEQ);
      // No worker ready (all being replaced): run it here rather than wait.
      if (participants === 0) this.#drainOnMain(this.#job);
    });
  }

  /** A worker reported job `seq` done. */
  done(seq: number): void {
    if (this.#job && this.#job.seq === seq) this.#finish(this.#job);
  }

  /** Worker `index` failed: its stripe (if it held one) and whatever is unclaimed run here. */
  recover(index: number): void {
    const ctl = this.ctl;
    const job = this.#job;
    const q = queueBase(index);
    if (!job || job.finished || Atomics.load(ctl, q + Q_EXIT_SEQ) === job.seq) return;
    const stripe = Atomics.exchange(ctl, q + Q_CURRENT, -1);
    try {
      if (stripe >= 0) {
        runStripe(this.main!, STRIPE_KERNELS[ctl[CTL.KERNEL]!]!, stripe, ctl[CTL.ROWS]!, ctl[CTL.HEIGHT]!);
        Atomics.add(ctl, CTL.DONE, 1);
        this.reruns++;
      }
      this.reruns += runStripes(this.main!, -1);
    } catch (e) {
      this.#finish(job, e);
    }
    Atomics.store(ctl, q + Q_EXIT_SEQ, job.seq);
    if (Atomics.add(ctl, CTL.EXITED, 1) + 1 >= Atomics.load(ctl, CTL.PARTICIPANTS)) this.#finish(job);
  }

  #finish(job: Job, error?: unknown): void {
    if (job.finished) return;
    job.finished = true;
    if (this.#job === job) this.#job = null;
    if (error === undefined) job.resolve();
    else job.reject(error);
  }

  /** Runs every unclaimed stripe of `job` on this thread, then finishes it. */
  #drainOnMain(job: Job): void {
    try {
      this.reruns += runStripes(this.main!, -1);
      this.#finish(job);
    } catch (e) {
      this.#finish(job, e);
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
