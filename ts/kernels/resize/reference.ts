import type { PlaneLike } from '../../image/plane.js';
import { linearAxis } from './tables.js';

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/**
 * The oracle of OpenCV's fixed-point INTER_LINEAR on 8-bit planes: per output pixel,
 * H(row) = S[x0] a0 + S[x1] a1 for the two source rows, then OpenCV's vector vertical step
 * (((H0 >> 4) b0 >> 16) + ((H1 >> 4) b1 >> 16) + 2) >> 2 (see wasm/resize.ts for why that one).
 * Allocates its tables per call (the oracle, not for the frame loop).
 */
export function resizeLinearReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike): void {
  const xo = new Int32Array(dst.width);
  const xo1 = new Int32Array(dst.width);
  const a = new Int16Array(2 * dst.width);
  const yo = new Int32Array(dst.height);
  const yo1 = new Int32Array(dst.height);
  const b = new Int16Array(2 * dst.height);
  linearAxis(src.width, dst.width, xo, 0, xo1, 0, a, 0);
  linearAxis(src.height, dst.height, yo, 0, yo1, 0, b, 0);
  for (let y = 0; y < dst.height; y++) {
    const r0 = src.ptr + yo[y]! * src.stride;
    const r1 = src.ptr + yo1[y]! * src.stride;
    for (let x = 0; x < dst.width; x++) {
      const h0 = heap[r0 + xo[x]!]! * a[2 * x]! + heap[r0 + xo1[x]!]! * a[2 * x + 1]!;
      const h1 = heap[r1 + xo[x]!]! * a[2 * x]! + heap[r1 + xo1[x]!]! * a[2 * x + 1]!;
      heap[dst.ptr + y * dst.stride + x] = Math.min(255, ((((h0 >> 4) * b[2 * y]!) >> 16) + (((h1 >> 4) * b[2 * y + 1]!) >> 16) + 2) >> 2);
    }
  }
}

/**
 * The oracle of INTER_AREA for integer factors kx, ky: 2x2 as (sum + 2) >> 2 (OpenCV's vector step,
 * which OpenCV.js matches), others round-half-even of sum * float(1 / (kx ky)) in float32.
 */
export function resizeAreaReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike, kx: number, ky: number): void {
  const scale = Math.fround(1 / (kx * ky));
  for (let y = 0; y < dst.height; y++) {
    for (let x = 0; x < dst.width; x++) {
      let sum = 0;
      for (let j = 0; j < ky; j++) for (let i = 0; i < kx; i++) sum += heap[src.ptr + (y * ky + j) * src.stride + x * kx + i]!;
      heap[dst.ptr + y * dst.stride + x] = kx === 2 && ky === 2 ? (sum + 2) >> 2 : Math.min(255, roundHalfEven(Math.fround(sum * scale)));
    }
  }
}
