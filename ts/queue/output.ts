import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** The folder where outputs are written before they are renamed into place. */
export function partialDir(out: string): string {
  return join(out, '.partial');
}

/** Final paths of a job's outputs. The summary is renamed into place last: its presence means complete. */
export function outputPaths(out: string, stem: string): { lines: string; summary: string } {
  return { lines: join(out, `${stem}.jsonl`), summary: join(out, `${stem}.summary.json`) };
}

/** Writes `text` to `path` atomically: a temporary file in the same file system, flushed, then renamed. */
export async function writeAtomic(out: string, path: string, text: string, tag: string): Promise<void> {
  await mkdir(partialDir(out), { recursive: true });
  const tmp = join(partialDir(out), `${tag}.${process.pid}.${Date.now()}.tmp`);
  const f = await open(tmp, 'w');
  try {
    await f.writeFile(text);
    await f.sync();
  } finally {
    await f.close();
  }
  await rename(tmp, path);
}

/** The summary of a job already complete in `out`, or null. */
export async function readDone(out: string, stem: string): Promise<Record<string, unknown> | null> {
  const text = await readFile(outputPaths(out, stem).summary, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Removes a temporary file, ignoring one already gone. */
export async function discard(path: string): Promise<void> {
  await rm(path, { force: true });
}
