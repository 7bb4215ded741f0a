/**
 * Whisper's log-mel parameters and the constant tables the mel kernels read: the Hann window, the
 * twiddles of the 200-point complex FFT behind the 400-point real one, the real-split twiddles, and
 * the Slaney mel filterbank in sparse form. Built once in float64 by `buildMelTables` (allocates:
 * setup only) and copied into the arena, where wasm/mel.ts reads them.
 */

/** Samples per second the mel parameters assume. */
export const MEL_SAMPLE_RATE = 16000;
/** Window and FFT length (25 ms at 16 kHz). */
export const MEL_N_FFT = 400;
/** Samples between columns (10 ms at 16 kHz). */
export const MEL_HOP = 160;
/** Reflect padding before the first sample (and after the last, when a stream finishes): n_fft / 2. */
export const MEL_PAD = MEL_N_FFT / 2;
/** One-sided frequency bins of the power spectrum. */
export const MEL_BINS = MEL_N_FFT / 2 + 1;
/** Floor applied to mel energies before log10. */
export const MEL_FLOOR = 1e-10;
/** The mel band counts Whisper uses (v1-v2 and v3). */
export type MelBands = 80 | 128;

/** Radices of the 200-point complex FFT, in stage order (200 = 5 * 5 * 4 * 2). */
export const FFT_RADICES: readonly number[] = [5, 5, 4, 2];
const HALF = MEL_N_FFT / 2;

/** Slaney's mel scale (librosa's `htk=False`): linear below 1 kHz, logarithmic above. */
export function hzToMelSlaney(hz: number): number {
  const step = Math.log(6.4) / 27;
  return hz < 1000 ? (3 * hz) / 200 : 15 + Math.log(hz / 1000) / step;
}

export function melToHzSlaney(mel: number): number {
  const step = Math.log(6.4) / 27;
  return mel < 15 ? (200 * mel) / 3 : 1000 * Math.exp(step * (mel - 15));
}

/**
 * The dense Slaney filterbank from 0 to 8 kHz with Slaney (area) normalisation, `bands` rows of
 * MEL_BINS weights: triangles between consecutive mel-spaced edges, scaled by 2 / (upper - lower edge).
 * Allocates.
 */
export function slaneyFilterbank(bands: number): Float64Array[] {
  const lo = hzToMelSlaney(0);
  const hi = hzToMelSlaney(8000);
  const edges = new Float64Array(bands + 2);
  for (let i = 0; i < bands + 2; i++) edges[i] = melToHzSlaney(lo + ((hi - lo) * i) / (bands + 1));
  const rows: Float64Array[] = [];
  for (let m = 0; m < bands; m++) {
    const row = new Float64Array(MEL_BINS);
    const norm = 2 / (edges[m + 2]! - edges[m]!);
    for (let k = 0; k < MEL_BINS; k++) {
      const f = (k * (MEL_SAMPLE_RATE / 2)) / (MEL_BINS - 1);
      const up = (f - edges[m]!) / (edges[m + 1]! - edges[m]!);
      const down = (edges[m + 2]! - f) / (edges[m + 2]! - edges[m + 1]!);
      row[k] = Math.max(0, Math.min(up, down)) * norm;
    }
    rows.push(row);
  }
  return rows;
}

/** The periodic Hann window of MEL_N_FFT samples (numpy's `hanning(401)[:-1]`). Allocates. */
export function hannWindow(): Float64Array {
  const w = new Float64Array(MEL_N_FFT);
  for (let n = 0; n < MEL_N_FFT; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / MEL_N_FFT);
  return w;
}

/**
 * Byte layout of the table block. A header of int32 offsets (bytes from the block's start) comes
 * first so the kernel finds each table without extra arguments:
 *   [0] window (MEL_N_FFT f64)   [1] FFT twiddles   [2] split twiddles   [3] band headers (3 i32 each:
 *   first bin, bin count, weight index)   [4] weights (f64)   [5] band count
 * A complex twiddle w = wr + i*wi is stored as four f64 (wr, wr, -wi, wi): a complex product is then
 * a * (wr, wr) + swap(a) * (-wi, wi), two lane-wise multiplies and one add in f64x2.
 */
export interface MelTables {
  readonly bands: number;
  /** The whole block, ready to copy into the arena (16-byte aligned offsets). */
  readonly bytes: Uint8Array;
  /** The dense filterbank the sparse one was cut from (for the reference and tests). */
  readonly filterbank: readonly Float64Array[];
  readonly window: Float64Array;
}

const HEADER_BYTES = 32;

function align16(n: number): number {
  return (n + 15) & ~15;
}

/** Builds every table for `bands` mel bands. Allocates: setup only. */
export function buildMelTables(bands: MelBands): MelTables {
  const window = hannWindow();
  const filterbank = slaneyFilterbank(bands);
  // FFT twiddles, stage by stage: for a stage of radix r over a sub-transform of length n, m = n / r
  // entries p in [0, m), each holding w_n^(p k) for k in [1, r).
  const tw: number[] = [];
  let n = HALF;
  for (const r of FFT_RADICES) {
    const m = n / r;
    for (let p = 0; p < m; p++) {
      for (let k = 1; k < r; k++) {
        const a = (-2 * Math.PI * p * k) / n;
        tw.push(Math.cos(a), Math.cos(a), -Math.sin(a), Math.sin(a));
      }
    }
    n = m;
  }
  // Real split: X[k] = (E + V_k O) / 2 with E = Z[k] + conj Z[200-k], O = Z[k] - conj Z[200-k],
  // V_k = -i e^(-2 pi i k / 400).
  const split: number[] = [];
  for (let k = 0; k <= HALF; k++) {
    const a = (-2 * Math.PI * k) / MEL_N_FFT;
    const vr = Math.sin(a);
    const vi = -Math.cos(a);
    split.push(vr, vr, -vi, vi);
  }
  const heads: number[] = [];
  const weights: number[] = [];
  for (const row of filterbank) {
    let first = 0;
    while (first < MEL_BINS && row[first] === 0) first++;
    let last = MEL_BINS - 1;
    while (last >= first && row[last] === 0) last--;
    const count = Math.max(0, last - first + 1);
    heads.push(first, count, weights.length);
    for (let k = first; k < first + count; k++) weights.push(row[k]!);
  }
  const offWindow = HEADER_BYTES;
  const offTw = align16(offWindow + MEL_N_FFT * 8);
  const offSplit = align16(offTw + tw.length * 8);
  const offHeads = align16(offSplit + split.length * 8);
  const offWeights = align16(offHeads + heads.length * 4);
  const total = align16(offWeights + weights.length * 8);
  const bytes = new Uint8Array(total);
  const dv = new DataView(bytes.buffer);
  [offWindow, offTw, offSplit, offHeads, offWeights, bands].forEach((v, i) => dv.setInt32(i * 4, v, true));
  window.forEach((v, i) => dv.setFloat64(offWindow + i * 8, v, true));
  tw.forEach((v, i) => dv.setFloat64(offTw + i * 8, v, true));
  split.forEach((v, i) => dv.setFloat64(offSplit + i * 8, v, true));
  heads.forEach((v, i) => dv.setInt32(offHeads + i * 4, v, true));
  weights.forEach((v, i) => dv.setFloat64(offWeights + i * 8, v, true));
  return { bands, bytes, filterbank, window };
}

/** Bytes of work space one mel column needs: two 200-point complex f64 buffers and 201 powers. */
export const MEL_WORK_BYTES = 2 * HALF * 16 + align16(MEL_BINS * 8);
