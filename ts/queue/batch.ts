import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { FramekitError } from '../errors.js';
import { connectionOf, loadBullmq } from './deps.js';
import { describeInput, type TrackJobData, type TrackJobOptions, type TrackJobResult } from './job.js';
import { outputPaths, readDone, writeAtomic } from './output.js';
import type { QueueAddress } from './url.js';

export interface BatchOptions {
  track: TrackJobOptions;
  /** Shared output folder every worker can write; null: results come back through Redis into `resultsDir`. */
  out: string | null;
  /** Where results that came back through Redis are written (default ./framekit-out). */
  resultsDir?: string;
  /** Attempts per job before it counts as failed (default 2). */
  attempts?: number;
  /** framekit's version, part of each job's identity. */
  version: string;
  /** Called about every pollMs with the counts so far. */
  onProgress?: (p: BatchProgress) => void;
  pollMs?: number;
  /** Give up waiting after this many milliseconds (default: wait until every job is done or failed). */
  timeoutMs?: number;
}

export interface BatchProgress {
  total: number;
  done: number;
  running: number;
  waiting: number;
  failed: number;
  /** Jobs that failed at least once and were tried again. */
  retried: number;
  /** Jobs found complete from an earlier batch and not run again. */
  skipped: number;
  frames: number;
}

export interface BatchSummary extends BatchProgress {
  /** Inputs given (after expansion). */
  files: number;
  /** Inputs whose content and options equal an earlier input's: one job serves them all (counted once in frames). */
  duplicates: number;
  wallS: number;
  /** Frames processed by this batch's jobs divided by the batch's wall time: the cluster's rate. */
  fps: number;
  failures: Array<{ input: string; reason: string }>;
  outputs: Array<{ input: string; lines: string; summary: string }>;
}

/**
 * Expands the batch's arguments into inputs: a path (a video file, a Y4M, or an image folder, one job
 * each), a glob (`clips/*.mp4`, each match a job), or `@LIST` (a file with one input per line).
 */
export async function expandInputs(args: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    if (a.startsWith('@')) {
      const text = await readFile(a.slice(1), 'utf8').catch(() => {
        throw new FramekitError('E_IO', `cannot read the list file ${a.slice(1)}`);
      });
      out.push(
        ...text
          .split('\n')
          .map((l) => l.trim())
          .filter((l) => l && !l.startsWith('#')),
      );
    } else if (/[*?]/.test(a)) {
      const dir = dirname(a);
      if (/[*?]/.test(dir)) throw new FramekitError('E_ARGUMENT', `${a}: wildcards only in the file name (or give @LIST)`);
      const re = new RegExp(
        '^' +
          basename(a)
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*/g, '.*')
            .replace(/\?/g, '.') +
          '$',
      );
      const names = await readdir(dir).catch(() => {
        throw new FramekitError('E_IO', `${a}: cannot list ${dir}`);
      });
      const found = names.filter((n) => re.test(n)).sort();
      if (found.length === 0) throw new FramekitError('E_IO', `${a}: no file matches`);
      out.push(...found.map((n) => join(dir, n)));
    } else out.push(a);
  }
  if (out.length === 0) throw new FramekitError('E_ARGUMENT', 'batch: give at least one input');
  return [...new Set(out.map((p) => resolve(p)))];
}

/**
 * Enqueues one `framekit track` job per input (idempotent: the job id is the hash of the input's
 * bytes and the options, so inputs already done are skipped and ones that failed before are retried),
 * then follows them to the end and sums up. Inputs are hashed before anything is enqueued, so a
 * missing input fails the batch before any job exists.
 */
export async function runBatch(address: QueueAddress, inputs: string[], o: BatchOptions): Promise<BatchSummary> {
  const { Queue, QueueEvents } = await loadBullmq();
  const described = [];
  for (const input of inputs) described.push(await describeInput(input, o.track, o.version));
  const out = o.out ? resolve(o.out) : null;
  if (out) {
    const s = await stat(out).catch(() => null);
    if (!s?.isDirectory()) throw new FramekitError('E_IO', `--out ${o.out}: not a folder (create it on the shared file system first)`);
  }
  const resultsDir = resolve(o.resultsDir ?? 'framekit-out');
  const queue = new Queue(address.name, { connection: connectionOf(address) as never });
  // Completion events wake the follow-up loop at once; the poll catches anything missed (a restart).
  const events = new QueueEvents(address.name, { connection: connectionOf(address) as never });
  let wake: (() => void) | null = null;
  const poke = () => wake?.();
  events.on('completed', poke);
  events.on('failed', poke);
  const t0 = performance.now();
  const ids: string[] = [];
  const inputOf = new Map<string, TrackJobData>();
  const skippedIds = new Set<string>();
  // Inputs with the same content and options as an earlier one: the same job, listed under each input.
  const duplicates: Array<{ input: string; id: string }> = [];
  try {
    await queue.waitUntilReady();
    for (const { id, data } of described) {
      const full: TrackJobData = { ...data, out };
      if (inputOf.has(id)) {
        duplicates.push({ input: data.input, id });
        continue;
      }
      ids.push(id);
      inputOf.set(id, full);
      const existing = await queue.getJob(id);
      if (existing) {
        const state = await existing.getState();
        if (state === 'completed') {
          skippedIds.add(id);
          continue;
        }
        if (state === 'failed') await existing.retry();
        continue; // waiting, active or delayed: already on its way
      }
      await queue.add('track', full, {
        jobId: id,
        attempts: o.attempts ?? 2,
        backoff: { type: 'fixed', delay: 500 },
        removeOnComplete: false,
        removeOnFail: false,
      });
    }

    const pollMs = o.pollMs ?? 500;
    const retried = new Set<string>();
    let final: BatchProgress;
    for (;;) {
      const p: BatchProgress = {
        total: ids.length,
        done: 0,
        running: 0,
        waiting: 0,
        failed: 0,
        retried: 0,
        skipped: skippedIds.size,
        frames: 0,
      };
      for (const id of ids) {
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : 'unknown';
        // BullMQ counts an attempt when a job finishes either way: a finished job was retried if it
        // took more than one, an unfinished one if it already failed once.
        const finished = state === 'completed' || state === 'failed';
        if (job && job.attemptsMade > (finished ? 1 : 0)) retried.add(id);
        if (state === 'completed') {
          p.done++;
          const r = job!.returnvalue as TrackJobResult | null;
          p.frames += Number(r?.summary?.frames ?? 0);
        } else if (state === 'active') p.running++;
        else if (state === 'failed') p.failed++;
        else p.waiting++;
      }
      p.retried = retried.size;
      o.onProgress?.(p);
      final = p;
      if (p.done + p.failed === p.total) break;
      if (o.timeoutMs !== undefined && performance.now() - t0 > o.timeoutMs)
        throw new FramekitError(
          'E_STATE',
          `batch: ${p.total - p.done - p.failed} jobs unfinished after ${o.timeoutMs} ms (are workers running?)`,
        );
      await new Promise<void>((r) => {
        const t = setTimeout(r, pollMs);
        wake = () => {
          clearTimeout(t);
          r();
        };
      });
      wake = null;
    }

    const failures: BatchSummary['failures'] = [];
    const outputs: BatchSummary['outputs'] = [];
    let framesRun = 0;
    for (const id of ids) {
      const job = (await queue.getJob(id))!;
      const data = inputOf.get(id)!;
      if ((await job.getState()) === 'failed') {
        const reason = job.failedReason ?? 'unknown';
        failures.push({ input: data.input, reason });
        for (const dup of duplicates) if (dup.id === id) failures.push({ input: dup.input, reason });
        continue;
      }
      const r = job.returnvalue as TrackJobResult;
      const dir = out ?? resultsDir;
      const paths = outputPaths(dir, data.stem);
      if (!out && !(await readDone(dir, data.stem))) {
        const { mkdir } = await import('node:fs/promises');
        await mkdir(dir, { recursive: true });
        await writeAtomic(dir, paths.lines, r.lines ?? '', data.stem);
        await writeAtomic(dir, paths.summary, JSON.stringify(r.summary) + '\n', data.stem);
      }
      if (!skippedIds.has(id)) framesRun += Number(r.summary.frames ?? 0);
      outputs.push({ input: data.input, lines: paths.lines, summary: paths.summary });
      for (const dup of duplicates) if (dup.id === id) outputs.push({ input: dup.input, lines: paths.lines, summary: paths.summary });
    }
    const wallS = (performance.now() - t0) / 1000;
    return {
      ...final,
      files: ids.length + duplicates.length,
      duplicates: duplicates.length,
      wallS,
      fps: framesRun / Math.max(1e-9, wallS),
      failures,
      outputs,
    };
  } finally {
    await Promise.all([queue.close(), events.close()]);
  }
}
