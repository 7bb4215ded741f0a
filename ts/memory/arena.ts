import { FramekitError } from '../errors.js';
import { alignUp, LAYOUT } from './layout.js';

/** A region of the shared memory: `size` bytes from byte offset `ptr`. */
export interface Region {
  readonly ptr: number;
  readonly size: number;
}

export interface ArenaStats {
  /** First byte the arena manages. */
  base: number;
  /** Bytes the arena manages. */
  capacity: number;
  /** Bytes handed out and not yet freed (each request rounded up to the alignment). */
  bytesInUse: number;
  /** The largest `bytesInUse` ever reached. */
  highWater: number;
  /** Regions handed out and not yet freed. */
  regions: number;
  /** The largest single request that would succeed now. */
  largestFree: number;
}

/**
 * Hands out 16-byte-aligned regions of [base, base + capacity) and takes them back.
 *
 * First fit over an address-ordered free list, coalescing neighbours on free. Allocation happens
 * when pools and planes are set up, not per frame, so the list stays short and a plain array is
 * the simplest correct structure. This class allocates small JS arrays when it splits or merges
 * blocks: not for the frame loop.
 */
export class Arena {
  readonly base: number;
  readonly capacity: number;
  #free: { ptr: number; size: number }[];
  #live = new Map<number, number>();
  #inUse = 0;
  #highWater = 0;

  constructor(base: number, capacity: number) {
    if (base % LAYOUT.alignment !== 0 || capacity % LAYOUT.alignment !== 0 || capacity <= 0) {
      throw new FramekitError('E_ARGUMENT', `arena base and capacity must be positive multiples of ${LAYOUT.alignment}`, {
        base,
        capacity,
      });
    }
    this.base = base;
    this.capacity = capacity;
    this.#free = [{ ptr: base, size: capacity }];
  }

  /** Reserves `bytes` (rounded up to 16). Throws E_OUT_OF_MEMORY when no free block is large enough. */
  alloc(bytes: number, label = 'region'): Region {
    if (!Number.isInteger(bytes) || bytes <= 0) {
      throw new FramekitError('E_ARGUMENT', `${label}: size must be a positive integer, got ${String(bytes)}`, { bytes });
    }
    const size = alignUp(bytes, LAYOUT.alignment);
    const i = this.#free.findIndex((b) => b.size >= size);
    if (i < 0) {
      throw new FramekitError(
        'E_OUT_OF_MEMORY',
        `${label}: ${bytes} bytes requested but the largest free block is ${this.#largestFree()} bytes ` +
          `(${this.#inUse} of ${this.capacity} in use); size the memory for it in createFramekit()`,
        { requested: bytes, largestFree: this.#largestFree(), bytesInUse: this.#inUse, capacity: this.capacity },
      );
    }
    const block = this.#free[i]!;
    const ptr = block.ptr;
    if (block.size === size) this.#free.splice(i, 1);
    else {
      block.ptr += size;
      block.size -= size;
    }
    this.#live.set(ptr, size);
    this.#inUse += size;
    if (this.#inUse > this.#highWater) this.#highWater = this.#inUse;
    return { ptr, size };
  }

  /** Returns a region. Freeing a region twice, or one the arena never handed out, throws E_STATE. */
  free(region: Region): void {
    const size = this.#live.get(region.ptr);
    if (size === undefined) {
      throw new FramekitError('E_STATE', `region at ${region.ptr} is not live in this arena (freed twice?)`, {
        ptr: region.ptr,
      });
    }
    this.#live.delete(region.ptr);
    this.#inUse -= size;
    const list = this.#free;
    let i = 0;
    while (i < list.length && list[i]!.ptr < region.ptr) i++;
    list.splice(i, 0, { ptr: region.ptr, size });
    // Merge with the next block, then with the previous one.
    const cur = list[i]!;
    const next = list[i + 1];
    if (next && cur.ptr + cur.size === next.ptr) {
      cur.size += next.size;
      list.splice(i + 1, 1);
    }
    const prev = list[i - 1];
    if (prev && prev.ptr + prev.size === cur.ptr) {
      prev.size += cur.size;
      list.splice(i, 1);
    }
  }

  /** True when `ptr .. ptr + bytes` lies inside the arena's range. */
  contains(ptr: number, bytes: number): boolean {
    return ptr >= this.base && bytes >= 0 && ptr + bytes <= this.base + this.capacity;
  }

  stats(): ArenaStats {
    return {
      base: this.base,
      capacity: this.capacity,
      bytesInUse: this.#inUse,
      highWater: this.#highWater,
      regions: this.#live.size,
      largestFree: this.#largestFree(),
    };
  }

  #largestFree(): number {
    let m = 0;
    for (const b of this.#free) if (b.size > m) m = b.size;
    return m;
  }
}
