import type { PlaneLike } from '../../image/plane.js';

/** The oracle: the sum of every byte of a gray plane's rows. */
export function planeSumReference(heap: Uint8Array, src: PlaneLike): bigint {
  let total = 0;
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) total += heap[src.ptr + y * src.stride + x]!;
  }
  return BigInt(total);
}
