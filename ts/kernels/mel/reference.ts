import { MEL_BINS, MEL_FLOOR, MEL_N_FFT } from './tables.js';

const COS = new Float64Array(MEL_N_FFT);
const SIN = new Float64Array(MEL_N_FFT);
for (let i = 0; i < MEL_N_FFT; i++) {
  COS[i] = Math.cos((2 * Math.PI * i) / MEL_N_FFT);
  SIN[i] = Math.sin((2 * Math.PI * i) / MEL_N_FFT);
}

/**
 * The oracle of wasm/mel.ts `mel_column`, straight from the definitions: the window gathered from
 * the ring with the same reflection, a direct 400-point DFT in float64 (no FFT), the power spectrum,
 * every band's weights from the table block, the floor and Math.log10. Same arguments as the kernel.
 */
export function melColumnReference(
  heap: Uint8Array,
  src: number,
  mask: number,
  base: number,
  lead: number,
  tail: number,
  tables: number,
  out: number,
): void {
  const dv = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
  const at = (i: number) => dv.getInt32(tables + 4 * i, true);
  const win = tables + at(0);
  const heads = tables + at(3);
  const weights = tables + at(4);
  const bands = at(5);
  const x = new Float64Array(MEL_N_FFT);
  const last = MEL_N_FFT - 1 - tail;
  for (let j = 0; j < MEL_N_FFT; j++) {
    let k = j;
    if (j < lead) k = 2 * lead - j;
    else if (j > last) k = 2 * last - j;
    const cell = (base + k) & mask;
    x[j] = dv.getFloat32(src + 4 * cell, true) * dv.getFloat64(win + 8 * j, true);
  }
  const pw = new Float64Array(MEL_BINS);
  for (let k = 0; k < MEL_BINS; k++) {
    let re = 0;
    let im = 0;
    for (let j = 0; j < MEL_N_FFT; j++) {
      const t = (j * k) % MEL_N_FFT;
      re += x[j]! * COS[t]!;
      im -= x[j]! * SIN[t]!;
    }
    pw[k] = re * re + im * im;
  }
  for (let m = 0; m < bands; m++) {
    const first = dv.getInt32(heads + 12 * m, true);
    const count = dv.getInt32(heads + 12 * m + 4, true);
    const wi = dv.getInt32(heads + 12 * m + 8, true);
    let acc = 0;
    for (let i = 0; i < count; i++) acc += dv.getFloat64(weights + 8 * (wi + i), true) * pw[first + i]!;
    dv.setFloat32(out + 4 * m, Math.log10(Math.fround(Math.max(acc, MEL_FLOOR))), true);
  }
}

/** The oracle of wasm/mel.ts `audio_level`: root mean square and peak |sample| of `n` f32 at `src`, in float64. */
export function audioLevelReference(heap: Uint8Array, src: number, n: number, out: number): void {
  const dv = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < n; i++) {
    const v = dv.getFloat32(src + 4 * i, true);
    sum += v * v;
    peak = Math.max(peak, Math.abs(v));
  }
  dv.setFloat32(out, n > 0 ? Math.sqrt(sum / n) : 0, true);
  dv.setFloat32(out + 4, peak, true);
}
