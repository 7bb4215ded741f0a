import { DESCRIPTOR_BYTES } from '../../features/descriptors.js';

const POPCOUNT = Uint8Array.from({ length: 256 }, (_, i) => {
  let n = 0;
  for (let v = i; v; v >>= 1) n += v & 1;
  return n;
});

/** Hamming distance of descriptor rows `i` of `a` and `j` of `b`, byte by byte. */
export function hamming(a: Uint8Array, i: number, b: Uint8Array, j: number): number {
  let d = 0;
  for (let k = 0; k < DESCRIPTOR_BYTES; k++) d += POPCOUNT[a[i * DESCRIPTOR_BYTES + k]! ^ b[j * DESCRIPTOR_BYTES + k]!]!;
  return d;
}

/** The nearest neighbours both ways (see rust/src/hamming), plain loops; int32 outputs. */
export function hammingMatchReference(
  a: Uint8Array,
  na: number,
  b: Uint8Array,
  nb: number,
  best: Int32Array,
  d1: Int32Array,
  d2: Int32Array,
  colBest: Int32Array,
  colD: Int32Array,
): void {
  const MAX = 0x7fffffff;
  colBest.fill(-1, 0, nb);
  colD.fill(MAX, 0, nb);
  for (let i = 0; i < na; i++) {
    let [bi, b1, b2] = [-1, MAX, MAX];
    for (let j = 0; j < nb; j++) {
      const d = hamming(a, i, b, j);
      if (d < b1) [b2, b1, bi] = [b1, d, j];
      else if (d < b2) b2 = d;
      if (d < colD[j]!) [colD[j], colBest[j]] = [d, i];
    }
    [best[i], d1[i], d2[i]] = [bi, b1, b2];
  }
}
