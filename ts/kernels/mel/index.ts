import type { KernelBackend } from '../backend.js';
import { audioLevelReference, melColumnReference } from './reference.js';

/**
 * One log-mel column from a ring of f32 samples (see wasm/mel.ts `mel_column`): window at ring index
 * `base` (cells `index & mask` from byte `src`), reflected below `lead` and above 399 - `tail`;
 * tables, output and work are byte offsets in the memory. Arguments are already checked.
 */
export type MelColumnKernel = (
  src: number,
  mask: number,
  base: number,
  lead: number,
  tail: number,
  tables: number,
  out: number,
  work: number,
) => void;
/** Root mean square and peak of `n` f32 samples into two f32 at `out`. */
export type AudioLevelKernel = (src: number, n: number, out: number) => void;

export interface MelKernels {
  column: MelColumnKernel;
  level: AudioLevelKernel;
}

/** Picks the implementation once: wasm/mel.ts (SIMD or scalar build), else the reference. */
export function bindMel(b: KernelBackend): MelKernels {
  const px = b.wasm?.pixels;
  if (!px) {
    const heap = b.heap;
    return {
      column: (src, mask, base, lead, tail, tables, out) => melColumnReference(heap, src, mask, base, lead, tail, tables, out),
      level: (src, n, out) => audioLevelReference(heap, src, n, out),
    };
  }
  return { column: px.mel_column, level: px.audio_level };
}
