import { FramekitError, checkDimension } from '../errors.js';
import { contextOf, type ContextSource, type KernelContext } from '../core/context.js';
import { Plane, bytesPerPixel, checkPlane, type PixelFormat } from '../image/plane.js';
import type { Region } from '../memory/arena.js';
import { alignUp, FRAME_SLOT_PARTS, LAYOUT } from '../memory/layout.js';
import { ATTACHMENT_KEYS, Frame, HANDLE_INDEX_BITS, type SlotView } from './frame.js';
import { oldestSingleHeld } from './pooled.js';

/** What `acquire()` does when every frame is in use. */
export type ExhaustedPolicy = 'drop-oldest' | 'error' | 'wait';

export type SlotType = 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'f32' | 'f64';
const SLOT_CTOR = {
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;

/** A named user slot: `length` elements of `type` (default u8) reserved in the arena for every frame. */
export interface SlotSpec {
  length: number;
  type?: SlotType;
}

export interface FramePoolOptions {
  width: number;
  height: number;
  /** Pixel format of the frames (default 'rgba'). */
  format?: PixelFormat;
  /** Frames in the pool, 1..1024 (default 4). */
  size?: number;
  /**
   * When every frame is in use: reclaim the oldest frame no reader has retained, throw E_STATE
   * (default), or let `acquireAsync()` wait.
   */
  onExhausted?: ExhaustedPolicy;
  /** Named user slots with arena storage, e.g. `{ stats: { length: 16, type: 'f32' } }`. */
  slots?: Record<string, SlotSpec>;
}

/**
 * Plain numbers describing where a pool's frames live in the memory, for a thread that shares the
 * memory but not the pool object: post it with the memory's SharedArrayBuffer and open it with
 * SharedFrames there.
 */
export interface FramePoolLayout {
  readonly width: number;
  readonly height: number;
  readonly stride: number;
  readonly format: PixelFormat;
  readonly size: number;
  /** An int32 per frame: its handle while live, -1 while free. */
  readonly liveHandlesPtr: number;
  /** First byte of each frame's slot. */
  readonly slotPtrs: readonly number[];
  /** Each part of a slot (FRAME_SLOT_PARTS, then the user slots): name, offset in the slot, bytes. */
  readonly parts: ReadonlyArray<{ readonly name: string; readonly offset: number; readonly bytes: number }>;
}

export interface FramePoolStats {
  size: number;
  free: number;
  live: number;
  /** Acquires since creation. */
  acquired: number;
  /** Frames reclaimed from their holders under 'drop-oldest'. */
  dropped: number;
  /** Callers of `acquireAsync()` waiting for a frame. */
  waiting: number;
  /** Arena bytes the pool reserved at creation. */
  bytes: number;
}

const MAX_SIZE = 1 << HANDLE_INDEX_BITS;

/**
 * A fixed set of frames, preallocated at creation (every arena region, plane, view and attachment
 * table) and recycled. `acquire()` and `release()` allocate nothing.
 */
export class FramePool {
  /** The kernel context the frames live in. */
  readonly context: KernelContext;
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  readonly size: number;
  readonly onExhausted: ExhaustedPolicy;
  readonly #frames: Frame[] = [];
  readonly #regions: Region[] = [];
  readonly #free: Int32Array;
  #top = 0;
  #seq = 0;
  #dropped = 0;
  #bytes = 0;
  #disposed = false;
  /** One int32 per frame in the arena: its handle while live, -1 while free (what other threads check). */
  readonly #liveCells: Int32Array;
  /** The layout other threads need to find frames by handle (see SharedFrames). */
  readonly layout: FramePoolLayout;
  readonly #waiters: Array<{ resolve: (f: Frame) => void; reject: (e: unknown) => void; timestamp: number }> = [];

  constructor(src: ContextSource, o: FramePoolOptions) {
    const ctx = contextOf(src);
    this.context = ctx;
    this.width = checkDimension('width', o.width);
    this.height = checkDimension('height', o.height);
    this.format = o.format ?? 'rgba';
    const bpp = bytesPerPixel(this.format);
    if (!['rgba', 'bgra', 'rgb', 'bgr', 'gray'].includes(this.format)) {
      throw new FramekitError('E_FORMAT', `frames hold rgba, bgra, rgb, bgr or gray pixels, not ${this.format}`, { format: this.format });
    }
    this.size = checkDimension('size', o.size ?? 4, MAX_SIZE);
    this.onExhausted = o.onExhausted ?? 'error';
    if (!['drop-oldest', 'error', 'wait'].includes(this.onExhausted)) {
      throw new FramekitError('E_ARGUMENT', `onExhausted must be 'drop-oldest', 'error' or 'wait', got ${JSON.stringify(o.onExhausted)}`);
    }
    const { width: w, height: h } = this;
    const a = LAYOUT.alignment;
    // Per-slot layout: every FRAME_SLOT_PARTS entry, then the user slots, each 16-byte aligned.
    const keys = new Map<string, number>();
    for (const k of ATTACHMENT_KEYS) keys.set(k, keys.size);
    const parts: Array<{ name: string; offset: number; bytes: number; type?: SlotType; length?: number }> = [];
    let slotBytes = 0;
    for (const p of FRAME_SLOT_PARTS) {
      const bytes = p.name === 'pixels' ? w * h * bpp : p.bytes(w, h);
      parts.push({ name: p.name, offset: slotBytes, bytes });
      slotBytes += alignUp(Math.max(bytes, 1), a);
    }
    for (const [name, spec] of Object.entries(o.slots ?? {})) {
      const type = spec.type ?? 'u8';
      if (keys.has(name) || parts.some((p) => p.name === name))
        throw new FramekitError('E_ARGUMENT', `user slot ${JSON.stringify(name)} clashes with a built-in name`);
      if (!(type in SLOT_CTOR)) throw new FramekitError('E_ARGUMENT', `user slot ${name}: unknown type ${JSON.stringify(type)}`);
      checkDimension(`slots.${name}.length`, spec.length, 2 ** 28);
      keys.set(name, keys.size);
      const bytes = spec.length * SLOT_CTOR[type].BYTES_PER_ELEMENT;
      parts.push({ name, offset: slotBytes, bytes, type, length: spec.length });
      slotBytes += alignUp(bytes, a);
    }
    this.#free = new Int32Array(this.size);
    const heap = ctx.heap;
    const slotPtrs: number[] = [];
    let liveRegion: Region | null = null;
    try {
      liveRegion = ctx.arena.alloc(this.size * 4, 'frame pool live handles');
      this.#regions.push(liveRegion);
      this.#bytes += liveRegion.size;
      for (let i = 0; i < this.size; i++) {
        const region = ctx.arena.alloc(slotBytes, `frame pool slot ${i} (${w}x${h} ${this.format})`);
        this.#regions.push(region);
        this.#bytes += region.size;
        slotPtrs.push(region.ptr);
        const regions = new Map<string, Region>();
        const bytes = new Map<string, Uint8Array>();
        const slots = new Map<string, SlotView>();
        for (const p of parts) {
          const ptr = region.ptr + p.offset;
          regions.set(p.name, Object.freeze({ ptr, size: p.bytes }));
          bytes.set(p.name, heap.subarray(ptr, ptr + p.bytes));
          if (p.type) slots.set(p.name, new SLOT_CTOR[p.type](heap.buffer as ArrayBuffer, ptr, p.length));
        }
        const pixels = new Plane(heap, regions.get('pixels')!.ptr, w, h, w * bpp, this.format);
        const grayPlane = new Plane(heap, regions.get('gray')!.ptr, w, h, w, 'gray');
        checkPlane(pixels, ctx.arena, 'pixels');
        checkPlane(grayPlane, ctx.arena, 'gray');
        const frame = new Frame({
          ctx,
          owner: this,
          index: i,
          width: w,
          height: h,
          stride: w * bpp,
          format: this.format,
          pixels,
          grayPlane,
          keys,
          regions,
          bytes,
          slots,
        });
        this.#frames.push(frame);
      }
    } catch (e) {
      for (const r of this.#regions) ctx.arena.free(r);
      throw e;
    }
    this.#liveCells = new Int32Array(heap.buffer, liveRegion.ptr, this.size).fill(-1);
    this.layout = Object.freeze({
      width: w,
      height: h,
      stride: w * bpp,
      format: this.format,
      size: this.size,
      liveHandlesPtr: liveRegion.ptr,
      slotPtrs,
      parts: parts.map((p) => ({ name: p.name, offset: p.offset, bytes: p.bytes })),
    });
    // Free stack, lowest index on top.
    for (let i = 0; i < this.size; i++) this.#free[i] = this.size - 1 - i;
    this.#top = this.size;
  }

  /**
   * A free frame with one reference, or, when none is free: under 'drop-oldest' the live frame with
   * the lowest `seq` among those a single reference holds, taken from its holder (that reference and
   * the frame's handle go stale); a frame retained by a reader (two references or more) is never
   * taken. Otherwise E_STATE (use `acquireAsync()` to wait under 'wait').
   */
  acquire(timestamp = 0): Frame {
    if (this.#disposed) throw new FramekitError('E_STATE', 'acquire: the pool was disposed');
    let f: Frame;
    if (this.#top > 0) f = this.#frames[this.#free[--this.#top]!]!;
    else if (this.onExhausted === 'drop-oldest') f = this.#reclaimOldest();
    else {
      throw new FramekitError(
        'E_STATE',
        `acquire: all ${this.size} frames are in use` + (this.onExhausted === 'wait' ? '; use acquireAsync() to wait for one' : ''),
        { size: this.size, policy: this.onExhausted },
      );
    }
    f._acquire(this.#seq++, timestamp);
    Atomics.store(this.#liveCells, f.index, f.handle);
    return f;
  }

  /** As `acquire()`, but under 'wait' an exhausted pool resolves when a frame is released. Allocates a promise. */
  acquireAsync(timestamp = 0): Promise<Frame> {
    if (this.#top > 0 || this.onExhausted !== 'wait' || this.#disposed) {
      try {
        return Promise.resolve(this.acquire(timestamp));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject, timestamp }));
  }

  /** @internal Frame.release() lands here. */
  release(frame: Frame): void {
    if (frame._refs === 0) {
      throw new FramekitError('E_STATE', `release: frame ${frame.index} (generation ${frame.generation}) is already released`, {
        index: frame.index,
        generation: frame.generation,
      });
    }
    if (--frame._refs > 0) return;
    frame._reset();
    Atomics.store(this.#liveCells, frame.index, -1);
    const w = this.#waiters.shift();
    if (w !== undefined) {
      frame._acquire(this.#seq++, w.timestamp);
      Atomics.store(this.#liveCells, frame.index, frame.handle);
      w.resolve(frame);
      return;
    }
    this.#free[this.#top++] = frame.index;
  }

  /** The frame a handle names, if it is still live in that generation; E_STATE for a stale handle. */
  fromHandle(handle: number): Frame {
    const f = this.#frames[handle & (MAX_SIZE - 1)];
    if (f === undefined || f.handle !== handle || f._refs === 0) {
      throw new FramekitError('E_STATE', `handle ${handle} is stale or not from this pool`, { handle });
    }
    return f;
  }

  /** Frame by slot index (for inspection and tests). */
  frameAt(index: number): Frame {
    const f = this.#frames[index];
    if (f === undefined) throw new FramekitError('E_ARGUMENT', `no frame ${index} in a pool of ${this.size}`);
    return f;
  }

  /** Allocates the stats object: not for the frame loop. */
  stats(): FramePoolStats {
    return {
      size: this.size,
      free: this.#top,
      live: this.size - this.#top,
      acquired: this.#seq,
      dropped: this.#dropped,
      waiting: this.#waiters.length,
      bytes: this.#bytes,
    };
  }

  /** Returns every region to the arena. Throws E_STATE while any frame is live; waiters are rejected. */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#top !== this.size) throw new FramekitError('E_STATE', `dispose: ${this.size - this.#top} frames are still live`);
    this.#disposed = true;
    for (const r of this.#regions) this.context.arena.free(r);
    for (const w of this.#waiters.splice(0)) w.reject(new FramekitError('E_STATE', 'the pool was disposed'));
  }

  /**
   * The oldest live frame that only one reference holds (its producer, or the queue carrying it). A
   * frame that a reader retained while it reads is never taken from under it; when every live frame
   * is retained, E_STATE.
   */
  #reclaimOldest(): Frame {
    const f = oldestSingleHeld(this.#frames);
    if (f === null) {
      throw new FramekitError(
        'E_STATE',
        `acquire: all ${this.size} frames are retained by readers; 'drop-oldest' only takes a frame a single reference holds`,
        { size: this.size, policy: this.onExhausted },
      );
    }
    f._reset();
    Atomics.store(this.#liveCells, f.index, -1);
    this.#dropped++;
    return f;
  }
}
