import { FramekitError } from '../errors.js';

/**
 * Where a model's bytes come from: a file path (Node, Bun), a URL (fetched; `file:` URLs read from
 * disk), the bytes themselves, or a function returning them. Nothing is read until a stage first runs.
 */
export type ModelSource = string | URL | Uint8Array | (() => Promise<Uint8Array>);

/** Reads a model's bytes. Throws E_MODEL (with `details.source`) when they cannot be read. */
export async function readModelBytes(source: ModelSource): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (typeof source === 'function') return source();
  const text = String(source);
  try {
    // In a browser every string is a URL (relative to the page); in Node and Bun, http(s)/blob/data ones.
    const server = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
    if (!server || /^(https?|blob|data):/.test(text)) {
      const res = await fetch(text);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return new Uint8Array(await res.arrayBuffer());
    }
    const { readFile } = await import('node:fs/promises');
    const path = text.startsWith('file:') ? (await import('node:url')).fileURLToPath(text) : text;
    return new Uint8Array(await readFile(path));
  } catch (e) {
    throw new FramekitError('E_MODEL', `cannot read model ${text}: ${(e as Error).message}`, { source: text });
  }
}
