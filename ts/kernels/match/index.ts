import type { KernelBackend } from '../backend.js';
import { hammingMatchReference } from './reference.js';

/**
 * Nearest neighbours both ways between `na` query and `nb` train descriptors at byte offsets `a`
 * and `b`; the five outputs are int32 arrays at byte offsets `out` (best, d1, d2 of `na` each, then
 * colBest, colD of `nb` each, packed in that order).
 */
export type HammingKernel = (a: number, na: number, b: number, nb: number, out: number) => void;

export function bindHamming(k: KernelBackend): HammingKernel {
  const f = k.wasm?.features;
  if (!f) {
    const i32 = new Int32Array(k.heap.buffer);
    return (a, na, b, nb, out) => {
      const at = (off: number, n: number) => i32.subarray((out >> 2) + off, (out >> 2) + off + n);
      hammingMatchReference(
        k.heap.subarray(a),
        na,
        k.heap.subarray(b),
        nb,
        at(0, na),
        at(na, na),
        at(2 * na, na),
        at(3 * na, nb),
        at(3 * na + nb, nb),
      );
    };
  }
  return (a, na, b, nb, out) => f.fk_hamming_match(a, na, b, nb, out, out + 4 * na, out + 8 * na, out + 12 * na, out + 12 * na + 4 * nb);
}
