import { FAST_KEYPOINT_SIZE } from '../core/formats.js';
import { FramekitError } from '../errors.js';
import type { Framekit } from '../framekit.js';
import { checkPlane, planesOverlap, type PlaneLike } from '../image/plane.js';
import type { Region } from '../memory/arena.js';
import { LAYOUT } from '../memory/layout.js';
import { gaussianSide } from './gaussian-args.js';
import { checkGrayPair } from '../kernels/gaussian/api.js';
import { gaussianPlan } from '../kernels/gaussian/plan.js';
import { writeWeights } from '../kernels/separable.js';
import {
  CTL,
  CTL_BYTES,
  CTL_INTS,
  JOB_DATA_OFFSET,
  MAX_ARGS,
  MAX_WORKERS,
  Q_CURRENT,
  Q_END,
  Q_EXIT_SEQ,
  Q_NEXT,
  queueBase,
} from './control.js';
import { fastSegmentCapacity } from './stripe-fast.js';
import { checkKeypoints, type Keypoints } from '../features/keypoints.js';
import type { FastOptions } from '../kernels/fast/api.js';
import type { FlowPoints } from '../features/flow-points.js';
import { flowPlan, type FlowOptions } from '../kernels/lk/api.js';
import type { FlowPyramid } from '../kernels/lk/pyramid.js';
import { lkFlags } from '../kernels/lk/index.js';
import { f32Bits, LK_LEVEL_INTS } from './stripe-lk.js';
import { blurStripeScratch, STRIPE_KERNEL_IDS, STRIPE_KERNELS, type StripeContext, type StripeKernelName } from './kernels.js';
import type { InitMessage, WorkerMessage } from './protocol.js';
import { runStripe, runStripes } from './runner.js';
import { spawnWorker, workerUrl, type WorkerHandle } from './spawn.js';

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
  /** Stripes re-run on the main thread after their worker failed. */
  reruns: number;
  /** What the last failed worker reported. */
  lastCrash: string | null;
}

interface Slot {
  index: number;
  handle: WorkerHandle | null;
  ready: boolean;
  /** Bumped on every spawn, so a late event from a replaced worker is ignored. */
  life: number;
}

interface Job {
  seq: number;
  resolve: () => void;
  reject: (e: unknown) => void;
  finished: boolean;
}

/** Why shared memory is not available here, or null when it is. */
export function sharedMemoryUnavailable(fk: Framekit): string | null {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (g.crossOriginIsolated === false)
    return 'the page is not cross-origin isolated (serve it with COOP: same-origin and COEP: require-corp)';
  if (typeof g.SharedArrayBuffer !== 'function') return 'this runtime has no SharedArrayBuffer';
  if (!(fk.memory.buffer instanceof SharedArrayBuffer)) return 'the memory is not shared (create framekit with { shared: true })';
  if (!fk.wasm) return 'no WebAssembly modules are loaded (backend "reference")';
  return null;
}

/**
 * Worker threads that run kernels on framekit's one shared memory, split into row stripes: no pixel
 * is copied to or from a worker. Jobs run one at a time; a job's stripes are claimed through Atomics
 * in a control block in the arena, with work stealing. A worker that fails is replaced and its stripe
 * re-run, so no job is lost. Where shared memory is unavailable the pool runs the same stripes on the
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
  readonly fk: Framekit;
  readonly reason: string | null;
  readonly #ctlRegion: Region;
  readonly #ctl: Int32Array;
  readonly #i16: Int16Array;
  #scratch: Region[] = [];
  #scratchBytes = 0;
  #segments: Region | null = null;
  /** Per worker: its own Rust stack (see binary.ts exportStackPointer). */
  readonly #stacks: Region[] = [];
  readonly #slots: Slot[] = [];
  readonly #stripesPerWorker: number;
  readonly #main: StripeContext | null;
  #chain: Promise<void> = Promise.resolve();
  #job: Job | null = null;
  #jobs = 0;
  #crashes = 0;
  #reruns = 0;
  #disposed = false;
  #lastCrash: string | null = null;
  readonly #log: (line: string) => void;

  private constructor(fk: Framekit, o: WorkerPoolOptions, reason: string | null) {
    this.fk = fk;
    this.reason = reason;
    const n = reason ? 0 : Math.min(MAX_WORKERS, Math.max(1, o.workers ?? defaultWorkers()));
    this.#stripesPerWorker = o.stripesPerWorker ?? 4;
    this.#log = o.log ?? ((line) => console.warn(line));
    this.#ctlRegion = fk.arena.alloc(CTL_BYTES, 'worker pool control block');
    this.#ctl = new Int32Array(fk.memory.buffer, this.#ctlRegion.ptr, CTL_INTS);
    this.#i16 = new Int16Array(fk.memory.buffer);
    this.#ctl.fill(0);
    this.#ctl[CTL.FAULT] = -1;
    const buf = fk.memory.buffer;
    this.#main = fk.wasm
      ? {
          wasm: fk.wasm,
          heap: fk.heap,
          f32: new Float32Array(buf),
          i32: new Int32Array(buf),
          ctl: this.#ctl,
          scratchSlot: CTL.SCRATCH + 2 * MAX_WORKERS,
        }
      : null;
    for (let i = 0; i < n; i++) {
      this.#slots.push({ index: i, handle: null, ready: false, life: 0 });
      this.#stacks.push(fk.arena.alloc(LAYOUT.rustStackTop, `worker ${i} Rust stack`));
    }
    this.#ensureScratch(o.scratchBytes ?? 0);
  }

  /**
   * Starts `workers` threads on `fk`'s memory and waits until each has instantiated the modules.
   * Falls back to the calling thread (and logs why) where the memory is not shared or the page is not
   * cross-origin isolated.
   */
  static async create(fk: Framekit, o: WorkerPoolOptions = {}): Promise<WorkerPool> {
    if (o.workers !== undefined && (!Number.isInteger(o.workers) || o.workers < 1 || o.workers > MAX_WORKERS)) {
      throw new FramekitError('E_ARGUMENT', `workers must be an integer from 1 to ${MAX_WORKERS}, got ${String(o.workers)}`);
    }
    const spw = o.stripesPerWorker ?? 4;
    if (!Number.isInteger(spw) || spw < 1 || spw > 64)
      throw new FramekitError('E_ARGUMENT', `stripesPerWorker must be 1..64, got ${String(spw)}`);
    const reason = sharedMemoryUnavailable(fk);
    if (reason && !fk.wasm) throw new FramekitError('E_STATE', `worker pool: ${reason}`);
    if (reason) (o.log ?? console.warn)(`framekit: worker pool runs on one thread: ${reason}`);
    const pool = new WorkerPool(fk, o, reason);
    try {
      await Promise.all(pool.#slots.map((s) => pool.#spawn(s)));
    } catch (e) {
      await pool.dispose();
      throw e;
    }
    return pool;
  }

  /** Worker threads running (0 in the fallback). */
  get workers(): number {
    return this.#slots.length;
  }

  info(): WorkerPoolInfo {
    return {
      mode: this.#slots.length > 0 ? 'workers' : 'main-thread',
      reason: this.reason,
      workers: this.#slots.length,
      ready: this.#slots.filter((s) => s.ready).length,
      jobs: this.#jobs,
      steals: Atomics.load(this.#ctl, CTL.STEALS),
      crashes: this.#crashes,
      reruns: this.#reruns,
      lastCrash: this.#lastCrash,
    };
  }

  /**
   * 8-bit luma of a colour plane, split across the workers: the same bytes as `fk.gray()`. Checks as
   * `fk.gray()` does before any thread touches memory. Resolves to `dst`.
   */
  gray(dst: PlaneLike, src: PlaneLike): Promise<PlaneLike> {
    if (dst.format !== 'gray')
      throw new FramekitError('E_FORMAT', `gray: dst must be a gray plane, got ${dst.format}`, { format: dst.format });
    if (src.format === 'gray') throw new FramekitError('E_FORMAT', 'gray: src is already gray');
    checkPlane(src, this.fk.arena, 'src');
    checkPlane(dst, this.fk.arena, 'dst');
    if (dst.width !== src.width || dst.height !== src.height) {
      throw new FramekitError('E_DIMENSION', `gray: dst is ${dst.width}x${dst.height}, src is ${src.width}x${src.height}`);
    }
    if (planesOverlap(dst, src)) throw new FramekitError('E_ARGUMENT', 'gray: dst overlaps src');
    return this.run(`gray_${src.format}` as StripeKernelName, src.height, [src.ptr, src.stride, dst.ptr, dst.stride, src.width]).then(
      () => dst,
    );
  }

  /**
   * Gaussian blur split across the workers, each stripe writing its own rows of `dst` (reading the
   * source rows around them, BORDER_REFLECT_101 only at the image's edges): the same bytes as
   * `fk.gaussianBlur()` (OpenCV's 8-bit GaussianBlur, BORDER_REFLECT_101), with the same arguments and
   * checks. The first call at a new largest width or kernel reserves scratch (see `scratchBytes`).
   * Resolves to `dst`.
   */
  gaussianBlur(dst: PlaneLike, src: PlaneLike, ksize = 5, sigma = 0, ksizeY = ksize, sigmaY = 0): Promise<PlaneLike> {
    const sy = sigmaY > 0 ? sigmaY : sigma;
    let kw = gaussianSide('ksize', ksize, sigma);
    let kh = gaussianSide('ksizeY', ksizeY, sy);
    checkGrayPair(this.fk, 'gaussianBlur', dst, src);
    if (src.width === 1) kw = 1;
    if (src.height === 1) kh = 1;
    const plan = gaussianPlan(kw, kh, Math.max(sigma, 0), Math.max(sy, 0));
    const nx = plan.rx.length;
    const ny = plan.ry.length;
    return this.#chained(() => {
      this.#ensureScratch(blurStripeScratch(src.width, this.#rowsPerStripe(src.height), nx, ny));
      const wts = this.#ctlRegion.ptr + JOB_DATA_OFFSET;
      writeWeights(this.#i16, wts, plan.rx);
      writeWeights(this.#i16, wts + 2 * nx, plan.ry);
      const args = [src.ptr, src.stride, dst.ptr, dst.stride, src.width, wts, nx, ny, plan.shift, plan.wide];
      return this.#start(STRIPE_KERNEL_IDS.gaussian_blur, src.height, args);
    }).then(() => dst);
  }

  /**
   * FAST-9 corners split across the workers, each stripe with 4 halo rows: the same keypoints, in the
   * same order, with the same responses and the same `count` and `found` as `fast(fk, out, src, o)`
   * (ts/kernels/fast/api.ts), with the same checks. The first call at a new largest size reserves
   * per-stripe output segments in the arena (grow-only). Resolves to `out`.
   */
  fast(out: Keypoints, src: PlaneLike, o: FastOptions = {}): Promise<Keypoints> {
    const threshold = o.threshold ?? 10;
    if (!Number.isInteger(threshold) || threshold < 0 || threshold > 255) {
      throw new FramekitError('E_ARGUMENT', `fast: threshold must be an integer from 0 to 255, got ${String(threshold)}`, { threshold });
    }
    if (src.format !== 'gray')
      throw new FramekitError('E_FORMAT', `fast: src must be a gray plane, got ${src.format}`, { format: src.format });
    checkPlane(src, this.fk.arena, 'src');
    checkKeypoints(out, this.fk.arena, 'out');
    const nonmax = o.nonmax ?? true;
    return this.#chained(async () => {
      const features = this.fk.wasm!.features;
      const stripes = Math.ceil(src.height / this.#rowsPerStripe(src.height));
      const cap = fastSegmentCapacity(out.capacity, src.width);
      const segs = this.#ensureSegments(stripes * cap * 12 + stripes * 8);
      const counts = segs + stripes * cap * 12;
      this.#ensureScratch(features.fk_fast9_scratch_bytes(src.width));
      await this.#start(STRIPE_KERNEL_IDS.fast9, src.height, [
        src.ptr,
        src.stride,
        src.width,
        threshold,
        nonmax ? 1 : 0,
        segs,
        cap,
        counts,
      ]);
      // Concatenate the stripes' kept corners in stripe order (= row order), up to the capacity.
      const f = this.#main!.f32;
      const i = this.#main!.i32;
      let n = 0;
      let found = 0;
      let recount = false;
      for (let s = 0; s < stripes; s++) {
        const k = i[(counts >> 2) + 2 * s]!;
        recount ||= i[(counts >> 2) + 2 * s + 1] === 1;
        found += k;
        const take = Math.min(k, out.capacity - n);
        if (take <= 0) continue;
        const bx = (segs + s * cap * 12) >> 2;
        out.x.set(f.subarray(bx, bx + take), n);
        out.y.set(f.subarray(bx + cap, bx + cap + take), n);
        out.response.set(f.subarray(bx + 2 * cap, bx + 2 * cap + take), n);
        n += take;
      }
      // A stripe found more than its segment holds: its kept corners still fill the list, but the
      // total needs counting; the whole-image detector with no output space counts it.
      if (recount)
        found = features.fk_fast9(
          src.ptr,
          src.width,
          src.height,
          src.stride,
          threshold,
          nonmax ? 1 : 0,
          this.#scratch.at(-1)!.ptr,
          0,
          0,
          0,
          0,
        );
      out.found = found;
      out.count = n;
      out.angle.fill(-1, 0, n);
      out.size.fill(FAST_KEYPOINT_SIZE, 0, n);
      out.octave.fill(0, 0, n);
    }).then(() => out);
  }

  /**
   * Pyramidal Lucas-Kanade split across the workers by points: the same `next`, `status` and `err`
   * as `fk.opticalFlow()` (every point descends the pyramid independently of the others), with the
   * same arguments and checks. Needs the WASM kernels (the pyramids carry no derivative images).
   * Resolves to `points`.
   */
  opticalFlow(points: FlowPoints, prev: FlowPyramid, next: FlowPyramid, o: FlowOptions = {}): Promise<FlowPoints> {
    const { maxLevel, params: p } = flowPlan(this.fk, points, prev, next, o);
    if (!this.#main) throw new FramekitError('E_STATE', 'worker pool: opticalFlow needs the WASM kernels');
    points.status.fill(1, 0, points.count);
    if (points.count === 0) return Promise.resolve(points);
    return this.#chained(() => {
      const table = this.#ctlRegion.ptr + JOB_DATA_OFFSET;
      const t = this.#main!.i32;
      for (let l = 0; l <= maxLevel; l++) {
        const I = prev.levels[l]!.image;
        const J = next.levels[l]!.image;
        const e = (table >> 2) + l * LK_LEVEL_INTS;
        t[e] = I.ptr;
        t[e + 1] = I.stride;
        t[e + 2] = J.ptr;
        t[e + 3] = J.stride;
        t[e + 4] = I.width;
        t[e + 5] = I.height;
      }
      const flags = lkFlags(p);
      const args = [
        table,
        maxLevel,
        points.prev.byteOffset,
        points.next.byteOffset,
        points.status.byteOffset,
        points.err.byteOffset,
        p.win,
        p.maxCount,
        f32Bits(p.eps),
        f32Bits(p.minEig),
        flags,
      ];
      return this.#start(STRIPE_KERNEL_IDS.lk, points.count, args);
    }).then(() => points);
  }

  /** The stripe output area, at least `bytes` (grow-only). */
  #ensureSegments(bytes: number): number {
    if (this.#segments && this.#segments.size >= bytes) return this.#segments.ptr;
    const next = this.fk.arena.alloc(bytes, 'worker pool stripe outputs');
    if (this.#segments) this.fk.arena.free(this.#segments);
    this.#segments = next;
    return next.ptr;
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
    return this.#chained(() => this.#start(id, height, args));
  }

  /** Runs `job` after every job before it; a failed job does not stop later ones. */
  #chained(job: () => Promise<void>): Promise<void> {
    if (this.#disposed) return Promise.reject(new FramekitError('E_STATE', 'worker pool: disposed'));
    const p = this.#chain.then(job);
    this.#chain = p.catch(() => undefined);
    return p;
  }

  /**
   * Makes every thread's scratch (the calling thread's included) at least `bytes`. Jobs run one at a
   * time and workers read their scratch pointer per stripe, so regions can be swapped between jobs.
   */
  #ensureScratch(bytes: number): void {
    if (bytes <= this.#scratchBytes) return;
    const n = this.#slots.length;
    const fresh: Region[] = [];
    for (let p = 0; p <= n; p++) fresh.push(this.fk.arena.alloc(bytes, `worker pool scratch ${p === n ? 'main' : p}`));
    for (const r of this.#scratch) this.fk.arena.free(r);
    this.#scratch = fresh;
    this.#scratchBytes = bytes;
    fresh.forEach((r, p) => {
      const slot = CTL.SCRATCH + 2 * (p === n ? MAX_WORKERS : p);
      this.#ctl[slot] = r.ptr;
      this.#ctl[slot + 1] = r.size;
    });
  }

  /** Rows per stripe for a job of `height` rows, as #start splits it. */
  #rowsPerStripe(height: number): number {
    return Math.ceil(height / Math.min(height, Math.max(1, this.#slots.length) * this.#stripesPerWorker));
  }

  #start(kernel: number, height: number, args: readonly number[]): Promise<void> {
    const ctl = this.#ctl;
    this.#jobs++;
    ctl[CTL.KERNEL] = kernel;
    ctl[CTL.HEIGHT] = height;
    for (let i = 0; i < args.length; i++) ctl[CTL.ARGS + i] = args[i]!;
    const n = this.#slots.length;
    const queues = Math.max(1, n);
    const rows = this.#rowsPerStripe(height);
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
      runStripes(this.#main!, -1);
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
      this.#reruns += runStripes(this.#main!, -1);
      this.#finish(job);
    } catch (e) {
      this.#finish(job, e);
    }
  }

  #spawn(slot: Slot): Promise<void> {
    const life = ++slot.life;
    slot.ready = false;
    const wasm = this.fk.wasm!;
    return new Promise<void>((resolve, reject) => {
      const onMessage = (d: unknown) => {
        if (slot.life !== life) return;
        const m = d as WorkerMessage;
        if (m.type === 'ready') {
          slot.ready = true;
          resolve();
        } else if (m.type === 'done') {
          if (this.#job && this.#job.seq === m.seq) this.#finish(this.#job);
        } else if (m.type === 'error') onCrash(m.message);
      };
      const onCrash = (why: string) => {
        if (slot.life !== life || this.#disposed) return;
        if (!slot.ready) {
          slot.life++;
          reject(new FramekitError('E_STATE', `worker ${slot.index} failed to start: ${why}`));
          return;
        }
        this.#crashed(slot, why);
      };
      spawnWorker(workerUrl(), { message: onMessage, crash: onCrash })
        .then((h) => {
          slot.handle = h;
          const init: InitMessage = {
            type: 'init',
            index: slot.index,
            memory: this.fk.memory,
            pixels: wasm.compiled.pixels,
            features: wasm.compiled.features,
            simd: wasm.simd,
            ctl: this.#ctlRegion.ptr,
            stackTop: this.#stacks[slot.index]!.ptr + LAYOUT.rustStackTop,
            seq: Atomics.load(this.#ctl, CTL.SEQ),
          };
          h.post(init);
        })
        .catch(reject);
    });
  }

  /** A worker failed: its stripe (if it held one) and whatever is unclaimed run here; a new worker takes its place. */
  #crashed(slot: Slot, why: string): void {
    this.#crashes++;
    const old = slot.handle;
    slot.life++;
    slot.ready = false;
    slot.handle = null;
    void old?.terminate().catch(() => undefined);
    const ctl = this.#ctl;
    const job = this.#job;
    const q = queueBase(slot.index);
    if (job && !job.finished && Atomics.load(ctl, q + Q_EXIT_SEQ) !== job.seq) {
      const stripe = Atomics.exchange(ctl, q + Q_CURRENT, -1);
      try {
        if (stripe >= 0) {
          runStripe(this.#main!, STRIPE_KERNELS[ctl[CTL.KERNEL]!]!, stripe, ctl[CTL.ROWS]!, ctl[CTL.HEIGHT]!);
          Atomics.add(ctl, CTL.DONE, 1);
          this.#reruns++;
        }
        this.#reruns += runStripes(this.#main!, -1);
      } catch (e) {
        this.#finish(job, e);
      }
      Atomics.store(ctl, q + Q_EXIT_SEQ, job.seq);
      if (Atomics.add(ctl, CTL.EXITED, 1) + 1 >= Atomics.load(ctl, CTL.PARTICIPANTS)) this.#finish(job);
    }
    this.#lastCrash = `worker ${slot.index}: ${why}`;
    if (!this.#disposed)
      this.#spawn(slot).catch((e: unknown) => this.#log(`framekit: worker ${slot.index} could not be replaced: ${String(e)}`));
  }

  /** @internal Tests: the worker that claims `stripe` of the next job fails as it starts it. */
  _injectFault(stripe: number): void {
    Atomics.store(this.#ctl, CTL.FAULT, stripe);
  }

  /** Stops the workers and returns the control block and scratch to the arena. */
  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#chain;
    Atomics.store(this.#ctl, CTL.STOP, 1);
    Atomics.add(this.#ctl, CTL.SEQ, 1);
    Atomics.notify(this.#ctl, CTL.SEQ);
    await Promise.all(this.#slots.map((s) => s.handle?.terminate().catch(() => undefined)));
    for (const s of this.#slots) s.handle = null;
    for (const r of this.#scratch) this.fk.arena.free(r);
    if (this.#segments) this.fk.arena.free(this.#segments);
    for (const r of this.#stacks) this.fk.arena.free(r);
    this.fk.arena.free(this.#ctlRegion);
  }
}

function defaultWorkers(): number {
  const n = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return Math.min(MAX_WORKERS, Math.max(1, n ?? 2));
}
