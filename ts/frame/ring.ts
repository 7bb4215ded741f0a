import { FramekitError } from '../errors.js';

/** Header cells (Int32): write index, read index, drop count, capacity x 2 + overwrite flag. */
const WRITE = 0;
const READ = 1;
const DROPPED = 2;
const CONFIG = 3;
/** Bytes before the storage: the four header cells. */
export const RING_HEADER_BYTES = 16;
const MAX_CAPACITY = 1 << 28;

export interface FrameRingOptions {
  /**
   * Live-video mode: a push into a full ring overwrites the oldest item (counted in `dropped`, and
   * left in `lastDropped` so the producer can release that frame) instead of failing.
   */
  overwrite?: boolean;
}

function checkCapacity(capacity: number): void {
  if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY || (capacity & (capacity - 1)) !== 0) {
    throw new FramekitError('E_ARGUMENT', `ring capacity must be a power of two from 1 to 2^28, got ${String(capacity)}`, { capacity });
  }
}

/**
 * A single-producer single-consumer ring of non-negative int32 items (frame handles) over a
 * SharedArrayBuffer, as ringbuf.js lays it out: indices in the first cells, storage after. Only
 * indices cross threads; the pixels stay in the shared WebAssembly memory.
 *
 * The indices are free-running int32 counters; an item's cell is `index & (capacity - 1)`, which
 * stays right across the 2^32 wrap because the capacity divides 2^32. The producer writes items
 * with plain stores and publishes them with one Atomics.store of the write index; the consumer
 * does the same with the read index. In overwrite mode the producer may also advance the read
 * index (dropping the oldest item), so both sides move it with compareExchange: a consumer whose
 * exchange fails read an item that was dropped under it, and tries again.
 *
 * Every method except the constructors allocates nothing.
 */
export class FrameRing {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
  readonly byteOffset: number;
  readonly capacity: number;
  readonly overwrite: boolean;
  /** The item the last push overwrote in overwrite mode, or -1. Producer side only. */
  lastDropped = -1;
  readonly #h: Int32Array;
  readonly #s: Int32Array;
  readonly #mask: number;

  /** Bytes a ring of `capacity` items needs (header and storage). */
  static bytesFor(capacity: number): number {
    checkCapacity(capacity);
    return RING_HEADER_BYTES + capacity * 4;
  }

  /** Allocates a SharedArrayBuffer for a new ring (setup only), or an ArrayBuffer where SharedArrayBuffer is missing. */
  static create(capacity: number, o: FrameRingOptions = {}): FrameRing {
    const bytes = FrameRing.bytesFor(capacity);
    const buf = typeof SharedArrayBuffer === 'function' ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
    return FrameRing.init(buf, 0, capacity, o);
  }

  /** Writes a new, empty ring's header at `byteOffset` of `buffer` (which must hold `bytesFor(capacity)` bytes there). */
  static init(buffer: SharedArrayBuffer | ArrayBuffer, byteOffset: number, capacity: number, o: FrameRingOptions = {}): FrameRing {
    const bytes = FrameRing.bytesFor(capacity);
    if (!Number.isInteger(byteOffset) || byteOffset < 0 || byteOffset % 4 !== 0 || byteOffset + bytes > buffer.byteLength) {
      throw new FramekitError(
        'E_OUT_OF_BOUNDS',
        `a ring of ${capacity} needs ${bytes} bytes at a 4-byte aligned offset; got offset ${byteOffset} in ${buffer.byteLength}`,
        {
          byteOffset,
          bytes,
        },
      );
    }
    const h = new Int32Array(buffer, byteOffset, 4);
    Atomics.store(h, WRITE, 0);
    Atomics.store(h, READ, 0);
    Atomics.store(h, DROPPED, 0);
    Atomics.store(h, CONFIG, capacity * 2 + (o.overwrite ? 1 : 0));
    return new FrameRing(buffer, byteOffset);
  }

  /** Opens the ring already laid out at `byteOffset` of `buffer` (the other thread's side): capacity and mode come from its header. */
  constructor(buffer: SharedArrayBuffer | ArrayBuffer, byteOffset = 0) {
    if (byteOffset % 4 !== 0 || byteOffset + RING_HEADER_BYTES > buffer.byteLength) {
      throw new FramekitError('E_OUT_OF_BOUNDS', `no ring header at offset ${byteOffset} of a ${buffer.byteLength}-byte buffer`, {
        byteOffset,
      });
    }
    this.buffer = buffer;
    this.byteOffset = byteOffset;
    this.#h = new Int32Array(buffer, byteOffset, 4);
    const config = Atomics.load(this.#h, CONFIG);
    this.capacity = config >>> 1;
    this.overwrite = (config & 1) === 1;
    checkCapacity(this.capacity);
    if (byteOffset + RING_HEADER_BYTES + this.capacity * 4 > buffer.byteLength) {
      throw new FramekitError('E_OUT_OF_BOUNDS', `ring storage of ${this.capacity} items runs past the buffer`, { byteOffset });
    }
    this.#s = new Int32Array(buffer, byteOffset + RING_HEADER_BYTES, this.capacity);
    this.#mask = this.capacity - 1;
  }

  /** Items ready to pop (a snapshot; the other side may change it). */
  get size(): number {
    return (Atomics.load(this.#h, WRITE) - Atomics.load(this.#h, READ)) | 0;
  }

  /** Room for pushes (a snapshot). */
  get free(): number {
    return this.capacity - this.size;
  }

  /** Items overwritten in overwrite mode since the ring was made. */
  get dropped(): number {
    return Atomics.load(this.#h, DROPPED);
  }

  /**
   * Producer: appends `item` (a non-negative int32). Returns false when the ring is full, except in
   * overwrite mode, where it overwrites the oldest item (its value in `lastDropped`) and returns true.
   */
  push(item: number): boolean {
    if (item < 0 || (item | 0) !== item) throw new FramekitError('E_ARGUMENT', `ring items are non-negative int32, got ${item}`);
    const h = this.#h;
    const w = Atomics.load(h, WRITE);
    const r = Atomics.load(h, READ);
    this.lastDropped = -1;
    if (((w - r) | 0) >= this.capacity) {
      if (!this.overwrite) return false;
      // Full: take the oldest from under the consumer. If the exchange fails the consumer has just
      // popped it, and there is room now.
      if (Atomics.compareExchange(h, READ, r, (r + 1) | 0) === r) {
        this.lastDropped = this.#s[r & this.#mask]!;
        Atomics.add(h, DROPPED, 1);
      }
    }
    this.#s[w & this.#mask] = item;
    Atomics.store(h, WRITE, (w + 1) | 0);
    return true;
  }

  /** Consumer: the oldest item, or -1 when the ring is empty. */
  pop(): number {
    const h = this.#h;
    for (;;) {
      const r = Atomics.load(h, READ);
      const w = Atomics.load(h, WRITE);
      if (r === w) return -1;
      const item = this.#s[r & this.#mask]!;
      if (!this.overwrite) {
        Atomics.store(h, READ, (r + 1) | 0);
        return item;
      }
      if (Atomics.compareExchange(h, READ, r, (r + 1) | 0) === r) return item;
    }
  }

  /** Producer: pushes `src[start..end)` in order as far as there is room; returns how many. */
  write(src: Int32Array, start = 0, end = src.length): number {
    if (this.overwrite) {
      for (let i = start; i < end; i++) this.push(src[i]!);
      return end - start;
    }
    const h = this.#h;
    const w = Atomics.load(h, WRITE);
    const r = Atomics.load(h, READ);
    const n = Math.min(end - start, this.capacity - ((w - r) | 0));
    const s = this.#s;
    const mask = this.#mask;
    for (let i = 0; i < n; i++) {
      const item = src[start + i]!;
      if (item < 0) throw new FramekitError('E_ARGUMENT', `ring items are non-negative int32, got ${item}`);
      s[(w + i) & mask] = item;
    }
    Atomics.store(h, WRITE, (w + n) | 0);
    return n;
  }

  /** Consumer: pops up to `end - start` items into `dst[start..)`; returns how many. */
  read(dst: Int32Array, start = 0, end = dst.length): number {
    if (this.overwrite) {
      let n = 0;
      while (start + n < end) {
        const item = this.pop();
        if (item < 0) break;
        dst[start + n++] = item;
      }
      return n;
    }
    const h = this.#h;
    const r = Atomics.load(h, READ);
    const w = Atomics.load(h, WRITE);
    const n = Math.min(end - start, (w - r) | 0);
    const s = this.#s;
    const mask = this.#mask;
    for (let i = 0; i < n; i++) dst[start + i] = s[(r + i) & mask]!;
    Atomics.store(h, READ, (r + n) | 0);
    return n;
  }
}
