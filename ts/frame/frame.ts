import { FramekitError } from '../errors.js';
import { PooledFrame } from './pooled.js';
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
export { HANDLE_INDEX_BITS } from './pooled.js';

/**
 * One frame of a FramePool: a handle to its pixels in the arena (or a GPU texture, or an external
 * VideoFrame), its sequence number and timestamp, a reference count, a generation that changes each
 * time it is released, and attachment slots whose storage was reserved when the pool was made.
 *
 * Every method here is allocation-free except `attachAsync` (one callback per call). Using a frame
 * after its last release throws E_STATE. A frame object is recycled: a holder that may outlive its
 * reference keeps `frame.handle` (or `generation`) and checks it with `pool.fromHandle()` / `isCurrent()`.
 */
export class Frame extends PooledFrame<FrameAttachments> {
  readonly width: number;
  readonly height: number;
  /** Bytes from one row of pixels to the next (rows are packed: width x bytes per pixel). */
  readonly stride: number;
  readonly format: PixelFormat;
  /** The timestamp given to `acquire()` (microseconds, as VideoFrame.timestamp, or any clock). */
  timestamp = 0;
  /** Where the pixels live besides the arena region; the WebGPU path and the VideoFrame path fill these. */
  texture: GpuTextureHandle | null = null;
  external: ExternalFrameHandle | null = null;
  readonly #ctx: KernelContext;
  readonly #owner: FrameInit['owner'];
  readonly #pixels: Plane;
  readonly #grayPlane: Plane;
  readonly #regions: ReadonlyMap<string, Region>;
  readonly #bytes: ReadonlyMap<string, Uint8Array>;
  readonly #slots: ReadonlyMap<string, SlotView>;

  /** @internal Frames are made by FramePool. */
  constructor(i: FrameInit) {
    super(i.index, i.keys, 'frame');
    this.#ctx = i.ctx;
    this.#owner = i.owner;
    this.width = i.width;
    this.height = i.height;
    this.stride = i.stride;
    this.format = i.format;
    this.#pixels = i.pixels;
    this.#grayPlane = i.grayPlane;
    this.#regions = i.regions;
    this.#bytes = i.bytes;
    this.#slots = i.slots;
  }

  /** The pixels as a plane in the arena. A decoder may write into `pixels.data` directly (zero copy). */
  get pixels(): Plane {
    if (this._refs === 0) this.stale('pixels');
    return this.#pixels;
  }

  /** The pixel bytes (a view over the arena region, made once): the place a decoder writes into. */
  get data(): Uint8Array {
    if (this._refs === 0) this.stale('data');
    return this.#pixels.data;
  }

  /** Drops one reference; the last one returns the frame to its pool. Releasing a free frame throws E_STATE. */
  release(): void {
    this.#owner.release(this);
  }

  /**
   * The frame's 8-bit luma, computed once into the gray region reserved for this frame and attached;
   * later calls return the attached plane. A gray frame is its own luma (no copy).
   */
  gray(): Plane {
    if (this._refs === 0) this.stale('gray');
    if (this.present[GRAY] === 1) return this.attached[GRAY] as Plane;
    let g = this.#pixels;
    if (this.format !== 'gray') {
      g = this.#grayPlane;
      // The pool checked both planes against the arena once when it made them; the dimensions and
      // formats are fixed for the frame's life, so the per-call checks of gray() are not repeated.
      this.#ctx.kernels.gray(g, this.#pixels);
    }
    this.attached[GRAY] = g;
    this.present[GRAY] = 1;
    return g;
  }

  /** The preallocated gray plane (whether or not `gray()` has filled it). */
  get grayStorage(): Plane {
    if (this._refs === 0) this.stale('grayStorage');
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
    if (this._refs === 0) this.stale('bytes');
    const b = this.#bytes.get(name);
    if (b === undefined) throw new FramekitError('E_ARGUMENT', `frame has no region ${JSON.stringify(name)}`, { name });
    return b;
  }

  /** The typed view of user slot `name` (declared in the pool's `slots` option), made once. */
  slot<T extends SlotView = SlotView>(name: string): T {
    if (this._refs === 0) this.stale('slot');
    const s = this.#slots.get(name);
    if (s === undefined) throw new FramekitError('E_ARGUMENT', `frame has no user slot ${JSON.stringify(name)}`, { name });
    return s as T;
  }

  /** @internal Called by the pool on acquire. */
  _acquire(seq: number, timestamp: number): void {
    this._refs = 1;
    this.seq = seq;
    this.timestamp = timestamp;
  }

  /** @internal Called by the pool when the last reference goes: clears attachments, starts a new generation. */
  _reset(): void {
    this.texture = null;
    this.external = null;
    this.endGeneration();
  }
}
