import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FramekitError } from '../errors.js';
import { connectionOf, loadBullmq } from './deps.js';
import type { TrackJobData, TrackJobResult } from './job.js';
import { discard, outputPaths, partialDir, readDone, writeAtomic } from './output.js';
import type { QueueAddress } from './url.js';

export interface WorkerOptions {
  /** Jobs run at once, each `framekit track` in its own process (default: one per core). */
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

/** The framekit CLI this module belongs to (dist/ts/cli/main.js, or ts/cli/main.ts under Bun). */
function cliPath(): string {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return fileURLToPath(new URL(`../cli/main.${ext}`, import.meta.url));
}

/** Message of the last `framekit track: ...` line a failed child printed, else its last line. */
function reasonOf(stderr: string, code: number | null, signal: NodeJS.Signals | null): string {
  const lines = stderr
    .replace(/\r/g, '\n')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const tagged = lines.filter((l) => l.startsWith('framekit ')).pop();
  const last = tagged ?? lines.pop();
  return last ?? `framekit track exited with ${signal ? `signal ${signal}` : `code ${code}`}`;
}

/**
 * Takes jobs from the queue and runs `framekit track` on each in a child process (one per core by
 * default), writing the JSON lines and summary atomically to the job's shared folder, or returning
 * them through Redis when it has none. A job's lock is renewed while it runs; if this process dies,
 * the lock expires and another worker redoes the job from the start (partial output stays in
 * `.partial/` and is never taken for a result). On close() (SIGTERM in the CLI) the worker takes no
 * new job, lets running ones finish for graceMs, then hands them back to the queue unfinished.
 */
export async function startWorker(address: QueueAddress, o: WorkerOptions = {}): Promise<RunningWorker> {
  const { Worker, WaitingError } = await loadBullmq();
  const log = o.log ?? (() => {});
  const id = `${hostname()}-${process.pid}`;
  const maxResult = o.maxResultBytes ?? 16 << 20;
  const children = new Set<ChildProcess>();
  let stopping = false;

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
    const args = [cliPath(), 'track', d.input, '--json', '--features', String(d.options.features), '--backend', d.options.backend];
    log(`job ${job.id} started: ${d.input}`);
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    const file = createWriteStream(tmp);
    let frames = 0;
    let tail = '';
    let stderr = '';
    let lastProgress = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      file.write(chunk);
      const text = tail + chunk.toString('utf8');
      const parts = text.split('\n');
      tail = parts.pop()!;
      frames += parts.length;
      const now = performance.now();
      if (now - lastProgress > 250) {
        lastProgress = now;
        job.updateProgress({ frames, worker: id }).catch(() => {});
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-8192);
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((res) => child.on('close', (c, s) => res([c, s])));
    children.delete(child);
    await new Promise<void>((res, rej) => file.end((e?: Error | null) => (e ? rej(e) : res())));
    if (code !== 0) {
      await discard(tmp);
      if (stopping) {
        // Shut down before the job finished: back to the queue, no attempt counted.
        log(`job ${job.id} handed back`);
        await job.moveToWait(token);
        throw new WaitingError();
      }
      const reason = reasonOf(stderr, code, signal);
      log(`job ${job.id} failed: ${reason}`);
      throw new FramekitError(code === 2 ? 'E_ARGUMENT' : 'E_IO', reason);
    }
    const { readFile } = await import('node:fs/promises');
    const text = await readFile(tmp, 'utf8');
    const lines = text.trimEnd().split('\n');
    const last = lines.pop() ?? '';
    let summary: Record<string, unknown>;
    try {
      summary = (JSON.parse(last) as { summary: Record<string, unknown> }).summary;
      if (!summary) throw new Error('no summary');
    } catch {
      await discard(tmp);
      throw new FramekitError('E_IO', `framekit track ended without its summary line for ${d.input}`);
    }
    const body = lines.length ? lines.join('\n') + '\n' : '';
    const ms = performance.now() - t0;
    if (d.out) {
      const p = outputPaths(d.out, d.stem);
      // The per-frame lines first, the summary last: a summary on disk means the job is complete.
      await writeAtomic(d.out, p.lines, body, d.stem);
      await writeAtomic(d.out, p.summary, JSON.stringify(summary) + '\n', d.stem);
      await discard(tmp);
      log(`job ${job.id} done: ${String(summary.frames)} frames in ${(ms / 1000).toFixed(2)} s`);
      return { summary, worker: id, ms };
    }
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
    concurrency: o.concurrency ?? availableParallelism(),
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
    const grace = setTimeout(() => {
      for (const c of children) c.kill('SIGTERM');
    }, o.graceMs ?? 60000);
    closing = worker.close().finally(() => clearTimeout(grace));
    return closing;
  };
  await worker.waitUntilReady();
  log(`worker ${id} on ${address.host}:${address.port}/${address.name}, ${o.concurrency ?? availableParallelism()} at once`);
  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  worker.on('closed', () => resolveClosed());
  return { id, close, closed };
}
