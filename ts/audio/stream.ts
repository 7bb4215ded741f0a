import { FramekitError } from '../errors.js';
import { contextOf, type ContextSource } from '../core/context.js';
import { SampleRing } from '../frame/sample-ring.js';
import { MelSpectrogram, MelStream } from '../kernels/mel/api.js';
import { MEL_SAMPLE_RATE, type MelBands } from '../kernels/mel/tables.js';
import type { AudioFrame } from './frame.js';
import { AudioPool, type AudioPoolOptions } from './pool.js';

export interface AudioStreamOptions extends Omit<AudioPoolOptions, 'sampleRate'> {
  /** Samples the ring holds (a power of two, default 32768: about 2 s at 16 kHz). */
  ringCapacity?: number;
  /** Microseconds on the media timeline of the stream's first sample (default 0). */
  startUs?: number;
}

/**
 * The audio path from a SampleRing to audio frames: a source pushes 16 kHz mono f32 into `ring`;
 * `next()` cuts the next `samples`-sample frame once it is in, copying its samples from the ring into
 * the frame (the one copy: the frame outlives the ring's cells), attaches the log-mel columns its
 * samples complete (computed once each, from the ring's cells) and leaves the ring holding only the
 * samples later columns still read. `flush()` after the source ends cuts the last, shorter frame and
 * the final columns (reflect padding at the end).
 *
 * The audio clock is the sample count: frame k starts at stream sample k * samples and at
 * `startUs + 1e6 * k * samples / 16000` microseconds. Allocation-free per frame.
 */
export class AudioStream {
  readonly ring: SampleRing;
  readonly pool: AudioPool;
  readonly mel: MelSpectrogram;
  readonly sampleRate = MEL_SAMPLE_RATE;
  readonly startUs: number;
  readonly #melStream: MelStream;
  readonly #frameSamples: number;
  /** Stream samples pushed into the ring so far (tracked from the ring's write counter). */
  #received = 0;
  #lastWrite: number;
  /** Stream samples cut into frames. */
  #cut = 0;
  /** Stream samples dropped from the ring. */
  #consumed = 0;
  #ended = false;
  #disposed = false;

  constructor(src: ContextSource, o: AudioStreamOptions = {}) {
    const fk = contextOf(src);
    const bands: MelBands = o.bands ?? 80;
    this.startUs = o.startUs ?? 0;
    this.pool = new AudioPool(fk, { ...o, bands, sampleRate: MEL_SAMPLE_RATE, startUs: this.startUs });
    this.#frameSamples = this.pool.samples;
    const cap = o.ringCapacity ?? 32768;
    try {
      if (cap < 2 * this.#frameSamples + this.pool.context + 1024)
        throw new FramekitError(
          'E_ARGUMENT',
          `ringCapacity ${cap} is too small for ${this.#frameSamples}-sample frames and the mel window`,
        );
      this.ring = new SampleRing(fk, cap);
    } catch (e) {
      this.pool.dispose();
      throw e;
    }
    this.mel = new MelSpectrogram(fk, { bands });
    this.#lastWrite = this.ring.writeIndex;
    this.#melStream = new MelStream(this.mel, this.ring, this.ring.readIndex);
  }

  /** Stream samples pushed so far. */
  get received(): number {
    this.#sync();
    return this.#received;
  }

  /** Stream samples already cut into frames. */
  get cut(): number {
    return this.#cut;
  }

  /** Microseconds of the media timeline at stream sample `n`. */
  timeOf(n: number): number {
    return this.startUs + (n * 1e6) / MEL_SAMPLE_RATE;
  }

  /**
   * The next full frame (one reference: release it), or null until its samples are in. E_STATE from
   * the pool when every frame is held (under its 'error' policy).
   */
  next(): AudioFrame | null {
    this.#check();
    if (this.#ended) return null;
    this.#sync();
    const n = this.#frameSamples;
    if (this.#received - this.#cut < n) return null;
    return this.#cutFrame(n, false);
  }

  /**
   * After the source ended: the remaining frames, the last holding what is left (at most a full
   * frame, zero-filled after `length`; 0 samples when the stream ended on a frame boundary) and the
   * final mel columns; then null. Call until null. `next()` returns null after the first call.
   */
  flush(): AudioFrame | null {
    this.#check();
    this.#sync();
    const rest = this.#received - this.#cut;
    if (rest > this.#frameSamples) return this.#cutFrame(this.#frameSamples, false);
    if (this.#ended) return null;
    this.#ended = true;
    // The last frame carries the end's mel columns; when the stream ended on a frame boundary that
    // is a frame of 0 samples (the columns reflected at the end still belong somewhere).
    return this.#cutFrame(rest, true);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.pool.dispose();
    this.#disposed = true;
    this.ring.dispose();
    this.mel.dispose();
  }

  #cutFrame(len: number, last: boolean): AudioFrame {
    const start = this.#cut;
    const f = this.pool.acquire(start);
    f.length = len;
    // The frame's context (the samples just before it, kept in the ring for it) and its own samples: one copy.
    const ctx = f.context;
    const have = start < ctx ? start : ctx;
    if (have < ctx) f.window.fill(0, 0, ctx - have);
    this.ring.peekInto(f.samplesPtr - 4 * have, have + len, start - have - this.#consumed);
    if (len < f.capacity) f.samples.fill(0, len);
    const cols = f.melStorage;
    cols.first = this.#melStream.next;
    cols.count = last
      ? this.#melStream.finish(start + len, cols.data.byteOffset, cols.capacity)
      : this.#melStream.advance(start + len, cols.data.byteOffset, cols.capacity);
    f.attach('mel', cols);
    this.#cut = start + len;
    const keep = last ? this.#cut : Math.max(0, Math.min(this.#cut - this.pool.context, this.#melStream.keepFrom));
    if (keep > this.#consumed) {
      this.ring.skip(keep - this.#consumed);
      this.#consumed = keep;
    }
    return f;
  }

  #sync(): void {
    const w = this.ring.writeIndex;
    this.#received += (w - this.#lastWrite) | 0;
    this.#lastWrite = w;
  }

  #check(): void {
    if (this.#disposed) throw new FramekitError('E_STATE', 'the audio stream was disposed');
  }
}
