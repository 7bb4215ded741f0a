import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { FramekitError } from '../errors.js';

/** What `framekit track` is asked to do for one input; part of the job's identity. */
export interface TrackJobOptions {
  features: number;
  backend: string;
}

/** A job's payload in Redis: everything a worker on any machine needs to run it. */
export interface TrackJobData {
  /** Absolute path, the same on every machine (a shared folder). */
  input: string;
  kind: 'video' | 'images';
  options: TrackJobOptions;
  /** Shared output folder (absolute), or null: the result comes back through Redis to `batch`. */
  out: string | null;
  /** File name stem of the outputs: `<stem>.jsonl` and `<stem>.summary.json`. */
  stem: string;
}

/** What a finished job returns (stored by BullMQ as the job's return value). */
export interface TrackJobResult {
  summary: Record<string, unknown>;
  /** The per-frame JSON lines, only when there is no shared output folder. */
  lines?: string;
  worker: string;
  ms: number;
}

const IMAGE = /\.(png|jpe?g|pgm|ppm)$/i;

async function hashFile(h: ReturnType<typeof createHash>, path: string): Promise<void> {
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
}

/**
 * The job's identity: SHA-256 over the input's bytes (every image of a folder, in name order) and the
 * options, so the same content with the same options is one job however it is named, and a rerun of
 * `batch` finds it done. Reads the input once, streaming.
 */
export async function describeInput(
  input: string,
  options: TrackJobOptions,
  version: string,
): Promise<{ id: string; data: Omit<TrackJobData, 'out'> }> {
  const path = resolve(input);
  const s = await stat(path).catch(() => null);
  if (!s) throw new FramekitError('E_IO', `cannot read ${input}: no such file or folder`);
  const h = createHash('sha256');
  h.update(JSON.stringify({ version, options }));
  let kind: TrackJobData['kind'];
  if (s.isDirectory()) {
    const names = (await readdir(path)).filter((n) => IMAGE.test(n)).sort();
    if (names.length === 0) throw new FramekitError('E_IO', `${input}: a folder with no PNG, JPEG or PGM/PPM images`);
    for (const n of names) {
      h.update(`\0${n}\0`);
      await hashFile(h, join(path, n));
    }
    kind = 'images';
  } else {
    await hashFile(h, path);
    kind = 'video';
  }
  const digest = h.digest('hex');
  const slug =
    basename(path)
      .replace(/[^A-Za-z0-9_.-]+/g, '_')
      .slice(0, 60) || 'input';
  return { id: `track-${digest.slice(0, 40)}`, data: { input: path, kind, options, stem: `${slug}.${digest.slice(0, 12)}` } };
}
