/**
 * A `framekit worker` track thread (node:worker_threads): runs `framekit track INPUT --json` jobs one
 * after another, in-process, with the very command the CLI runs (so its output is byte for byte the
 * single-process `framekit track`'s, timings aside). The thread stays up between jobs: its modules
 * are loaded and its WebAssembly compiled once (compiled modules are cached per thread,
 * ts/backends/wasm/loader.ts), where a process per job paid both, and an ffprobe, every time.
 *
 * Protocol (ts/queue/worker.ts is the other side):
 *   in:  { type: 'job', input, features, backend, tmp }
 *   out: { type: 'ready' } once warm; per job { type: 'progress', frames } about every 250 ms, then
 *        { type: 'done', summary, frames } or { type: 'failed', code, message, details }.
 * The per-frame lines go to `tmp` (written in 64 KiB pieces, flushed to disk before 'done'); the
 * summary line is not written there but sent in 'done'. On failure `tmp` is removed.
 */
import { closeSync, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parentPort } from 'node:worker_threads';
import { FramekitError } from '../errors.js';
import { createFramekit } from '../index.js';
import { track } from './commands/track.js';

export interface TrackThreadJob {
  type: 'job';
  input: string;
  features: number;
  backend: string;
  /** Where the per-frame lines go (a new file, in the output's `.partial/` folder). */
  tmp: string;
}

export type TrackThreadReply =
  | { type: 'ready' }
  | { type: 'progress'; frames: number }
  | { type: 'done'; summary: Record<string, unknown>; frames: number }
  | { type: 'failed'; code: string; message: string; details: Record<string, unknown> };

const SUMMARY = '{"summary":';
const FLUSH_BYTES = 64 << 10;

/** A file written in pieces of about FLUSH_BYTES: a syscall per piece, not per frame. */
class LineFile {
  readonly #fd: number;
  #pending: string[] = [];
  #bytes = 0;
  constructor(path: string) {
    this.#fd = openSync(path, 'wx');
  }
  write(text: string): void {
    this.#pending.push(text);
    this.#bytes += text.length;
    if (this.#bytes >= FLUSH_BYTES) this.flush();
  }
  flush(): void {
    if (this.#pending.length) writeSync(this.#fd, this.#pending.join(''));
    this.#pending = [];
    this.#bytes = 0;
  }
  /** Flushes, syncs to disk (the caller renames the file into place next) and closes. */
  finish(): void {
    try {
      this.flush();
      fsyncSync(this.#fd);
    } finally {
      closeSync(this.#fd);
    }
  }
  close(): void {
    closeSync(this.#fd);
  }
}

/** A thrown value as the typed reply: a FramekitError keeps its code; anything else is E_STATE. */
function failure(e: unknown): TrackThreadReply {
  if (e instanceof FramekitError) {
    const prefix = `${e.code}: `;
    const message = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    let details: Record<string, unknown> = {};
    try {
      details = structuredClone({ ...e.details });
    } catch {
      // Details that cannot cross threads are left out; the message says what happened.
    }
    return { type: 'failed', code: e.code, message, details };
  }
  return { type: 'failed', code: 'E_STATE', message: `framekit track: ${e instanceof Error ? e.message : String(e)}`, details: {} };
}

async function runJob(job: TrackThreadJob, port: NonNullable<typeof parentPort>): Promise<void> {
  // The arguments the CLI would parse for `framekit track INPUT --json --features N --backend B`.
  const { values } = parseArgs({
    args: ['--json', '--features', String(job.features), '--backend', job.backend],
    options: track.options,
    allowPositionals: true,
  });
  let file: LineFile | null = null;
  let summary: Record<string, unknown> | null = null;
  let frames = 0;
  let last = performance.now();
  try {
    file = new LineFile(job.tmp);
    const lines = file;
    await track.run([job.input], values, {
      stdout(text) {
        if (text.startsWith(SUMMARY)) {
          summary = (JSON.parse(text) as { summary: Record<string, unknown> }).summary;
          return;
        }
        lines.write(text);
        frames++;
        const now = performance.now();
        if (now - last > 250) {
          last = now;
          port.postMessage({ type: 'progress', frames } satisfies TrackThreadReply);
        }
      },
      stderr() {},
    });
    if (!summary) throw new FramekitError('E_STATE', `framekit track ended without its summary for ${job.input}`);
    file.finish();
    file = null;
    port.postMessage({ type: 'done', summary, frames } satisfies TrackThreadReply);
  } catch (e) {
    try {
      file?.close();
    } catch {
      // Already closed or never opened: nothing to release.
    }
    rmSync(job.tmp, { force: true });
    port.postMessage(failure(e));
  }
}

if (parentPort) {
  const port = parentPort;
  // Warm: the modules above are loaded; compile the WebAssembly now (cached for every later job's context).
  await createFramekit({ maxWidth: 64, maxHeight: 64 });
  let chain = Promise.resolve();
  port.on('message', (job: TrackThreadJob) => {
    if (job.type === 'job') chain = chain.then(() => runJob(job, port));
  });
  port.postMessage({ type: 'ready' } satisfies TrackThreadReply);
}
