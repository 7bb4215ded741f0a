import { mkdir, readFile, rename } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { Worker as Thread } from 'node:worker_threads';
import { FramekitError, type FramekitErrorCode } from '../errors.js';
import { connectionOf, loadBullmq } from './deps.js';
import type { TrackJobData, TrackJobResult } from './job.js';
import { discard, outputPaths, partialDir, readDone, writeAtomic } from './output.js';
import type { QueueAddress } from './url.js';

export interface WorkerOptions {
  /** Jobs run at once, each on its own track thread (default: one per core). */
  concurrency?: number;
  /** Milliseconds a job's lock lasts without renewal: a dead worker's job is taken over after about this long (default 30000). */
  lockMs?: number;
  /** Milliseconds SIGTERM waits for running jobs before handing them back to the queue (default 60000). */
  graceMs?: number;
  /** Largest per-frame output returned through Redis when there is no shared folder (default 16 MiB). */
  maxResultBytes?: number;
  /** Called with one line per event (job started, finished, failed, handed back). */
  log?: (line: string) => void;
}

export interface RunningWorker {
  /** Resolves when the worker has stopped (after close()). */
  closed: Promise<void>;
  /** Stops taking jobs; waits up to graceMs for running ones, then hands them back. */
  close(): Promise<void>;
  id: string;
}

/** The track thread's messages (ts/cli/track-thread.ts, which runs the CLI's own track command). */
type Reply =
  | { type: 'ready' }
  | { type: 'progress'; frames: number }
  | { type: 'done'; summary: Record<string, unknown>; frames: number }
  | { type: 'failed'; code: FramekitErrorCode; message: string; details: Record<string, unknown> };

/** The track thread's module beside this one (dist/ts/cli/track-thread.js, or ts/cli/track-thread.ts under Bun). */
function threadUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`../cli/track-thread.${ext}`, import.meta.url);
}

/** Thrown by TrackThread.run when the thread was stopped (shutdown past the grace period) or died. */
class ThreadGone extends Error {}

/**
 * One warm track thread: started once, it runs one job at a time for the worker's whole life, so
 * module loading and WebAssembly compilation are paid once per thread, not once per job.
 */
class TrackThread {
  readonly #thread: Thread;
  readonly ready: Promise<void>;
  #current: { resolve(r: Reply): void; reject(e: Error): void; progress(frames: number): void } | null = null;
  #gone: Error | null = null;

  constructor() {
    this.#thread = new Thread(threadUrl());
    this.ready = new Promise<void>((resolve, reject) => {
      this.#thread.on('message', (r: Reply) => {
        if (r.type === 'ready') resolve();
        else if (r.type === 'progress') this.#current?.progress(r.frames);
        else {
          const c = this.#current;
          this.#current = null;
          c?.resolve(r);
        }
      });
      const die = (e: Error) => {
        this.#gone ??= e;
        reject(e);
        const c = this.#current;
        this.#current = null;
        c?.reject(e);
      };
      this.#thread.on('error', (e: Error) => die(new ThreadGone(`the track thread failed: ${e.message}`)));
      this.#thread.on('exit', (code) => die(new ThreadGone(`the track thread exited (${code})`)));
    });
    this.ready.catch(() => {});
  }

  /** Taken by a job (set by the worker when it hands the thread a job, cleared when the job ends). */
  claimed = false;
  get alive(): boolean {
    return this.#gone === null;
  }

  /** Runs one job; resolves with the thread's 'done' or 'failed' reply, rejects (ThreadGone) if the thread ends first. */
  run(job: { input: string; features: number; backend: string; tmp: string }, progress: (frames: number) => void): Promise<Reply> {
    if (this.#gone) return Promise.reject(this.#gone);
    return new Promise<Reply>((resolve, reject) => {
      this.#current = { resolve, reject, progress };
      this.#thread.postMessage({ type: 'job', ...job });
    });
  }

  /** Ends the thread at once (a job it was running ends unfinished). */
  async stop(): Promise<void> {
    await this.#thread.terminate();
  }
}

/**
 * Takes jobs from the queue and runs `framekit track` on each on a warm track thread (one per core
 * by default; `concurrency` threads, each reused job after job), writing the JSON lines and summary
 * atomically to the job's shared folder, or returning them through Redis when it has none. A job's
 * lock is renewed while it runs; if this process dies, the lock expires and another worker redoes
 * the job from the start (partial output stays in `.partial/` and is never taken for a result). On
 * close() (SIGTERM in the CLI) the worker takes no new job, lets running ones finish for graceMs,
 * then stops their threads and hands the jobs back to the queue unfinished.
 */
export async function startWorker(address: QueueAddress, o: WorkerOptions = {}): Promise<RunningWorker> {
  const { Worker, WaitingError } = await loadBullmq();
  const log = o.log ?? (() => {});
  const id = `${hostname()}-${process.pid}`;
  const maxResult = o.maxResultBytes ?? 16 << 20;
  const concurrency = o.concurrency ?? availableParallelism();
  // One warm thread per job slot, started (modules loaded, WebAssembly compiled) before the first job.
  const threads = Array.from({ length: concurrency }, () => new TrackThread());
  try {
    await Promise.all(threads.map((t) => t.ready));
  } catch (e) {
    await Promise.all(threads.map((t) => t.stop()));
    throw new FramekitError('E_STATE', `framekit worker: a track thread did not start: ${(e as Error).message}`);
  }
  let stopping = false;

  /** An idle thread; one that died (an uncaught error in it) is replaced. BullMQ never runs more than `concurrency` jobs. */
  const takeThread = async (): Promise<TrackThread> => {
    const i = threads.findIndex((t) => !t.claimed);
    if (i < 0) throw new FramekitError('E_STATE', `framekit worker: more jobs than its ${concurrency} track threads`);
    threads[i]!.claimed = true;
    if (!threads[i]!.alive) {
      threads[i] = new TrackThread();
      threads[i]!.claimed = true;
      try {
        await threads[i]!.ready;
      } catch (e) {
        threads[i]!.claimed = false;
        throw e;
      }
    }
    return threads[i]!;
  };

  const run = async (
    job: { id?: string; data: TrackJobData; updateProgress(p: object): Promise<void>; moveToWait(t?: string): Promise<number> },
    token?: string,
  ): Promise<TrackJobResult> => {
    const d = job.data;
    const t0 = performance.now();
    if (d.out) {
      const done = await readDone(d.out, d.stem);
      if (done) {
        log(`job ${job.id} already complete in ${d.out}`);
        return { summary: done, worker: id, ms: 0 };
      }
    }
    const scratch = d.out ?? join(process.cwd(), '.framekit-worker');
    await mkdir(partialDir(scratch), { recursive: true });
    const tmp = join(partialDir(scratch), `${d.stem}.${id}.${Date.now()}.jsonl`);
    log(`job ${job.id} started: ${d.input}`);
    let reply: Reply;
    try {
      const thread = await takeThread();
      try {
        reply = await thread.run({ input: d.input, features: d.options.features, backend: d.options.backend, tmp }, (frames) => {
          job.updateProgress({ frames, worker: id }).catch(() => {});
        });
      } finally {
        thread.claimed = false;
      }
    } catch (e) {
      await discard(tmp);
      if (stopping) {
        // Shut down before the job finished: back to the queue, no attempt counted.
        log(`job ${job.id} handed back`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      log(`job ${job.id} failed: ${(e as Error).message}`);
      throw new FramekitError('E_STATE', (e as Error).message);
    }
    if (reply.type === 'failed') {
      const err = new FramekitError(reply.code, reply.message, reply.details);
      log(`job ${job.id} failed: ${err.message}`);
      throw err;
    }
    if (reply.type !== 'done') throw new FramekitError('E_STATE', `framekit worker: unexpected reply ${reply.type} from a track thread`);
    const { summary } = reply;
    const ms = performance.now() - t0;
    if (d.out) {
      const p = outputPaths(d.out, d.stem);
      // The per-frame lines first (the thread flushed them to disk; a rename in the same folder
      // tree is atomic), the summary last: a summary on disk means the job is complete.
      await rename(tmp, p.lines);
      await writeAtomic(d.out, p.summary, JSON.stringify(summary) + '\n', d.stem);
      log(`job ${job.id} done: ${String(summary.frames)} frames in ${(ms / 1000).toFixed(2)} s`);
      return { summary, worker: id, ms };
    }
    const body = await readFile(tmp, 'utf8');
    await discard(tmp);
    if (Buffer.byteLength(body) > maxResult)
      throw new FramekitError(
        'E_BUFFER_SIZE',
        `${d.input}: ${Buffer.byteLength(body)} bytes of results, over ${maxResult}: give batch --out SHARED_FOLDER`,
      );
    log(`job ${job.id} done: ${String(summary.frames)} frames in ${(ms / 1000).toFixed(2)} s`);
    return { summary, lines: body, worker: id, ms };
  };

  const lockMs = o.lockMs ?? 30000;
  const worker = new Worker(address.name, run as never, {
    connection: connectionOf(address) as never,
    concurrency,
    lockDuration: lockMs,
    stalledInterval: Math.max(250, Math.floor(lockMs / 2)),
    // A job whose worker died is taken over this many times before it counts as failed.
    maxStalledCount: 3,
    autorun: true,
  });
  worker.on('error', (e: Error) => log(`queue connection: ${e.message}`));
  let closing: Promise<void> | null = null;
  const close = (): Promise<void> => {
    if (closing) return closing;
    stopping = true;
    // Past the grace period, the threads still running a job are stopped: their jobs go back to the queue.
    const grace = setTimeout(() => {
      for (const t of threads) if (t.claimed) void t.stop();
    }, o.graceMs ?? 60000);
    closing = worker.close().finally(() => clearTimeout(grace));
    return closing;
  };
  await worker.waitUntilReady();
  log(`worker ${id} on ${address.host}:${address.port}/${address.name}, ${concurrency} at once`);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  // Closed: no job runs any more; the threads end with the worker.
  worker.on('closed', () => void Promise.all(threads.map((t) => t.stop())).then(() => resolveClosed()));
  return { id, close, closed };
}
