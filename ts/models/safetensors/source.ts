import { FramekitError } from '../../errors.js';

/**
 * Random access to the bytes of a file, wherever it is: one interface over a memory mapping (Bun),
 * positional reads (Node, Bun), a Blob (browser, or any runtime with one) and HTTP Range requests.
 * Nothing is read until `read` asks for it, and every byte read is counted in `bytesRead`.
 */
export interface ByteSource {
  /** How the bytes are reached. */
  readonly kind: 'mmap' | 'file' | 'blob' | 'http' | 'bytes';
  /** The path, URL or 'memory' (for messages and reports). */
  readonly name: string;
  /** The file's size in bytes. */
  readonly size: number;
  /**
   * Bytes read so far. For a mapping and for bytes in memory: bytes handed out as views (the kernel
   * pages a mapping in when those views are first touched).
   */
  readonly bytesRead: number;
  /** Requests made so far (reads, probes). */
  readonly reads: number;
  /**
   * `length` bytes from `offset`. With `into` (exactly `length` bytes long) they are written there and
   * `into` is returned; without it a mapping or in-memory source returns a view (no copy) and the
   * others a new buffer. E_OUT_OF_BOUNDS when the range is not inside the file, E_IO when it cannot be read.
   */
  read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array>;
  /** Releases the file handle (a mapping is released when its last view is collected). */
  close(): Promise<void>;
}

/** Options of `openByteSource`. */
export interface ByteSourceOptions {
  /** In Bun, map a file path with `Bun.mmap` (default true); false uses positional reads. */
  mmap?: boolean;
  /** The fetch used for HTTP Range requests (default: globalThis.fetch). */
  fetch?: typeof fetch;
  /** Extra request headers (e.g. Authorization) for HTTP sources. */
  headers?: Record<string, string>;
}

/** What `openByteSource` accepts: a path or URL, a Blob, bytes already in memory, or a source. */
export type ByteInput = string | URL | Blob | Uint8Array | ByteSource;

/** Checks a range and counts it; the shared part of every source. */
abstract class CountingSource implements ByteSource {
  abstract readonly kind: ByteSource['kind'];
  readonly name: string;
  readonly size: number;
  bytesRead = 0;
  reads = 0;

  constructor(name: string, size: number) {
    this.name = name;
    this.size = size;
  }

  async read(offset: number, length: number, into?: Uint8Array): Promise<Uint8Array> {
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > this.size) {
      throw new FramekitError('E_OUT_OF_BOUNDS', `bytes ${offset}..${offset + length} are not inside ${this.name} (${this.size} bytes)`, {
        offset,
        length,
        size: this.size,
      });
    }
    if (into && into.length !== length) {
      throw new FramekitError('E_BUFFER_SIZE', `read of ${length} bytes into a ${into.length}-byte buffer`, { length, into: into.length });
    }
    if (length === 0) return into ?? new Uint8Array(0);
    this.reads++;
    const out = await this.readRange(offset, length, into);
    this.bytesRead += length;
    return out;
  }

  protected abstract readRange(offset: number, length: number, into: Uint8Array | undefined): Promise<Uint8Array>;

  async close(): Promise<void> {}
}

/** Bytes already in memory: reads are views. */
class MemorySource extends CountingSource {
  readonly kind: 'bytes' | 'mmap';
  readonly #bytes: Uint8Array;
  constructor(bytes: Uint8Array, name: string, kind: 'bytes' | 'mmap') {
    super(name, bytes.length);
    this.#bytes = bytes;
    this.kind = kind;
  }
  protected async readRange(offset: number, length: number, into: Uint8Array | undefined): Promise<Uint8Array> {
    const view = this.#bytes.subarray(offset, offset + length);
    if (!into) return view;
    into.set(view);
    return into;
  }
}

/** Positional reads on an open file handle (node:fs; Node and Bun). */
class FileSource extends CountingSource {
  readonly kind = 'file' as const;
  readonly #fh: import('node:fs/promises').FileHandle;
  constructor(fh: import('node:fs/promises').FileHandle, name: string, size: number) {
    super(name, size);
    this.#fh = fh;
  }
  protected async readRange(offset: number, length: number, into: Uint8Array | undefined): Promise<Uint8Array> {
    const out = into ?? new Uint8Array(length);
    let done = 0;
    try {
      while (done < length) {
        const { bytesRead } = await this.#fh.read(out, done, length - done, offset + done);
        if (bytesRead === 0) throw new Error(`the file ended at byte ${offset + done}`);
        done += bytesRead;
      }
    } catch (e) {
      throw new FramekitError('E_IO', `cannot read ${this.name}: ${(e as Error).message}`, { source: this.name, offset, length });
    }
    return out;
  }
  override async close(): Promise<void> {
    await this.#fh.close();
  }
}

/** `Blob.slice` (browser `File`s, Blobs anywhere). */
class BlobSource extends CountingSource {
  readonly kind = 'blob' as const;
  readonly #blob: Blob;
  constructor(blob: Blob, name: string) {
    super(name, blob.size);
    this.#blob = blob;
  }
  protected async readRange(offset: number, length: number, into: Uint8Array | undefined): Promise<Uint8Array> {
    let got: Uint8Array;
    try {
      got = new Uint8Array(await this.#blob.slice(offset, offset + length).arrayBuffer());
    } catch (e) {
      throw new FramekitError('E_IO', `cannot read ${this.name}: ${(e as Error).message}`, { source: this.name, offset, length });
    }
    if (got.length !== length) throw new FramekitError('E_IO', `${this.name} gave ${got.length} of ${length} bytes`, { source: this.name });
    if (!into) return got;
    into.set(got);
    return into;
  }
}

/** HTTP Range requests: one request per read, each answered 206 with exactly the bytes asked for. */
class HttpSource extends CountingSource {
  readonly kind = 'http' as const;
  readonly #fetch: typeof fetch;
  readonly #headers: Record<string, string>;
  constructor(name: string, size: number, f: typeof fetch, headers: Record<string, string>) {
    super(name, size);
    this.#fetch = f;
    this.#headers = headers;
  }
  protected async readRange(offset: number, length: number, into: Uint8Array | undefined): Promise<Uint8Array> {
    const res = await rangeRequest(this.#fetch, this.name, this.#headers, offset, offset + length - 1);
    const got = new Uint8Array(await res.arrayBuffer());
    if (got.length !== length) {
      throw new FramekitError('E_IO', `${this.name} answered ${got.length} bytes to a range of ${length}`, {
        source: this.name,
        offset,
        length,
      });
    }
    if (!into) return got;
    into.set(got);
    return into;
  }
}

async function rangeRequest(f: typeof fetch, url: string, headers: Record<string, string>, first: number, last: number): Promise<Response> {
  let res: Response;
  try {
    res = await f(url, { headers: { ...headers, Range: `bytes=${first}-${last}` } });
  } catch (e) {
    throw new FramekitError('E_IO', `cannot fetch ${url}: ${(e as Error).message}`, { source: url });
  }
  if (res.status !== 206) {
    await res.body?.cancel().catch(() => undefined);
    const why = res.ok ? 'the server does not answer Range requests (it sent the whole file)' : `HTTP ${res.status}`;
    throw new FramekitError('E_IO', `cannot read bytes ${first}..${last} of ${url}: ${why}`, { source: url, status: res.status });
  }
  return res;
}

/** A source over bytes in memory (reads are views; counted as the others). */
export function bytesSource(bytes: Uint8Array, name = 'memory'): ByteSource {
  return new MemorySource(bytes, name, 'bytes');
}

/** A source over a Blob or File, read with `Blob.slice`. */
export function blobSource(blob: Blob, name = 'blob'): ByteSource {
  return new BlobSource(blob, name);
}

/** Opens a file for positional reads (node:fs `FileHandle.read`). E_IO when it cannot be opened. */
export async function fileSource(path: string): Promise<ByteSource> {
  const fs = await import('node:fs/promises');
  let fh: import('node:fs/promises').FileHandle | null = null;
  try {
    fh = await fs.open(path, 'r');
    const st = await fh.stat();
    if (!st.isFile()) throw new Error('not a regular file');
    return new FileSource(fh, path, st.size);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    throw new FramekitError('E_IO', `cannot open ${path}: ${(e as Error).message}`, { source: path });
  }
}

type BunMmap = (path: string, opts?: { shared?: boolean }) => Uint8Array;
const bunMmap = (): BunMmap | undefined => (globalThis as { Bun?: { mmap?: BunMmap } }).Bun?.mmap;

/** True where `Bun.mmap` exists. */
export function canMmap(): boolean {
  return typeof bunMmap() === 'function';
}

/**
 * Maps a file with `Bun.mmap` (Bun only): reads are views into the mapping, copied nowhere; the
 * kernel reads a page from disk when it is first touched. E_DEPENDENCY outside Bun, E_IO when the
 * file cannot be mapped.
 */
export async function mmapSource(path: string): Promise<ByteSource> {
  const mmap = bunMmap();
  if (!mmap) throw new FramekitError('E_DEPENDENCY', 'memory mapping needs Bun (Bun.mmap); use fileSource in Node', { package: 'bun' });
  const { stat } = await import('node:fs/promises');
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new Error('not a regular file');
    // An empty file cannot be mapped; it is an empty source (and an invalid tensor file).
    return new MemorySource(st.size === 0 ? new Uint8Array(0) : mmap(path, { shared: false }), path, 'mmap');
  } catch (e) {
    throw new FramekitError('E_IO', `cannot map ${path}: ${(e as Error).message}`, { source: path });
  }
}

/**
 * A source over HTTP Range requests. One probe (`Range: bytes=0-0`) learns the size; the server must
 * answer 206 with a Content-Range total, else E_IO (a server that ignores Range would send the whole file).
 */
export async function httpSource(url: string | URL, o: Pick<ByteSourceOptions, 'fetch' | 'headers'> = {}): Promise<ByteSource> {
  const f = o.fetch ?? globalThis.fetch;
  const name = String(url);
  const headers = o.headers ?? {};
  const res = await rangeRequest(f, name, headers, 0, 0);
  const total = /\/(\d+)\s*$/.exec(res.headers.get('content-range') ?? '')?.[1];
  await res.body?.cancel().catch(() => undefined);
  if (total === undefined || !Number.isSafeInteger(Number(total))) {
    throw new FramekitError('E_IO', `${name} sent no file size (Content-Range: bytes 0-0/SIZE)`, { source: name });
  }
  const src = new HttpSource(name, Number(total), f, headers);
  src.reads = 1;
  return src;
}

/**
 * Opens a byte source for `input`: a ByteSource as it is; bytes in memory; a Blob; an http(s) or
 * blob: URL over Range requests (in a browser every string is a URL); a path (or file: URL) with
 * `Bun.mmap` in Bun and positional reads elsewhere.
 */
export async function openByteSource(input: ByteInput, o: ByteSourceOptions = {}): Promise<ByteSource> {
  if (input instanceof Uint8Array) return bytesSource(input);
  if (typeof Blob !== 'undefined' && input instanceof Blob) return blobSource(input);
  if (typeof input === 'object' && !(input instanceof URL)) return input as ByteSource;
  const text = String(input);
  const server = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string';
  if (/^blob:/.test(text)) return blobSource(await (await (o.fetch ?? fetch)(text)).blob(), text);
  if (!server || /^https?:/.test(text)) return httpSource(text, o);
  const path = text.startsWith('file:') ? (await import('node:url')).fileURLToPath(text) : text;
  return o.mmap !== false && canMmap() ? mmapSource(path) : fileSource(path);
}
