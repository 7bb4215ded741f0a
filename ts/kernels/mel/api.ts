import { FramekitError } from '../../errors.js';
import { contextOf, type ContextSource, type KernelContext } from '../../core/context.js';
import type { RingCells } from '../ring/cells.js';
import type { Region } from '../../memory/arena.js';
import { buildMelTables, MEL_HOP, MEL_N_FFT, MEL_PAD, MEL_WORK_BYTES, type MelBands } from './tables.js';

export interface MelOptions {
  /** Mel bands: 80 (Whisper v1-v2, the default) or 128 (Whisper v3). */
  bands?: MelBands;
}

function checkBands(bands: unknown): MelBands {
  if (bands !== 80 && bands !== 128) throw new FramekitError('E_ARGUMENT', `mel bands must be 80 or 128, got ${String(bands)}`, { bands });
  return bands;
}

/**
 * Whisper's log-mel spectrogram (16 kHz, 400-sample periodic Hann window, hop 160, power spectrum,
 * Slaney mel bands from 0 to 8 kHz with Slaney normalisation, log10 of the energies floored at
 * 1e-10): the raw log10 values, before Whisper's whole-window normalisation (`whisperNormalize`).
 * Tolerance: max |difference| <= 1e-4 from transformers.js's WhisperFeatureExtractor (tested on
 * speech, noise, sweeps and silence); the implementations agree with each other within 1e-5.
 *
 * The constructor reserves the tables (window, FFT twiddles, sparse filterbank, about 18 KiB) and
 * the work space (8 KiB) in the arena once; `column` allocates nothing.
 */
export class MelSpectrogram {
  readonly bands: MelBands;
  readonly tables: Region;
  readonly work: Region;
  readonly #fk: KernelContext;
  #disposed = false;

  constructor(src: ContextSource, options: MelOptions = {}) {
    const fk = contextOf(src);
    this.#fk = fk;
    this.bands = checkBands(options.bands ?? 80);
    const t = buildMelTables(this.bands);
    this.tables = fk.arena.alloc(t.bytes.length, `mel tables (${this.bands} bands)`);
    try {
      this.work = fk.arena.alloc(MEL_WORK_BYTES, 'mel work');
    } catch (e) {
      fk.arena.free(this.tables);
      throw e;
    }
    fk.heap.set(t.bytes, this.tables.ptr);
  }

  /**
   * One column into `bands` f32 at byte `out`: the window starting at ring index `base` of the f32
   * samples at byte `src` (a ring of `capacity` samples, a power of two; cells `index & (capacity - 1)`),
   * reflected before window index `lead` (the stream's first sample) and after 399 - `tail` (its last).
   */
  column(out: number, src: number, capacity: number, base: number, lead = 0, tail = 0): void {
    if (this.#disposed) throw new FramekitError('E_STATE', 'mel: the spectrogram was disposed');
    const a = this.#fk.arena;
    if (!Number.isInteger(capacity) || capacity < MEL_N_FFT || (capacity & (capacity - 1)) !== 0)
      throw new FramekitError('E_ARGUMENT', `mel: ring capacity must be a power of two >= ${MEL_N_FFT}, got ${capacity}`);
    if (src % 4 !== 0 || !a.contains(src, capacity * 4)) throw new FramekitError('E_OUT_OF_BOUNDS', 'mel: samples lie outside the arena');
    if (out % 4 !== 0 || !a.contains(out, this.bands * 4)) throw new FramekitError('E_OUT_OF_BOUNDS', 'mel: output lies outside the arena');
    if (out < src + capacity * 4 && out + this.bands * 4 > src) throw new FramekitError('E_ARGUMENT', 'mel: output overlaps the samples');
    if (!Number.isInteger(lead) || !Number.isInteger(tail) || lead < 0 || tail < 0 || lead > MEL_PAD || tail > MEL_PAD)
      throw new FramekitError('E_ARGUMENT', `mel: lead and tail must be integers in [0, ${MEL_PAD}], got ${lead}, ${tail}`);
    this.#fk.kernels.mel.column(src, capacity - 1, base | 0, lead, tail, this.tables.ptr, out, this.work.ptr);
  }

  /** Returns the tables and work space to the arena. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#fk.arena.free(this.tables);
    this.#fk.arena.free(this.work);
  }
}

/**
 * Streaming log-mel over a sample ring (RingCells; a SampleRing is one): column t covers stream samples [160 t - 200, 160 t + 200),
 * reflected at the stream's start, and is computed once, from the ring's cells (no copy), as soon
 * as its last sample is in. The reader of the ring keeps every sample from `keepFrom` on until the
 * columns that need it are done. `finish` adds the last columns with reflect padding at the end, up
 * to column floor(length / 160), as a centred STFT (Whisper drops that last one).
 *
 * Allocation-free after construction. Stream positions are JS numbers (exact past 2^32 samples);
 * ring indices wrap at 2^32 as the ring's counters do.
 */
export class MelStream {
  readonly mel: MelSpectrogram;
  readonly ring: RingCells;
  /** Ring index of the stream's first sample. */
  readonly origin: number;
  /** Index of the next column to compute (the number computed so far). */
  next = 0;
  #finished = false;

  /** Starts a stream whose first sample is the ring's next to pop (or `origin`, a ring index). */
  constructor(mel: MelSpectrogram, ring: RingCells, origin = ring.readIndex) {
    if (ring.capacity < 2 * MEL_N_FFT)
      throw new FramekitError('E_ARGUMENT', `mel stream: the ring needs at least ${2 * MEL_N_FFT} samples, has ${ring.capacity}`);
    this.mel = mel;
    this.ring = ring;
    this.origin = origin | 0;
  }

  /** First stream sample a column not yet computed reads: the ring's reader may drop everything before it. */
  get keepFrom(): number {
    return Math.max(0, this.next * MEL_HOP - MEL_PAD);
  }

  /**
   * Computes, in order, each column whose window ends at or before stream sample `available` (the
   * samples the ring holds for this stream so far), at most `max`, into consecutive rows of `bands`
   * f32 from byte `out`. Returns how many.
   */
  advance(available: number, out: number, max: number): number {
    if (this.#finished) throw new FramekitError('E_STATE', 'mel stream: advance after finish');
    let n = 0;
    while (n < max && this.next * MEL_HOP + MEL_PAD <= available) {
      const t = this.next;
      const start = t * MEL_HOP - MEL_PAD;
      const lead = start < 0 ? -start : 0;
      this.#checkWindow(start + lead, start + MEL_N_FFT);
      this.mel.column(out + n * this.mel.bands * 4, this.ring.storagePtr, this.ring.capacity, (this.origin + start) | 0, lead, 0);
      this.next++;
      n++;
    }
    return n;
  }

  /**
   * The stream ended after `length` samples: computes the remaining columns up to floor(length / 160)
   * with reflect padding at the end (at most `max`; call again for more). Needs length > 200 (reflect
   * padding reads 200 samples back from each end); a shorter stream gets no more columns.
   */
  finish(length: number, out: number, max: number): number {
    this.#finished = true;
    if (length <= MEL_PAD) return 0;
    const lastColumn = Math.floor(length / MEL_HOP);
    let n = 0;
    while (n < max && this.next <= lastColumn) {
      const t = this.next;
      const start = t * MEL_HOP - MEL_PAD;
      const lead = start < 0 ? -start : 0;
      const tail = Math.max(0, start + MEL_N_FFT - length);
      this.#checkWindow(start + lead, start + MEL_N_FFT - tail);
      this.mel.column(out + n * this.mel.bands * 4, this.ring.storagePtr, this.ring.capacity, (this.origin + start) | 0, lead, tail);
      this.next++;
      n++;
    }
    return n;
  }

  /**
   * Throws E_STATE, before anything is computed, unless stream samples [from, to) are all in the
   * ring: pushed, and not yet dropped by its reader (ring counters compared modulo 2^32).
   */
  #checkWindow(from: number, to: number): void {
    const r = this.ring;
    const pushed = ((r.writeIndex - this.origin - to) | 0) >= 0;
    const kept = ((this.origin + from - r.readIndex) | 0) >= 0;
    if (!pushed || !kept)
      throw new FramekitError(
        'E_STATE',
        `mel stream: samples ${from}..${to} are ${pushed ? 'no longer in the ring (its reader dropped them)' : 'not in the ring yet'}`,
        { from, to },
      );
  }
}

/**
 * Whisper's normalisation of a whole window of raw log10 mel values (what the feature extractor
 * returns): x -> (max(x, M - 8) + 4) / 4 with M the largest value in `src`. Writes `out` (may be
 * `src`) and returns it.
 */
export function whisperNormalize(out: Float32Array, src: Float32Array): Float32Array {
  if (out.length < src.length) throw new FramekitError('E_BUFFER_SIZE', `whisperNormalize: out holds ${out.length}, src ${src.length}`);
  let m = -Infinity;
  for (let i = 0; i < src.length; i++) if (src[i]! > m) m = src[i]!;
  const floor = m - 8;
  for (let i = 0; i < src.length; i++) out[i] = (Math.max(src[i]!, floor) + 4) / 4;
  return out;
}
