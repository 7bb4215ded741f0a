import { contextOf, type ContextSource, type KernelContext } from '../core/context.js';
import { FramekitError } from '../errors.js';
import type { PlaneLike } from '../image/plane.js';
import type { Keypoints } from '../features/keypoints.js';
import type { FlowPoints } from '../features/flow-points.js';
import type { FastOptions } from '../kernels/fast/api.js';
import type { FlowOptions } from '../kernels/lk/api.js';
import type { FlowPyramid } from '../kernels/lk/pyramid.js';
import { CTL, FAULT_STALL, FAULT_THROW, MAX_ARGS, MAX_WORKERS } from './control.js';
import { JobEngine } from './engine.js';
import { STRIPE_KERNEL_IDS, type StripeKernelName } from './kernels.js';
import { Threads, type Slot } from './threads.js';
import { grayJob } from './gray/job.js';
import { gaussianJob } from './blur/job.js';
import { fastJob } from './fast/job.js';
import { flowJob } from './lk/job.js';
import { warpPerspectiveJob } from './warp/job.js';
import type { WarpOptions } from '../kernels/warp/api.js';

export interface WorkerPoolOptions {
  /** Worker threads (default: hardware concurrency, at most 16). */
  workers?: number;
  /** Stripes per worker per job: more gives stealing room to even out, fewer costs fewer claims (default 4). */
  stripesPerWorker?: number;
  /**
   * Scratch bytes reserved in the arena per thread (workers and the calling thread) at creation, for
   * kernels that need it (blur). Default 0: the first job that needs more reserves it then (allocates,
   * once per new largest need); size it here to keep the frame loop free of arena calls.
   */
  scratchBytes?: number;
  /**
   * Times a stripe is run again after the worker running it died (killed, or it threw) before the
   * job is refused with E_WORKER: a worker that fails on every try (a poisoned input) is not
   * replaced forever (default 2).
   */
  retries?: number;
  /** Where the pool says why it runs on one thread (default console.warn). */
  log?: (line: string) => void;
}

export interface WorkerPoolInfo {
  /** 'workers': stripes run on worker threads; 'main-thread': the fallback, on the calling thread. */
  mode: 'workers' | 'main-thread';
  /** Why the pool fell back to one thread (null when it did not). */
  reason: string | null;
  workers: number;
  /** Workers started and waiting for jobs (fewer than `workers` while a replacement starts). */
  ready: number;
  jobs: number;
  /** Stripes a worker took from another's queue. */
  steals: number;
  /** Workers that failed and were replaced. */
  crashes: number;
  /** Stripes run again after the thread running them died, in retry rounds (on the workers ready then, else the calling thread). */
  reruns: number;
  /** Retry rounds started. */
  retryRounds: number;
  /** Jobs refused with E_WORKER: a stripe failed more than `retries` times. */
  failedJobs: number;
  /** What the last failed worker reported. */
  lastCrash: string | null;
}

/** Why shared memory is not available here, or null when it is. */
export function sharedMemoryUnavailable(src: ContextSource): string | null {
  const ctx = contextOf(src);
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (g.crossOriginIsolated === false)
    return 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';
  if (typeof g.SharedArrayBuffer !== 'function') return 'this runtime has no SharedArrayBuffer';
  if (!(ctx.memory.buffer instanceof SharedArrayBuffer)) return 'the memory is not shared (create framekit with { shared: true })';
  if (!ctx.wasm) return 'no WebAssembly modules are loaded (backend "reference")';
  return null;
}

/**
 * Worker threads that run kernels on framekit's one shared memory, split into row stripes: no pixel
 * is copied to or from a worker. Jobs run one at a time; a job's stripes are claimed through Atomics
 * in a control block in the arena, with work stealing. A worker that dies mid-stripe (terminated, or
 * throwing) is replaced by a fresh one and its stripe re-run on the workers ready (the calling thread
 * when none is), so the output is the bytes of a run with no fault; a stripe that fails on every
 * retry (`retries`) refuses the job with E_WORKER. Where shared memory is unavailable the pool runs the same stripes on the
 * calling thread and says why (`info().reason`).
 *
 * Allocates at creation (threads, the control block, a Rust stack per worker) and, grow-only, the
 * first time a job needs more scratch or stripe output space; a job itself allocates a promise, its
 * argument list and one message from the last worker out (tens of bytes against milliseconds of
 * kernel work; no pixel, no per-stripe message). Call `dispose()` when done: live workers keep Node
 * and Bun running.
 *
 * `framekit bench --kernel workers` measures 1 against 2 workers at 1080p (blur 5x5 and 15x15, FAST-9);
 * bench/results/cpu-epyc-2core.md gives the figures.
 */
export class WorkerPool {
  /** The kernel context the pool runs on. */
  readonly context: KernelContext;
  readonly reason: string | null;
  readonly #threads: Threads;
  readonly #engine: JobEngine;
  #disposed = false;

  private constructor(ctx: KernelContext, o: WorkerPoolOptions, reason: string | null) {
    this.context = ctx;
    this.reason = reason;
    const n = reason ? 0 : Math.min(MAX_WORKERS, Math.max(1, o.workers ?? defaultWorkers()));
    const log = o.log ?? ((line: string) => console.warn(line));
    const slots: Slot[] = [];
    this.#engine = new JobEngine(ctx, slots, o.stripesPerWorker ?? 4, o.retries ?? 2);
    this.#threads = new Threads(ctx, this.#engine, slots, n, log);
    this.#engine.ensureScratch(o.scratchBytes ?? 0);
  }

  /**
   * Starts `workers` threads on the memory of `src` (a Framekit or its context) and waits until each
   * has instantiated the modules. Falls back to the calling thread (and logs why) where the memory is
   * not shared or the page is not cross-origin isolated.
   */
  static async create(src: ContextSource, o: WorkerPoolOptions = {}): Promise<WorkerPool> {
    const ctx = contextOf(src);
    if (o.workers !== undefined && (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > MAX_WORKERS)) {
      throw new FramekitError('E_ARGUMENT', `workers must be an integer from 1 to ${MAX_WORKERS}, got ${String(o.workers)}`);
    }
    const spw = o.stripesPerWorker ?? 4;
    if (!Number.isInteger(spw) || spw < 1 || spw > 64)
      throw new FramekitError('E_ARGUMENT', `stripesPerWorker must be 1..64, got ${String(spw)}`);
    const retries = o.retries ?? 2;
    if (!Number.isInteger(retries) || retries < 0 || retries > 16)
      throw new FramekitError('E_ARGUMENT', `retries must be an integer from 0 to 16, got ${String(o.retries)}`);
    const reason = sharedMemoryUnavailable(ctx);
    if (reason && !ctx.wasm) throw new FramekitError('E_STATE', `worker pool: ${reason}`);
    if (reason) (o.log ?? console.warn)(`framekit: worker pool runs on one thread: ${reason}`);
    const pool = new WorkerPool(ctx, o, reason);
    try {
      await pool.#threads.startAll();
    } catch (e) {
      await pool.dispose();
      throw e;
    }
    return pool;
  }

  /** Worker threads running (0 in the fallback). */
  get workers(): number {
    return this.#threads.slots.length;
  }

  info(): WorkerPoolInfo {
    const t = this.#threads;
    return {
      mode: t.slots.length > 0 ? 'workers' : 'main-thread',
      reason: this.reason,
      workers: t.slots.length,
      ready: t.ready,
      jobs: this.#engine.jobs,
      steals: Atomics.load(this.#engine.ctl, CTL.STEALS),
      crashes: t.crashes,
      reruns: this.#engine.reruns,
      retryRounds: this.#engine.retryRounds,
      failedJobs: this.#engine.failedJobs,
      lastCrash: t.lastCrash,
    };
  }

  /**
   * 8-bit luma of a colour plane (a gray one is copied), split across the workers: the same bytes as
   * `fk.gray()`, with its checks (ts/kernels/gray/api.ts) before any thread touches memory. Resolves to `dst`.
   */
  gray(dst: PlaneLike, src: PlaneLike): Promise<PlaneLike> {
    return grayJob(this.#engine, dst, src);
  }

  /**
   * Gaussian blur split across the workers, each stripe writing its own rows of `dst` (reading the
   * source rows around them, BORDER_REFLECT_101 only at the image's edges): the same bytes as
   * `fk.gaussianBlur()` (OpenCV's 8-bit GaussianBlur, BORDER_REFLECT_101), with the same arguments and
   * checks. The first call at a new largest width or kernel reserves scratch (see `scratchBytes`).
   * Resolves to `dst`.
   */
  gaussianBlur(dst: PlaneLike, src: PlaneLike, ksize = 5, sigma = 0, ksizeY = ksize, sigmaY = 0): Promise<PlaneLike> {
    return gaussianJob(this.#engine, dst, src, ksize, sigma, ksizeY, sigmaY);
  }

  /**
   * FAST-9 corners split across the workers, each stripe with 4 halo rows: the same keypoints, in the
   * same order, with the same responses and the same `count` and `found` as `fk.fast(out, src, o)`
   * (ts/kernels/fast/api.ts), with the same checks. The first call at a new largest size reserves
   * per-stripe output segments in the arena (grow-only). Resolves to `out`.
   */
  fast(out: Keypoints, src: PlaneLike, o: FastOptions = {}): Promise<Keypoints> {
    return fastJob(this.#engine, out, src, o);
  }

  /**
   * Pyramidal Lucas-Kanade split across the workers by points: the same `next`, `status` and `err`
   * as `fk.opticalFlow()` (every point descends the pyramid independently of the others), with the
   * same arguments and checks. Needs the WASM kernels (the pyramids carry no derivative images).
   * Resolves to `points`.
   */
  opticalFlow(points: FlowPoints, prev: FlowPyramid, next: FlowPyramid, o: FlowOptions = {}): Promise<FlowPoints> {
    return flowJob(this.#engine, points, prev, next, o);
  }

  /**
   * Bilinear warpPerspective split across the workers by destination rows: the same bytes as
   * `fk.warpPerspective(dst, src, M, o)` (ts/kernels/warp/api.ts), with the same arguments and
   * checks (made now, before any thread touches memory). With one worker, the warp runs beside
   * whatever the calling thread does meanwhile (a source rendering its next frame while the current
   * one is tracked). Resolves to `dst`.
   */
  warpPerspective(dst: PlaneLike, src: PlaneLike, M: ArrayLike<number>, o: WarpOptions = {}): Promise<PlaneLike> {
    return warpPerspectiveJob(this.#engine, dst, src, M, o);
  }

  /**
   * Runs stripe kernel `name` over `height` rows with `args` (see ts/workers/kernels.ts). The
   * arguments must already be checked: the kernels trust them. Jobs queue behind one another.
   */
  run(name: StripeKernelName, height: number, args: readonly number[]): Promise<void> {
    if (this.#disposed) return Promise.reject(new FramekitError('E_STATE', 'worker pool: disposed'));
    const id = STRIPE_KERNEL_IDS[name];
    if (id === undefined) throw new FramekitError('E_ARGUMENT', `worker pool: unknown kernel ${JSON.stringify(name)}`);
    if (args.length > MAX_ARGS) throw new FramekitError('E_ARGUMENT', `worker pool: at most ${MAX_ARGS} arguments`);
    return this.#engine.chained(() => this.#engine.start(id, height, args));
  }

  /**
   * @internal Fault tests: the worker that claims `stripe` of the next job fails on it: 'throw' as it
   * starts it; 'stall' writes half its rows and waits (see `_stalled`) to be killed mid-stripe.
   */
  _injectFault(stripe: number, mode: 'throw' | 'stall' = 'throw'): void {
    const ctl = this.#engine.ctl;
    Atomics.store(ctl, CTL.STALLED, 0);
    Atomics.store(ctl, CTL.FAULT_MODE, mode === 'stall' ? FAULT_STALL : FAULT_THROW);
    Atomics.store(ctl, CTL.FAULT, stripe);
  }

  /** @internal Fault tests: the worker stalled mid-stripe by `_injectFault(s, 'stall')`, or -1. */
  _stalled(): number {
    return Atomics.load(this.#engine.ctl, CTL.STALLED) - 1;
  }

  /**
   * @internal Fault tests: terminates worker `index` (`worker.terminate()`) without asking it to stop,
   * as a crash would end it. False when that worker is not running.
   */
  _killWorker(index: number): boolean {
    return this.#threads.kill(index);
  }

  /** Stops the workers and returns the control block and scratch to the arena. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#threads.stopping();
    await this.#engine.close();
    await this.#threads.stop(this.#engine.ctl);
    this.#engine.free();
  }
}

function defaultWorkers(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.min(MAX_WORKERS, Math.max(1, n ?? 2));
}
