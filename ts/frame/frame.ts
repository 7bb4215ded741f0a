import { FramekitError } from '../errors.js';
import type { KernelContext } from '../core/context.js';
import type { PixelFormat, Plane } from '../image/plane.js';
import type { Region } from '../memory/arena.js';
import type { AudioWindow } from '../audio/sync.js';

/**
 * What each built-in attachment holds. Kernels whose results attach to frames give their slot a
 * precise type here (it is `unknown` until then); named user slots are typed by `slot()`.
 */
export interface FrameAttachments {
  gray: Plane;
  pyramid: unknown;
  gradients: unknown;
  keypoints: unknown;
  descriptors: unknown;
  flow: unknown;
  pose: unknown;
  /** `FaceDetections` when a face stage (ts/models/blazeface) has attached them; read it typed with `facesOf(frame)`. */
  faces: unknown;
  /** The audio that covers the frame's timestamp (ts/audio/sync.ts). */
  audio: AudioWindow;
}
export type AttachmentKey = keyof FrameAttachments;
/** Built-in attachment keys in slot order; user slots follow them. */
export const ATTACHMENT_KEYS: readonly AttachmentKey[] = [
  'gray',
  'pyramid',
  'gradients',
  'keypoints',
  'descriptors',
  'flow',
  'pose',
  'faces',
  'audio',
];

/** A GPU texture holding the frame's pixels (a `GPUTexture`; typed loosely so the CPU build needs no WebGPU types). */
export type GpuTextureHandle = object;
/** A platform `VideoFrame` the frame refers to without copying it. */
export type ExternalFrameHandle = object;

/** Typed-array views a named user slot can have. */
export type SlotView = Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** Everything a frame is built from, made once by its pool. @internal */
export interface FrameInit {
  ctx: KernelContext;
  owner: { release(frame: Frame): void };
  index: number;
  width: number;
  height: number;
  stride: number;
  format: PixelFormat;
  pixels: Plane;
  grayPlane: Plane;
  keys: ReadonlyMap<string, number>;
  regions: ReadonlyMap<string, Region>;
  bytes: ReadonlyMap<string, Uint8Array>;
  slots: ReadonlyMap<string, SlotView>;
}

const GRAY = 0;
/** Bits of a handle that hold the slot index; the generation takes the bits above (handles stay < 2^31). */
export const HANDLE_INDEX_BITS = 10;
const GEN_MASK = (1 << (31 - HANDLE_INDEX_BITS)) - 1;

/**
 * One frame of a FramePool: a handle to its pixels in the arena (or a GPU texture, or an external
 * VideoFrame), its sequence number and timestamp, a reference count, a generation that changes each
 * time it is released, and attachment slots whose storage was reserved when the pool was made.
 *
 * Every method here is allocation-free except `attachAsync` (one callback per call). Using a frame
 * after its last release throws E_STATE. A frame object is recycled: a holder that may outlive its
 * reference keeps `frame.handle` (or `generation`) and checks it with `pool.fromHandle()` / `isCurrent()`.
 */
export class Frame {
  readonly index: number;
  readonly width: number;
  readonly height: number;
  /** Bytes from one row of pixels to the next (rows are packed: width x bytes per pixel). */
  readonly stride: number;
  readonly format: PixelFormat;
  /** Position in the pool's acquire order; -1 while the frame is free. */
  seq = -1;
  /** The timestamp given to `acquire()` (microseconds, as VideoFrame.timestamp, or any clock). */
  timestamp = 0;
  /** Changes on every final release; async results and handles from an older generation are stale. */
  generation = 0;
  /** Where the pixels live besides the arena region; the WebGPU path and the VideoFrame path fill these. */
  texture: GpuTextureHandle | null = null;
  external: ExternalFrameHandle | null = null;
  /** @internal */ _refs = 0;
  readonly #ctx: KernelContext;
  readonly #owner: FrameInit['owner'];
  readonly #pixels: Plane;
  readonly #grayPlane: Plane;
  readonly #keys: ReadonlyMap<string, number>;
  readonly #regions: ReadonlyMap<string, Region>;
  readonly #bytes: ReadonlyMap<string, Uint8Array>;
  readonly #slots: ReadonlyMap<string, SlotView>;
  readonly #values: unknown[];
  readonly #present: Uint8Array;

  /** @internal Frames are made by FramePool. */
  constructor(i: FrameInit) {
    this.#ctx = i.ctx;
    this.#owner = i.owner;
    this.index = i.index;
    this.width = i.width;
    this.height = i.height;
    this.stride = i.stride;
    this.format = i.format;
    this.#pixels = i.pixels;
    this.#grayPlane = i.grayPlane;
    this.#keys = i.keys;
    this.#regions = i.regions;
    this.#bytes = i.bytes;
    this.#slots = i.slots;
    this.#values = new Array<unknown>(i.keys.size).fill(null);
    this.#present = new Uint8Array(i.keys.size);
  }

  /** True between acquire and the last release. */
  get live(): boolean {
    return this._refs > 0;
  }

  get refs(): number {
    return this._refs;
  }

  /** The slot index and generation in one non-negative int32: what a FrameRing carries across threads. */
  get handle(): number {
    return (this.generation & GEN_MASK) * (1 << HANDLE_INDEX_BITS) + this.index;
  }

  /** The pixels as a plane in the arena. A decoder may write into `pixels.data` directly (zero copy). */
  get pixels(): Plane {
    if (this._refs === 0) this.#stale('pixels');
    return this.#pixels;
  }

  /** The pixel bytes (a view over the arena region, made once): the place a decoder writes into. */
  get data(): Uint8Array {
    if (this._refs === 0) this.#stale('data');
    return this.#pixels.data;
  }

  /** True while the frame is live and still in `generation` (nothing released it since). */
  isCurrent(generation: number): boolean {
    return this._refs > 0 && this.generation === generation;
  }

  /** Adds a reference for another consumer; each `retain()` needs its own `release()`. Returns the frame. */
  retain(): this {
    if (this._refs === 0) this.#stale('retain');
    this._refs++;
    return this;
  }

  /** Drops one reference; the last one returns the frame to its pool. Releasing a free frame throws E_STATE. */
  release(): void {
    this.#owner.release(this);
  }

  /** Attaches a result. Throws E_STATE on a released frame and E_ARGUMENT for a key the pool does not have. */
  attach<K extends AttachmentKey>(key: K, value: FrameAttachments[K]): this;
  attach(key: string, value: unknown): this;
  attach(key: string, value: unknown): this {
    if (this._refs === 0) this.#stale('attach');
    const i = this.#key(key);
    this.#values[i] = value;
    this.#present[i] = 1;
    return this;
  }

  /** The attached result, or null when nothing is attached under `key`. */
  get<K extends AttachmentKey>(key: K): FrameAttachments[K] | null;
  get(key: string): unknown;
  get(key: string): unknown {
    if (this._refs === 0) this.#stale('get');
    const i = this.#key(key);
    return this.#present[i] === 1 ? this.#values[i] : null;
  }

  has(key: string): boolean {
    if (this._refs === 0) this.#stale('has');
    return this.#present[this.#key(key)] === 1;
  }

  detach(key: string): this {
    if (this._refs === 0) this.#stale('detach');
    const i = this.#key(key);
    this.#values[i] = null;
    this.#present[i] = 0;
    return this;
  }

  /**
   * Compute-once: the attachment under `key`, computing and attaching it with `compute(frame)` only
   * when absent. Pass a function made once (a module-level function), not a fresh closure per frame.
   */
  ensure<K extends AttachmentKey>(key: K, compute: (frame: Frame) => FrameAttachments[K]): FrameAttachments[K];
  ensure<V>(key: string, compute: (frame: Frame) => V): V;
  ensure(key: string, compute: (frame: Frame) => unknown): unknown {
    if (this._refs === 0) this.#stale('ensure');
    const i = this.#key(key);
    if (this.#present[i] === 1) return this.#values[i];
    const v = compute(this);
    this.#values[i] = v;
    this.#present[i] = 1;
    return v;
  }

  /**
   * The frame's 8-bit luma, computed once into the gray region reserved for this frame and attached;
   * later calls return the attached plane. A gray frame is its own luma (no copy).
   */
  gray(): Plane {
    if (this._refs === 0) this.#stale('gray');
    if (this.#present[GRAY] === 1) return this.#values[GRAY] as Plane;
    let g = this.#pixels;
    if (this.format !== 'gray') {
      g = this.#grayPlane;
      // The pool checked both planes against the arena once when it made them; the dimensions and
      // formats are fixed for the frame's life, so the per-call checks of gray() are not repeated.
      this.#ctx.kernels.gray(g, this.#pixels);
    }
    this.#values[GRAY] = g;
    this.#present[GRAY] = 1;
    return g;
  }

  /** The preallocated gray plane (whether or not `gray()` has filled it). */
  get grayStorage(): Plane {
    if (this._refs === 0) this.#stale('grayStorage');
    return this.#grayPlane;
  }

  /** The arena region reserved for part `name` of this frame's slot (see FRAME_SLOT_PARTS). */
  region(name: string): Region {
    const r = this.#regions.get(name);
    if (r === undefined) throw new FramekitError('E_ARGUMENT', `frame has no region ${JSON.stringify(name)}`, { name });
    return r;
  }

  /** A byte view over region `name`, made once when the pool was created. */
  bytes(name: string): Uint8Array {
    if (this._refs === 0) this.#stale('bytes');
    const b = this.#bytes.get(name);
    if (b === undefined) throw new FramekitError('E_ARGUMENT', `frame has no region ${JSON.stringify(name)}`, { name });
    return b;
  }

  /** The typed view of user slot `name` (declared in the pool's `slots` option), made once. */
  slot<T extends SlotView = SlotView>(name: string): T {
    if (this._refs === 0) this.#stale('slot');
    const s = this.#slots.get(name);
    if (s === undefined) throw new FramekitError('E_ARGUMENT', `frame has no user slot ${JSON.stringify(name)}`, { name });
    return s as T;
  }

  /**
   * Attaches `promise`'s value under `key` when it settles, unless the frame was released (and perhaps
   * reused) in between: then the value is discarded. Nothing waits for it. Resolves true when attached,
   * false when discarded; rejects when `promise` rejects. Allocates one callback: fine per frame for
   * async work, which allocates anyway, but not in a tight loop.
   */
  attachAsync<K extends AttachmentKey>(key: K, promise: PromiseLike<FrameAttachments[K]>): Promise<boolean>;
  attachAsync(key: string, promise: PromiseLike<unknown>): Promise<boolean>;
  attachAsync(key: string, promise: PromiseLike<unknown>): Promise<boolean> {
    if (this._refs === 0) this.#stale('attachAsync');
    const i = this.#key(key);
    const gen = this.generation;
    return Promise.resolve(promise).then((v) => {
      if (this._refs === 0 || this.generation !== gen) return false;
      this.#values[i] = v;
      this.#present[i] = 1;
      return true;
    });
  }

  /** @internal Called by the pool on acquire. */
  _acquire(seq: number, timestamp: number): void {
    this._refs = 1;
    this.seq = seq;
    this.timestamp = timestamp;
  }

  /** @internal Called by the pool when the last reference goes: clears attachments, starts a new generation. */
  _reset(): void {
    this._refs = 0;
    this.seq = -1;
    this.generation = (this.generation + 1) & GEN_MASK;
    this.texture = null;
    this.external = null;
    this.clearAttachments();
  }

  /** Detaches everything (new pixels were written; every result is out of date). */
  clearAttachments(): void {
    const v = this.#values;
    const p = this.#present;
    for (let i = 0; i < p.length; i++) {
      v[i] = null;
      p[i] = 0;
    }
  }

  #key(key: string): number {
    const i = this.#keys.get(key);
    if (i === undefined) {
      throw new FramekitError(
        'E_ARGUMENT',
        `unknown attachment ${JSON.stringify(key)}; this pool has ${[...this.#keys.keys()].join(', ')}`,
        { key },
      );
    }
    return i;
  }

  #stale(op: string): never {
    throw new FramekitError('E_STATE', `${op}: frame ${this.index} (generation ${this.generation}) was released`, {
      index: this.index,
      generation: this.generation,
    });
  }
}
