import { FramekitError } from '../errors.js';
import { HANDLE_INDEX_BITS, PooledFrame } from '../frame/pooled.js';
import type { KernelContext } from '../core/context.js';
import type { SlotView } from '../frame/frame.js';
import type { Region } from '../memory/arena.js';

/**
 * The log-mel columns an audio frame carries: those whose window's last sample arrived within the
 * frame's samples (0 to 4 of them for 512 samples; the stream's last frame may carry a few more),
 * `bands` f32 each, in the frame's mel region. Column `first + i` covers stream samples
 * [160 (first + i) - 200, 160 (first + i) + 200). Made once per frame slot; refilled on reuse.
 */
export class MelColumns {
  readonly bands: number;
  /** Room for `capacity` columns, row-major: column i at [i * bands, (i + 1) * bands). */
  readonly data: Float32Array;
  readonly capacity: number;
  /** Columns filled. */
  count = 0;
  /** Stream index of the first column (10 ms steps from the stream's first sample). */
  first = 0;

  /** @internal */
  constructor(data: Float32Array, bands: number) {
    this.data = data;
    this.bands = bands;
    this.capacity = Math.floor(data.length / bands);
  }

  /** Log10 energy of band `band` in column `i` (0-based within this frame). */
  at(i: number, band: number): number {
    if (i < 0 || i >= this.count || band < 0 || band >= this.bands)
      throw new FramekitError('E_ARGUMENT', `mel column ${i} band ${band} is outside ${this.count} x ${this.bands}`);
    return this.data[i * this.bands + band]!;
  }

  /** Mean log10 mel energy over every band of every column (NaN without columns). Allocation-free. */
  meanEnergy(): number {
    const n = this.count * this.bands;
    let s = 0;
    for (let i = 0; i < n; i++) s += this.data[i]!;
    return n > 0 ? s / n : NaN;
  }
}

/** Level of one audio frame, computed once by `AudioFrame.level()` (one object per frame slot). */
export class AudioLevel {
  /** Root mean square of the frame's valid samples (full scale 1). */
  rms = 0;
  /** Largest |sample|. */
  peak = 0;
}

/**
 * What a voice-activity stage attaches under `speech` (asynchronously, with `attachAsync`): the
 * probability that the frame holds speech and the decision after the stage's hysteresis. A stage
 * may attach a richer object that has these fields.
 */
export interface SpeechAttachment {
  /** Probability of speech in the frame, 0..1. */
  probability: number;
  /** The stage's decision for this frame (after hysteresis). */
  speech: boolean;
}

/** A closed stretch of speech: [startSample, endSample) of the stream, and in seconds. */
export interface SpeechSpan {
  startSample: number;
  endSample: number;
  start: number;
  end: number;
}

/**
 * What a voice-activity stage that knows audio frames writes into each frame slot's own object
 * (`AudioFrame.speechStorage`, made once per slot and refilled: no allocation per frame) and
 * attaches under `speech` while the frame is still the one it read.
 */
export class SpeechState implements SpeechAttachment {
  probability = 0;
  speech = false;
  /** The model window's index in the stream (window k starts at sample 512 k). */
  window = -1;
  /** Stream index of the window's first sample. */
  startSample = 0;
  /** First sample of the segment open after this window, or -1 when none is open. */
  segmentStart = -1;
  /** The segment that closed with this window (start/end after the hysteresis), or null. */
  segment: SpeechSpan | null = null;
}

/** What each built-in audio attachment holds. */
export interface AudioAttachments {
  mel: MelColumns;
  rms: AudioLevel;
  speech: SpeechAttachment;
}
export type AudioAttachmentKey = keyof AudioAttachments;
/** Built-in audio attachment keys in slot order; user slots follow them. */
export const AUDIO_ATTACHMENT_KEYS: readonly AudioAttachmentKey[] = ['mel', 'rms', 'speech'];

const MEL = 0;
const RMS = 1;
/** Bits of a handle that hold the slot index (as video frames). */
export const AUDIO_HANDLE_INDEX_BITS = HANDLE_INDEX_BITS;

/** Everything a frame is built from, made once by its pool. @internal */
export interface AudioFrameInit {
  fk: KernelContext;
  owner: { release(frame: AudioFrame): void };
  /** Media time of stream sample 0, microseconds. */
  originUs: number;
  index: number;
  capacity: number;
  sampleRate: number;
  /** Holds `context` samples then `capacity` samples. */
  samples: Region;
  context: number;
  level: Region;
  keys: ReadonlyMap<string, number>;
  mel: MelColumns;
  slots: ReadonlyMap<string, SlotView>;
}

/**
 * One frame of an AudioPool: `capacity` f32 samples (512 at 16 kHz: 32 ms) in its arena region,
 * where it starts in the stream (`startSample`) and on the media timeline (`timestamp`, in
 * microseconds, the clock of video frames), a reference count, a generation that changes each time
 * it is released, and attachment slots: `mel` (filled by the stream that cuts the frame), `rms`
 * (computed once by `level()`), `speech` (attached by a voice-activity stage, usually with
 * `attachAsync`), and the pool's user slots.
 *
 * The same rules as video frames (ts/frame/frame.ts): every method is allocation-free except
 * `attachAsync` (one callback); use after the last release throws E_STATE; an async result that
 * settles after the frame was released (and perhaps reused) is discarded.
 */
export class AudioFrame extends PooledFrame<AudioAttachments> {
  /** Samples the frame holds when full. */
  readonly capacity: number;
  readonly sampleRate: number;
  /** Byte offset of the first sample in the memory (a kernel's input pointer). */
  readonly samplesPtr: number;
  /** Samples of context the frame keeps before its own (the pool's `context` option; 0 by default). */
  readonly context: number;
  /** Byte offset of the first context sample: `context + capacity` contiguous samples start here. */
  readonly windowPtr: number;
  /** Stream index of the first sample: the audio clock (an integer, exact for 18 hours at 16 kHz). */
  startSample = 0;
  /** Valid samples (capacity, except in a stream's last frame; the rest are zero). */
  length = 0;
  readonly #fk: KernelContext;
  readonly #owner: AudioFrameInit['owner'];
  readonly #originUs: number;
  readonly #usPerSample: number;
  readonly #samples: Float32Array;
  readonly #window: Float32Array;
  readonly #levelPtr: number;
  readonly #levelView: Float32Array;
  readonly #level = new AudioLevel();
  readonly #speech = new SpeechState();
  readonly #mel: MelColumns;
  readonly #slots: ReadonlyMap<string, SlotView>;

  /** @internal Frames are made by AudioPool. */
  constructor(i: AudioFrameInit) {
    super(i.index, i.keys, 'audio frame');
    this.#fk = i.fk;
    this.#owner = i.owner;
    this.#originUs = i.originUs;
    this.#usPerSample = 1e6 / i.sampleRate;
    this.capacity = i.capacity;
    this.sampleRate = i.sampleRate;
    this.context = i.context;
    this.windowPtr = i.samples.ptr;
    this.samplesPtr = i.samples.ptr + 4 * i.context;
    this.#samples = new Float32Array(i.fk.heap.buffer, this.samplesPtr, i.capacity);
    this.#window = new Float32Array(i.fk.heap.buffer, i.samples.ptr, i.context + i.capacity);
    this.#levelPtr = i.level.ptr;
    this.#levelView = new Float32Array(i.fk.heap.buffer, i.level.ptr, 2);
    this.#mel = i.mel;
    this.#slots = i.slots;
  }

  /**
   * Microseconds on the media timeline of the first sample (the clock of video frames): the pool's
   * `startUs` plus `startSample` samples. Derived from the sample count, not stored, so that cutting
   * frames stores no floating-point number (a heap allocation in V8 past 2^30 microseconds).
   */
  get timestamp(): number {
    return this.#originUs + this.startSample * this.#usPerSample;
  }

  /** Microseconds the frame covers when full (capacity / sampleRate). */
  get durationUs(): number {
    return (this.capacity * 1e6) / this.sampleRate;
  }

  /** The samples (a view over the arena region, made once): all `capacity`, of which `length` are valid. */
  get samples(): Float32Array {
    if (this._refs === 0) this.stale('samples');
    return this.#samples;
  }

  /**
   * The `context` stream samples before the frame's first, then its `capacity` samples, contiguous
   * (a view made once): what a model that reads overlapping blocks takes in one piece (Silero VAD v5
   * reads 64 samples of context and 512 new ones). Context before the stream's start is zero.
   */
  get window(): Float32Array {
    if (this._refs === 0) this.stale('window');
    return this.#window;
  }

  /**
   * This frame slot's speech object (made once): a voice-activity stage fills it and attaches it
   * under `speech` (`attachIfCurrent`), so a result costs no allocation. Read it through
   * `get('speech')`, which is null until the result landed.
   */
  get speechStorage(): SpeechState {
    if (this._refs === 0) this.stale('speechStorage');
    return this.#speech;
  }

  /** The preallocated mel columns (filled by the stream that cut the frame; attached under `mel`). */
  get melStorage(): MelColumns {
    if (this._refs === 0) this.stale('melStorage');
    return this.#mel;
  }

  release(): void {
    this.#owner.release(this);
  }

  /** The mel columns attached by the stream, or null (a frame filled by hand has none until attached). */
  mel(): MelColumns | null {
    if (this._refs === 0) this.stale('mel');
    return this.present[MEL] === 1 ? (this.attached[MEL] as MelColumns) : null;
  }

  /** RMS and peak of the valid samples, computed once by the level kernel and attached under `rms`. */
  level(): AudioLevel {
    if (this._refs === 0) this.stale('level');
    if (this.present[RMS] === 1) return this.attached[RMS] as AudioLevel;
    this.#fk.kernels.mel.level(this.samplesPtr, this.length, this.#levelPtr);
    const l = this.#level;
    l.rms = this.#levelView[0]!;
    l.peak = this.#levelView[1]!;
    this.attached[RMS] = l;
    this.present[RMS] = 1;
    return l;
  }

  /** The typed view of user slot `name` (declared in the pool's `slots` option), made once. */
  slot<T extends SlotView = SlotView>(name: string): T {
    if (this._refs === 0) this.stale('slot');
    const s = this.#slots.get(name);
    if (s === undefined) throw new FramekitError('E_ARGUMENT', `audio frame has no user slot ${JSON.stringify(name)}`, { name });
    return s as T;
  }

  /** @internal Called by the pool on acquire. */
  _acquire(seq: number, startSample: number): void {
    this._refs = 1;
    this.seq = seq;
    this.startSample = startSample;
    this.length = this.capacity;
    this.#mel.count = 0;
    this.#mel.first = 0;
  }

  /** @internal Called by the pool when the last reference goes. */
  _reset(): void {
    this.endGeneration();
  }
}
