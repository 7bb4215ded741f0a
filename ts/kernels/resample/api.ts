import { FramekitError } from '../../errors.js';
import { contextOf, type ContextSource, type KernelContext } from '../../core/context.js';
import type { WritableRingCells } from '../ring/cells.js';
import type { Region } from '../../memory/arena.js';
import { buildResampleFilter, type ResampleFilter } from './tables.js';

export interface ResamplerOptions {
  /** Output rate (default 16000, framekit's audio rate). */
  outRate?: number;
  /** Largest input block `push` takes in one piece (default 4096 samples; larger blocks go in pieces). */
  maxBlock?: number;
}

/**
 * A stream of f32 samples at `inRate` converted to `outRate` (a microphone's 44.1 or 48 kHz to
 * 16 kHz) by the WASM polyphase kernel (ts/kernels/resample/tables.ts has the filter), written
 * straight into a SampleRing's cells. The input before the stream's first sample counts as zero.
 *
 * The constructor reserves the filter table and an input history (taps + maxBlock samples) in the
 * arena; `push` allocates nothing: it copies the block into the history (the one copy), computes
 * every output it completes (as many as the ring has room for; the rest wait for the next push) and
 * keeps only the inputs later outputs read.
 */
export class Resampler {
  readonly filter: ResampleFilter;
  readonly maxBlock: number;
  readonly #fk: KernelContext;
  readonly #table: Region;
  readonly #hist: Region;
  readonly #histF32: Float32Array;
  readonly #histLen: number;
  /** Samples in the history; sample 0 is input index #base. */
  #have: number;
  #base: number;
  /** The next output's centre input index and phase. */
  #n = 0;
  #p = 0;
  #disposed = false;

  constructor(src: ContextSource, inRate: number, o: ResamplerOptions = {}) {
    const fk = contextOf(src);
    this.filter = buildResampleFilter(inRate, o.outRate ?? 16000);
    this.maxBlock = o.maxBlock ?? 4096;
    if (!Number.isInteger(this.maxBlock) || this.maxBlock < 1 || this.maxBlock > 1 << 20)
      throw new FramekitError('E_ARGUMENT', `maxBlock must be an integer from 1 to 2^20, got ${String(o.maxBlock)}`);
    this.#fk = fk;
    const t = this.filter.taps;
    this.#histLen = t + this.maxBlock;
    this.#table = fk.arena.alloc(this.filter.table.byteLength, `resampler table ${inRate} Hz`);
    try {
      this.#hist = fk.arena.alloc(this.#histLen * 4, 'resampler history');
    } catch (e) {
      fk.arena.free(this.#table);
      throw e;
    }
    new Float32Array(fk.heap.buffer, this.#table.ptr, this.filter.table.length).set(this.filter.table);
    this.#histF32 = new Float32Array(fk.heap.buffer, this.#hist.ptr, this.#histLen);
    // Zeros before the stream: the first output (at input 0) reads taps/2 - 1 samples before it.
    this.#have = t / 2 - 1;
    this.#base = -this.#have;
    this.#histF32.fill(0, 0, this.#have);
  }

  /**
   * Appends `input` (any Float32Array; one inside framekit's memory is moved with copyWithin) and
   * writes the outputs it completes into `ring`. Returns how many input samples it took: all of
   * them, unless the ring filled up and the history is full; then pop from the ring and push the
   * rest (`input.subarray(taken)`). Nothing is dropped.
   */
  push(input: Float32Array, ring: WritableRingCells): number {
    if (this.#disposed) throw new FramekitError('E_STATE', 'the resampler was disposed');
    let off = 0;
    while (off < input.length) {
      const n = Math.min(input.length - off, this.#histLen - this.#have);
      if (n === 0) break; // the ring is full and the history holds a whole block
      if (input.buffer === this.#fk.heap.buffer) {
        const from = input.byteOffset + off * 4;
        this.#fk.heap.copyWithin(this.#hist.ptr + this.#have * 4, from, from + n * 4);
      } else this.#histF32.set(input.subarray(off, off + n), this.#have);
      this.#have += n;
      off += n;
      this.#run(ring);
    }
    return off;
  }

  /** Input samples `push` takes now without waiting for the ring (history room). */
  get room(): number {
    return this.#histLen - this.#have;
  }

  /** Outputs whose inputs are all in: as many as `ring` has room for. */
  drain(ring: WritableRingCells): number {
    return this.#run(ring);
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#fk.arena.free(this.#table);
    this.#fk.arena.free(this.#hist);
  }

  #run(ring: WritableRingCells): number {
    const { taps, M, L } = this.filter;
    const half = taps / 2 - 1;
    // Count the outputs whose window [n - half, n - half + taps) lies in the history.
    let count = 0;
    let n = this.#n;
    let p = this.#p;
    const room = ring.free;
    while (count < room && n - half - this.#base + taps <= this.#have) {
      count++;
      p += M;
      n += Math.floor(p / L);
      p %= L;
    }
    if (count > 0) {
      const w = ring.reserve(count);
      const mask = ring.capacity - 1;
      const first = Math.min(count, ring.capacity - (w & mask));
      const src = this.#hist.ptr + 4 * (this.#n - half - this.#base);
      const dst = ring.storagePtr + 4 * (w & mask);
      this.#fk.kernels.resample(src, dst, first, this.#p, M, L, taps, this.#table.ptr);
      if (first < count) {
        // The ring wraps: the rest from the output `first` steps on.
        let n2 = this.#n;
        let p2 = this.#p;
        for (let i = 0; i < first; i++) {
          p2 += M;
          n2 += Math.floor(p2 / L);
          p2 %= L;
        }
        this.#fk.kernels.resample(
          this.#hist.ptr + 4 * (n2 - half - this.#base),
          ring.storagePtr,
          count - first,
          p2,
          M,
          L,
          taps,
          this.#table.ptr,
        );
      }
      ring.commit(count);
      this.#n = n;
      this.#p = p;
    }
    // Keep only what later outputs read.
    const drop = Math.min(this.#have, this.#n - half - this.#base);
    if (drop > 0) {
      this.#fk.heap.copyWithin(this.#hist.ptr, this.#hist.ptr + drop * 4, this.#hist.ptr + this.#have * 4);
      this.#have -= drop;
      this.#base += drop;
    }
    return count;
  }
}
