import { FramekitError } from '../errors.js';
import { contextOf, type ContextSource, type KernelContext } from '../core/context.js';
import type { Region } from '../memory/arena.js';

/** Bytes before the samples in the ring's region: write index, read index, padding to 16. */
const HEADER = 16;
const WRITE = 0;
const READ = 1;
const MAX_CAPACITY = 1 << 26;

/**
 * A single-producer single-consumer ring of Float32 PCM samples in a fixed region of framekit's
 * memory: header (write and read indices as int32 counters) then `capacity` samples, capacity a
 * power of two. A push or pop copies a block that wraps, in at most two spans, with the WASM
 * `ring_write` / `ring_read` kernels (wasm/ring.ts; `copyWithin` on the reference backend) and
 * publishes the new index with one Atomics.store. Indices count samples and wrap at 2^32; a
 * sample's cell is `index & (capacity - 1)`.
 *
 * The region is reserved once by the constructor (allocates arena space: setup only); `push`,
 * `pop` and their pointer forms allocate nothing. Another thread sharing the memory (a worker, an
 * AudioWorklet) opens the same ring with `SampleRing.open(buffer, ring.layout)`; its copies are
 * JS loops (it has no WASM instance), and it may be either side: producer or consumer.
 */
export interface SampleRingLayout {
  /** Byte offset of the ring's header in the memory; the samples start 16 bytes later. */
  readonly ptr: number;
  readonly capacity: number;
}

export class SampleRing {
  readonly capacity: number;
  readonly region: Region;
  /** Byte offset of the first sample in the memory. */
  readonly storagePtr: number;
  /** The owner's framekit; null for a ring opened on another thread. */
  readonly #ctx: KernelContext | null;
  readonly #heap: Uint8Array;
  readonly #h: Int32Array;
  readonly #f32: Float32Array;
  /** The memory's buffer, read once (a shared memory's `.buffer` getter may make a new object per call). */
  readonly #buf: ArrayBufferLike;
  readonly #mask: number;
  readonly #cells: Float32Array;
  readonly #cellBytes: Uint8Array;
  #disposed = false;

  /** Reserves the ring's region in the context's (or Framekit's) arena and empties it. */
  constructor(src: ContextSource, capacity: number);
  /** @internal SampleRing.open() */
  constructor(fk: null, capacity: number, opened: { buffer: ArrayBufferLike; ptr: number });
  constructor(src: ContextSource | null, capacity: number, opened?: { buffer: ArrayBufferLike; ptr: number }) {
    const ctx = src && contextOf(src);
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
      throw new FramekitError('E_ARGUMENT', `sample ring capacity must be a power of two from 1 to 2^26, got ${String(capacity)}`, {
        capacity,
      });
    }
    this.#ctx = ctx;
    this.capacity = capacity;
    this.#mask = capacity - 1;
    if (ctx) {
      this.region = ctx.arena.alloc(HEADER + capacity * 4, `sample ring of ${capacity}`);
      this.#buf = ctx.heap.buffer;
    } else {
      const { buffer, ptr } = opened!;
      if (!Number.isInteger(ptr) || ptr < 0 || ptr % 16 !== 0 || ptr + HEADER + capacity * 4 > buffer.byteLength) {
        throw new FramekitError(
          'E_OUT_OF_BOUNDS',
          `a sample ring of ${capacity} at ${ptr} does not fit a ${buffer.byteLength}-byte buffer`,
          { ptr, capacity },
        );
      }
      this.region = Object.freeze({ ptr, size: HEADER + capacity * 4 });
      this.#buf = buffer;
    }
    this.storagePtr = this.region.ptr + HEADER;
    this.#heap = new Uint8Array(this.#buf);
    this.#h = new Int32Array(this.#buf, this.region.ptr, 2);
    this.#f32 = new Float32Array(this.#buf);
    this.#cells = new Float32Array(this.#buf, this.storagePtr, capacity);
    this.#cellBytes = new Uint8Array(this.#buf, this.storagePtr, capacity * 4);
    if (ctx) {
      Atomics.store(this.#h, WRITE, 0);
      Atomics.store(this.#h, READ, 0);
    }
  }

  /** Opens, on another thread, the ring that `layout` describes in the shared memory's `buffer`. */
  static open(buffer: ArrayBufferLike, layout: SampleRingLayout): SampleRing {
    return new SampleRing(null, layout.capacity, { buffer, ptr: layout.ptr });
  }

  /** What another thread needs to open this ring (post it with the memory's buffer). */
  get layout(): SampleRingLayout {
    return { ptr: this.region.ptr, capacity: this.capacity };
  }

  /** Samples ready to pop (a snapshot). */
  get size(): number {
    return (Atomics.load(this.#h, WRITE) - Atomics.load(this.#h, READ)) | 0;
  }

  /** Room for samples (a snapshot). */
  get free(): number {
    return this.capacity - this.size;
  }

  /**
   * Producer: appends all of `src` or nothing; returns false when there is no room for the whole
   * block. A view over framekit's memory is copied by WASM; any other Float32Array by a JS loop.
   */
  push(src: Float32Array): boolean {
    if (src.buffer === this.#buf) return this.pushFrom(src.byteOffset, src.length);
    const n = src.length;
    const w = this.#begin(WRITE, n);
    if (w === null) return false;
    const f = this.#f32;
    const base = this.storagePtr >>> 2;
    const mask = this.#mask;
    for (let i = 0; i < n; i++) f[base + ((w + i) & mask)] = src[i]!;
    Atomics.store(this.#h, WRITE, (w + n) | 0);
    return true;
  }

  /** Producer: appends `count` samples from byte offset `ptr` of the memory (4-byte aligned, inside the arena). */
  pushFrom(ptr: number, count: number): boolean {
    this.#checkRange(ptr, count);
    const w = this.#begin(WRITE, count);
    if (w === null) return false;
    const px = this.#ctx?.wasm?.pixels;
    const off = (w & this.#mask) * 4;
    if (px) px.ring_write(this.storagePtr, this.capacity * 4, off, ptr, count * 4);
    else this.#copy(this.storagePtr, off, ptr, count * 4, true);
    Atomics.store(this.#h, WRITE, (w + count) | 0);
    return true;
  }

  /** Consumer: fills all of `dst` or nothing; returns false when fewer samples are ready. */
  pop(dst: Float32Array): boolean {
    if (dst.buffer === this.#buf) return this.popInto(dst.byteOffset, dst.length);
    const n = dst.length;
    const r = this.#begin(READ, n);
    if (r === null) return false;
    const f = this.#f32;
    const base = this.storagePtr >>> 2;
    const mask = this.#mask;
    for (let i = 0; i < n; i++) dst[i] = f[base + ((r + i) & mask)]!;
    Atomics.store(this.#h, READ, (r + n) | 0);
    return true;
  }

  /** Consumer: moves `count` samples to byte offset `ptr` of the memory (4-byte aligned, inside the arena). */
  popInto(ptr: number, count: number): boolean {
    this.#checkRange(ptr, count);
    const r = this.#begin(READ, count);
    if (r === null) return false;
    const px = this.#ctx?.wasm?.pixels;
    const off = (r & this.#mask) * 4;
    if (px) px.ring_read(ptr, this.storagePtr, this.capacity * 4, off, count * 4);
    else this.#copy(this.storagePtr, off, ptr, count * 4, false);
    Atomics.store(this.#h, READ, (r + count) | 0);
    return true;
  }

  /**
   * Producer, writing in place: the ring index where `count` samples may be written now (cells
   * `(index + i) & (capacity - 1)` of `cells`), or -1 when there is no room for all of them. A source
   * that converts or reads straight into the ring (a file read, a sample-format conversion) writes
   * there and publishes with `commit(count)`: one copy, no staging block.
   */
  reserve(count: number): number {
    if (!Number.isInteger(count) || count < 0)
      throw new FramekitError('E_ARGUMENT', `sample count must be a non-negative integer, got ${count}`);
    const w = this.#begin(WRITE, count);
    return w === null ? -1 : w;
  }

  /** Producer: publishes `count` samples written in place after `reserve`. */
  commit(count: number): void {
    const w = this.#begin(WRITE, count);
    if (w === null) throw new FramekitError('E_STATE', `commit of ${count} samples: the ring has room for ${this.free}`, { count });
    Atomics.store(this.#h, WRITE, (w + count) | 0);
  }

  /** The ring's cells as a Float32Array view (made once): cell `index & (capacity - 1)` holds sample `index`. */
  get cells(): Float32Array {
    return this.#cells;
  }

  /** The ring's cells as bytes (made once), for readers that fill them straight from a file. */
  get cellBytes(): Uint8Array {
    return this.#cellBytes;
  }

  /** The consumer's counter: ring index of the next sample to pop (int32, wraps at 2^32). */
  get readIndex(): number {
    return Atomics.load(this.#h, READ);
  }

  /** The producer's counter: ring index one past the last sample pushed (int32, wraps at 2^32). */
  get writeIndex(): number {
    return Atomics.load(this.#h, WRITE);
  }

  /**
   * Consumer: copies `count` samples, starting `offset` samples after the read index, to byte offset
   * `ptr` of the memory without consuming them (a reader that needs overlapping windows pops later
   * with `skip`). Returns false, copying nothing, when fewer than `offset + count` samples are ready.
   */
  peekInto(ptr: number, count: number, offset = 0): boolean {
    this.#checkRange(ptr, count);
    if (!Number.isInteger(offset) || offset < 0)
      throw new FramekitError('E_ARGUMENT', `peek offset must be a non-negative integer, got ${offset}`);
    const r = this.#begin(READ, offset + count);
    if (r === null) return false;
    const px = this.#ctx?.wasm?.pixels;
    const off = ((r + offset) & this.#mask) * 4;
    if (px) px.ring_read(ptr, this.storagePtr, this.capacity * 4, off, count * 4);
    else this.#copy(this.storagePtr, off, ptr, count * 4, false);
    return true;
  }

  /** Consumer: drops `count` samples without copying them; false, dropping nothing, when fewer are ready. */
  skip(count: number): boolean {
    if (!Number.isInteger(count) || count < 0)
      throw new FramekitError('E_ARGUMENT', `sample count must be a non-negative integer, got ${count}`);
    const r = this.#begin(READ, count);
    if (r === null) return false;
    Atomics.store(this.#h, READ, (r + count) | 0);
    return true;
  }

  /** Returns the region to the arena (the owner's ring); an opened ring just stops working. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#ctx?.arena.free(this.region);
  }

  /** The caller's own index when `n` samples fit (push) or are ready (pop), else null. */
  #begin(side: number, n: number): number | null {
    if (this.#disposed) throw new FramekitError('E_STATE', 'sample ring was disposed');
    if (n > this.capacity)
      throw new FramekitError('E_BUFFER_SIZE', `a block of ${n} samples is larger than the ring (${this.capacity})`, { n });
    const w = Atomics.load(this.#h, WRITE);
    const r = Atomics.load(this.#h, READ);
    const used = (w - r) | 0;
    if (side === WRITE) return this.capacity - used >= n ? w : null;
    return used >= n ? r : null;
  }

  #checkRange(ptr: number, count: number): void {
    if (!Number.isInteger(count) || count < 0)
      throw new FramekitError('E_ARGUMENT', `sample count must be a non-negative integer, got ${count}`);
    const inside = this.#ctx ? this.#ctx.arena.contains(ptr, count * 4) : ptr >= 0 && ptr + count * 4 <= this.#buf.byteLength;
    if (!Number.isInteger(ptr) || ptr % 4 !== 0 || !inside) {
      throw new FramekitError('E_OUT_OF_BOUNDS', `samples [${ptr}, ${ptr + count * 4}) are not 4-byte aligned inside the arena`, {
        ptr,
        count,
      });
    }
    const s = this.storagePtr;
    const e = s + this.capacity * 4;
    if (ptr < e && ptr + count * 4 > s) throw new FramekitError('E_ARGUMENT', 'samples overlap the ring storage', { ptr, count });
  }

  /** The two-span copy of wasm/ring.ts in JS, for the reference backend and opened rings. */
  #copy(storage: number, off: number, ptr: number, bytes: number, toRing: boolean): void {
    const heap = this.#heap;
    const cap = this.capacity * 4;
    const first = Math.min(bytes, cap - off);
    if (toRing) {
      heap.copyWithin(storage + off, ptr, ptr + first);
      heap.copyWithin(storage, ptr + first, ptr + bytes);
    } else {
      heap.copyWithin(ptr, storage + off, storage + off + first);
      heap.copyWithin(ptr + first, storage, storage + bytes - first);
    }
  }
}
