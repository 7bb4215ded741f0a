import { align16 } from '../memory/layout.js';

/*
 * Scratch layout of the separable engine (wasm/separable.ts) for a `width`-wide image and kernels
 * of nx, ny taps, from a 16-aligned `base`: the i16 weights kx (at base) then ky (at base + 2 nx);
 * then, 16-aligned, the engine's work area: ny row pointers and the row of 16-bit vertical sums
 * with `pad` samples of border on each side.
 */

/** Bytes of scratch the separable engine needs. */
export function separableScratchBytes(width: number, nx: number, ny: number): number {
  const pad = ((nx >> 1) + 7) & ~7;
  return align16(2 * (nx + ny)) + align16(4 * ny) + 2 * (width + 2 * pad) + 16;
}

/** Where the engine's work area starts for weights of nx + ny taps at `base`. */
export function separableWork(base: number, nx: number, ny: number): number {
  return base + align16(2 * (nx + ny));
}

/** Writes i16 weights into the memory at byte offset `ptr` (even). No allocation. */
export function writeWeights(i16: Int16Array, ptr: number, k: ArrayLike<number>): void {
  const o = ptr >> 1;
  for (let i = 0; i < k.length; i++) i16[o + i] = k[i]!;
}
