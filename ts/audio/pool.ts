import { FramekitError, checkDimension } from '../errors.js';
import { contextOf, type ContextSource, type KernelContext } from '../core/context.js';
import type { SlotView } from '../frame/frame.js';
import type { SlotSpec, SlotType } from '../frame/pool.js';
import type { Region } from '../memory/arena.js';
import { MEL_HOP, MEL_PAD, type MelBands } from '../kernels/mel/tables.js';
import { AUDIO_ATTACHMENT_KEYS, AUDIO_HANDLE_INDEX_BITS, AudioFrame, MelColumns } from './frame.js';
import { oldestSingleHeld } from '../frame/pooled.js';

const SLOT_CTOR = {
  u8: Uint8Array,
  i16: Int16Array,
  u16: Uint16Array,
  i32: Int32Array,
  u32: Uint32Array,
  f32: Float32Array,
  f64: Float64Array,
} as const;

export interface AudioPoolOptions {
  /** Frames in the pool, 1..1024 (default 32: about 1 s of 32 ms frames). */
  size?: number;
  /** Samples per frame (default 512: 32 ms at 16 kHz, the voice-activity model's block). */
  samples?: number;
  /**
   * Samples of the stream before each frame's first that the frame also holds, just before its own
   * (`AudioFrame.window`), 0..4096 (default 0; 64 suits Silero VAD v5's [1, 576] input).
   */
  context?: number;
  /** Sample rate of the stream (default 16000). */
  sampleRate?: number;
  /** Media time of stream sample 0, microseconds (default 0): frames' timestamps count from it. */
  startUs?: number;
  /** Mel bands each frame has room for (default 80). */
  bands?: MelBands;
  /** When every frame is in use: reclaim the oldest, or throw E_STATE (default). */
  onExhausted?: 'drop-oldest' | 'error';
  /** Named user slots with arena storage, e.g. `{ vad: { length: 64, type: 'f32' } }`. */
  slots?: Record<string, SlotSpec>;
}

export interface AudioPoolStats {
  size: number;
  free: number;
  live: number;
  acquired: number;
  dropped: number;
  bytes: number;
}

/**
 * A fixed set of audio frames, preallocated at creation (sample, mel and level regions, views and
 * attachment tables) and recycled: `acquire()` and `release()` allocate nothing.
 */
export class AudioPool {
  /** The kernel context the pool's regions live in. */
  readonly kernelContext: KernelContext;
  readonly size: number;
  readonly samples: number;
  readonly context: number;
  readonly sampleRate: number;
  readonly startUs: number;
  readonly bands: MelBands;
  /** Mel columns a frame has room for: those its samples can complete, plus the stream's end. */
  readonly melCapacity: number;
  readonly onExhausted: 'drop-oldest' | 'error';
  readonly #frames: AudioFrame[] = [];
  readonly #regions: Region[] = [];
  readonly #free: Int32Array;
  #top = 0;
  #seq = 0;
  #dropped = 0;
  #bytes = 0;
  #disposed = false;

  constructor(src: ContextSource, o: AudioPoolOptions = {}) {
    const fk = contextOf(src);
    this.kernelContext = fk;
    this.size = checkDimension('size', o.size ?? 32, 1 << AUDIO_HANDLE_INDEX_BITS);
    this.samples = checkDimension('samples', o.samples ?? 512, 1 << 20);
    this.context = o.context ?? 0;
    if (!Number.isInteger(this.context) || this.context < 0 || this.context > 4096)
      throw new FramekitError('E_ARGUMENT', `context must be an integer from 0 to 4096 samples, got ${String(o.context)}`);
    this.sampleRate = checkDimension('sampleRate', o.sampleRate ?? 16000, 768000);
    this.startUs = o.startUs ?? 0;
    if (!Number.isFinite(this.startUs)) throw new FramekitError('E_ARGUMENT', `startUs must be a finite number, got ${String(o.startUs)}`);
    const bands = o.bands ?? 80;
    if (bands !== 80 && bands !== 128) throw new FramekitError('E_ARGUMENT', `bands must be 80 or 128, got ${String(bands)}`);
    this.bands = bands;
    this.onExhausted = o.onExhausted ?? 'error';
    if (this.onExhausted !== 'drop-oldest' && this.onExhausted !== 'error')
      throw new FramekitError('E_ARGUMENT', `onExhausted must be 'drop-oldest' or 'error', got ${JSON.stringify(o.onExhausted)}`);
    this.melCapacity = Math.ceil(this.samples / MEL_HOP) + Math.ceil(MEL_PAD / MEL_HOP);
    const keys = new Map<string, number>();
    for (const k of AUDIO_ATTACHMENT_KEYS) keys.set(k, keys.size);
    const user: Array<{ name: string; type: SlotType; length: number }> = [];
    for (const [name, spec] of Object.entries(o.slots ?? {})) {
      const type = spec.type ?? 'u8';
      if (keys.has(name)) throw new FramekitError('E_ARGUMENT', `user slot ${JSON.stringify(name)} clashes with a built-in name`);
      if (!(type in SLOT_CTOR)) throw new FramekitError('E_ARGUMENT', `user slot ${name}: unknown type ${JSON.stringify(type)}`);
      checkDimension(`slots.${name}.length`, spec.length, 2 ** 28);
      keys.set(name, keys.size);
      user.push({ name, type, length: spec.length });
    }
    this.#free = new Int32Array(this.size);
    const buf = fk.heap.buffer;
    const alloc = (bytes: number, label: string) => {
      const r = fk.arena.alloc(bytes, label);
      this.#regions.push(r);
      this.#bytes += r.size;
      return r;
    };
    try {
      for (let i = 0; i < this.size; i++) {
        const samples = alloc((this.context + this.samples) * 4, `audio frame ${i} samples`);
        const mel = alloc(this.melCapacity * bands * 4, `audio frame ${i} mel`);
        const level = alloc(8, `audio frame ${i} level`);
        const slots = new Map<string, SlotView>();
        for (const u of user) {
          const r = alloc(u.length * SLOT_CTOR[u.type].BYTES_PER_ELEMENT, `audio frame ${i} slot ${u.name}`);
          slots.set(u.name, new SLOT_CTOR[u.type](buf as ArrayBuffer, r.ptr, u.length));
        }
        this.#frames.push(
          new AudioFrame({
            fk,
            owner: this,
            originUs: this.startUs,
            index: i,
            capacity: this.samples,
            sampleRate: this.sampleRate,
            samples,
            context: this.context,
            level,
            keys,
            mel: new MelColumns(new Float32Array(buf, mel.ptr, this.melCapacity * bands), bands),
            slots,
          }),
        );
      }
    } catch (e) {
      for (const r of this.#regions) fk.arena.free(r);
      throw e;
    }
    for (let i = 0; i < this.size; i++) this.#free[i] = this.size - 1 - i;
    this.#top = this.size;
  }

  /**
   * A free frame with one reference whose first sample is stream sample `startSample` (its
   * timestamp follows: startUs + startSample / sampleRate); when none is free, under 'drop-oldest'
   * the oldest live frame a single reference holds (that reference goes stale; a frame a reader
   * retained is never taken), else E_STATE. A bad `startSample` is refused before any frame is taken.
   */
  acquire(startSample = 0): AudioFrame {
    if (this.#disposed) throw new FramekitError('E_STATE', 'acquire: the audio pool was disposed');
    if (!Number.isInteger(startSample) || startSample < 0)
      throw new FramekitError('E_ARGUMENT', `startSample must be a non-negative integer, got ${startSample}`);
    let f: AudioFrame | null;
    if (this.#top > 0) f = this.#frames[this.#free[--this.#top]!]!;
    else if (this.onExhausted === 'drop-oldest') {
      f = oldestSingleHeld(this.#frames);
      if (f === null)
        throw new FramekitError(
          'E_STATE',
          `acquire: all ${this.size} audio frames are retained by readers; 'drop-oldest' only takes a frame a single reference holds`,
          { size: this.size },
        );
      f._reset();
      this.#dropped++;
    } else {
      throw new FramekitError('E_STATE', `acquire: all ${this.size} audio frames are in use (release frames, or a larger pool)`, {
        size: this.size,
      });
    }
    f._acquire(this.#seq++, startSample);
    return f;
  }

  /** @internal AudioFrame.release() lands here. */
  release(frame: AudioFrame): void {
    if (frame._refs === 0)
      throw new FramekitError('E_STATE', `release: audio frame ${frame.index} (generation ${frame.generation}) is already released`);
    if (--frame._refs > 0) return;
    frame._reset();
    this.#free[this.#top++] = frame.index;
  }

  /** The frame a handle names while it is live in that generation; E_STATE for a stale handle. */
  fromHandle(handle: number): AudioFrame {
    const f = this.#frames[handle & ((1 << AUDIO_HANDLE_INDEX_BITS) - 1)];
    if (f === undefined || f.handle !== handle || f._refs === 0)
      throw new FramekitError('E_STATE', `audio handle ${handle} is stale or not from this pool`, { handle });
    return f;
  }

  /** The frame a handle names, or null when it is stale (no throw: for per-frame lookups). */
  tryHandle(handle: number): AudioFrame | null {
    const f = this.#frames[handle & ((1 << AUDIO_HANDLE_INDEX_BITS) - 1)];
    return f !== undefined && f.handle === handle && f._refs > 0 ? f : null;
  }

  frameAt(index: number): AudioFrame {
    const f = this.#frames[index];
    if (f === undefined) throw new FramekitError('E_ARGUMENT', `no audio frame ${index} in a pool of ${this.size}`);
    return f;
  }

  /** Allocates the stats object: not for the frame loop. */
  stats(): AudioPoolStats {
    return {
      size: this.size,
      free: this.#top,
      live: this.size - this.#top,
      acquired: this.#seq,
      dropped: this.#dropped,
      bytes: this.#bytes,
    };
  }

  /** Returns every region to the arena. E_STATE while a frame is live. */
  dispose(): void {
    if (this.#disposed) return;
    if (this.#top !== this.size) throw new FramekitError('E_STATE', `dispose: ${this.size - this.#top} audio frames are still live`);
    this.#disposed = true;
    for (const r of this.#regions) this.kernelContext.arena.free(r);
  }
}
