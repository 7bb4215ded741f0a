/// <reference types="@webgpu/types" />
import type { KernelContext } from '../../core/context.js';
import { FramekitError } from '../../errors.js';
import type { Region } from '../../memory/arena.js';
import { trackLoaded, untrackLoaded, type LoadedModel } from '../registry.js';
import { headerLength, MAX_HEADER_BYTES, parseHeader, type Dtype, type SafetensorsHeader, type TensorInfo } from './header.js';
import { openByteSource, type ByteInput, type ByteSource, type ByteSourceOptions } from './source.js';

/** A typed array of a tensor's elements (16-bit floats, packed sub-byte and 8-bit floats as raw unsigned integers). */
export type TensorArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | BigInt64Array
  | BigUint64Array;

type ArrayCtor = { new (buffer: ArrayBufferLike, byteOffset: number, length: number): TensorArray; BYTES_PER_ELEMENT: number };

/** The typed array each dtype is read as. F16 and BF16 are their raw bits (Uint16Array), C64 is (re, im) Float32 pairs. */
const ARRAY: Record<Dtype, ArrayCtor> = {
  BOOL: Uint8Array,
  U8: Uint8Array,
  I8: Int8Array,
  F8_E5M2: Uint8Array,
  F8_E4M3: Uint8Array,
  F8_E8M0: Uint8Array,
  I16: Int16Array,
  U16: Uint16Array,
  F16: Uint16Array,
  BF16: Uint16Array,
  I32: Int32Array,
  U32: Uint32Array,
  F32: Float32Array,
  F64: Float64Array,
  I64: BigInt64Array,
  U64: BigUint64Array,
  C64: Float32Array,
  F4: Uint8Array,
  F6_E2M3: Uint8Array,
  F6_E3M2: Uint8Array,
};

/** A typed array over `bytes` when their offset is a multiple of the element size, else null. */
function viewOf(dtype: Dtype, bytes: Uint8Array): TensorArray | null {
  const C = ARRAY[dtype];
  if (bytes.byteOffset % C.BYTES_PER_ELEMENT !== 0) return null;
  return new C(bytes.buffer, bytes.byteOffset, bytes.length / C.BYTES_PER_ELEMENT);
}

/** A tensor copied into the arena: free it with `file.free(ctx, t)` (or `ctx.arena.free(t.region)`). */
export interface ArenaTensor {
  readonly info: TensorInfo;
  /** The arena region (16-byte aligned) holding the bytes from `region.ptr`. */
  readonly region: Region;
  /** The elements, a view over the context's memory. */
  readonly data: TensorArray;
}

export interface SafetensorsOptions extends ByteSourceOptions {
  /** Largest header (JSON) accepted, in bytes (default 100 MB, the format's reference limit). */
  maxHeaderBytes?: number;
}

/** GPUBufferUsage.STORAGE | COPY_DST | COPY_SRC (numbers: Node has no GPUBufferUsage global). */
const GPU_TENSOR_USAGE = 0x80 | 0x08 | 0x04;

/**
 * A safetensors file opened lazily: `open` reads the 8-byte length and the header (and nothing
 * else), checks every tensor's dtype, shape and offsets (E_TENSOR_FILE otherwise), and each tensor's
 * bytes are read the first time they are asked for. `bytesRead` counts what was read.
 *
 * Where the bytes go:
 * - `bytes(name)` / `array(name)`: a view into the mapping (Bun.mmap: no copy) or the buffer one
 *   positional read, Blob slice or Range request filled (kept for later calls); `array` is a typed
 *   view where the tensor's offset allows one, else one aligned copy (allocates).
 * - `toArena(ctx, name)`: one copy into the arena, where WASM kernels can read it: read straight into
 *   the arena by positional reads, copied from the mapping, never held anywhere else.
 * - `toGpu(device, name)`: `queue.writeBuffer` straight from the mapped (or read) bytes.
 */
export class SafetensorsFile {
  readonly source: ByteSource;
  readonly header: SafetensorsHeader;
  readonly #cache = new Map<string, Promise<Uint8Array>>();
  readonly #touched = new Set<string>();
  #copies = 0;
  #closed = false;

  private constructor(source: ByteSource, header: SafetensorsHeader) {
    this.source = source;
    this.header = header;
  }

  /**
   * Opens and checks a tensor file: a path (Bun: mapped; Node: positional reads), an http(s) URL
   * (Range requests), a Blob, bytes, or a ByteSource. Reads the header only. E_TENSOR_FILE when it is
   * malformed (the source is closed then), E_IO when it cannot be read.
   */
  static async open(input: ByteInput, o: SafetensorsOptions = {}): Promise<SafetensorsFile> {
    const source = await openByteSource(input, o);
    try {
      const n = headerLength(await source.read(0, Math.min(8, source.size)), source.size, o.maxHeaderBytes ?? MAX_HEADER_BYTES);
      const header = parseHeader(await source.read(8, n), source.size);
      const file = new SafetensorsFile(source, header);
      trackLoaded(file);
      return file;
    } catch (e) {
      if (source !== input) await source.close().catch(() => undefined);
      throw e;
    }
  }

  /** The tensors in file order. */
  get tensors(): readonly TensorInfo[] {
    return this.header.tensors;
  }

  /** The `__metadata__` strings. */
  get metadata(): Readonly<Record<string, string>> {
    return this.header.metadata;
  }

  /** Bytes read from the source so far (the header included). */
  get bytesRead(): number {
    return this.source.bytesRead;
  }

  /** Tensors whose bytes have been read at least once. */
  get tensorsLoaded(): number {
    return this.#touched.size;
  }

  /** Copies made because a view was impossible (an unaligned tensor's first `array()`); arena and GPU copies are not counted. */
  get copies(): number {
    return this.#copies;
  }

  has(name: string): boolean {
    return this.header.byName.has(name);
  }

  /** A tensor's description; E_ARGUMENT when the file has no tensor of that name. */
  info(name: string): TensorInfo {
    const t = this.header.byName.get(name);
    if (!t) throw new FramekitError('E_ARGUMENT', `${this.source.name} has no tensor ${JSON.stringify(name)}`, { tensor: name });
    return t;
  }

  /** A tensor's raw bytes, read on the first call and shared by later ones. */
  bytes(name: string): Promise<Uint8Array> {
    const t = this.#live(name);
    let p = this.#cache.get(name);
    if (!p) {
      p = this.#read(t, undefined);
      this.#cache.set(name, p);
      p.catch(() => this.#cache.delete(name));
    }
    return p;
  }

  /** A tensor's elements: a view over `bytes(name)` where aligned, else one aligned copy (allocates). */
  async array(name: string): Promise<TensorArray> {
    const t = this.info(name);
    const b = await this.bytes(name);
    const v = viewOf(t.dtype, b);
    if (v) return v;
    // The aligned copy replaces the unaligned view as this tensor's bytes: later calls reuse it.
    const copy = b.slice();
    if (this.#cache.has(name)) this.#cache.set(name, Promise.resolve(copy));
    this.#copies++;
    return viewOf(t.dtype, copy)!;
  }

  /**
   * Copies a tensor into the arena (one copy: positional reads land there directly; a mapping is
   * copied from). E_OUT_OF_MEMORY, with nothing held, when the arena cannot take it; on a read
   * error the region is freed again. Allocates an arena region: call at setup.
   */
  async toArena(ctx: KernelContext, name: string): Promise<ArenaTensor> {
    const t = this.#live(name);
    const region = ctx.arena.alloc(Math.max(1, t.byteLength), `tensor ${name}`);
    try {
      const dst = ctx.heap.subarray(region.ptr, region.ptr + t.byteLength);
      const cached = this.#cache.get(name);
      if (cached) dst.set(await cached);
      else await this.#read(t, dst);
    } catch (e) {
      ctx.arena.free(region);
      throw e;
    }
    return { info: t, region, data: viewOf(t.dtype, ctx.heap.subarray(region.ptr, region.ptr + t.byteLength))! };
  }

  /** Returns an arena tensor's region. */
  free(ctx: KernelContext, t: ArenaTensor): void {
    ctx.arena.free(t.region);
  }

  /**
   * Writes a tensor into a GPU buffer with `queue.writeBuffer`, straight from the mapped or read
   * bytes (no staging copy in JS; a last partial 4-byte word goes through a 4-byte temporary, as
   * writeBuffer takes whole words). Into `o.buffer` at `o.offset` (a multiple of 4), or a new
   * STORAGE | COPY_DST | COPY_SRC buffer of the size rounded up to 4, which the caller destroys.
   */
  async toGpu(device: GPUDevice, name: string, o: { buffer?: GPUBuffer; offset?: number } = {}): Promise<GPUBuffer> {
    const t = this.#live(name);
    const offset = o.offset ?? 0;
    const padded = (t.byteLength + 3) & ~3;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset % 4 !== 0 || (o.buffer && offset + padded > o.buffer.size)) {
      throw new FramekitError('E_ARGUMENT', `tensor ${name} (${t.byteLength} bytes) does not fit at byte ${offset} of the GPU buffer`, {
        offset,
        bytes: t.byteLength,
        bufferSize: o.buffer?.size,
      });
    }
    // A mapping's view costs nothing to keep; other sources read into a buffer dropped after the upload.
    const bytes =
      this.#cache.has(name) || this.source.kind === 'mmap' || this.source.kind === 'bytes'
        ? await this.bytes(name)
        : await this.#read(t, undefined);
    const buffer = o.buffer ?? device.createBuffer({ label: `tensor ${name}`, size: Math.max(4, padded), usage: GPU_TENSOR_USAGE });
    const whole = t.byteLength & ~3;
    const q = device.queue;
    if (whole > 0) q.writeBuffer(buffer, offset, bytes as Uint8Array<ArrayBuffer>, 0, whole);
    if (whole < t.byteLength) {
      const tail = new Uint8Array(4);
      tail.set(bytes.subarray(whole));
      q.writeBuffer(buffer, offset + whole, tail);
    }
    return buffer;
  }

  /** Closes the source; later reads throw E_STATE. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#cache.clear();
    untrackLoaded(this);
    await this.source.close();
  }

  /** What `loadedModels()` and `framekit info` show. */
  report(): LoadedModel {
    return {
      kind: 'safetensors',
      name: this.source.name,
      bytes: this.source.size,
      bytesRead: this.source.bytesRead,
      via: this.source.kind,
      tensors: this.tensors.length,
      tensorsLoaded: this.tensorsLoaded,
    };
  }

  #live(name: string): TensorInfo {
    if (this.#closed) throw new FramekitError('E_STATE', `${this.source.name} was closed`);
    return this.info(name);
  }

  async #read(t: TensorInfo, into: Uint8Array | undefined): Promise<Uint8Array> {
    const b = await this.source.read(t.offset, t.byteLength, into);
    this.#touched.add(t.name);
    return b;
  }
}
