/*
 * The oracle of pose from a plane homography: the twin of rust/src/pose/mod.rs, step for step (see
 * there for the method and its sources), so that it matches the WebAssembly builds bit for bit.
 * Allocates small arrays: an oracle, not for the frame loop.
 */
import { mat3Mul } from '../homography/linalg.js';

export const POSE_DEGENERATE = -2;

function invert3(m: ArrayLike<number>): number[] | null {
  const [a, b, c, d, e, f, g, h, i] = Array.from(m) as [number, number, number, number, number, number, number, number, number];
  const ca = e * i - f * h;
  const cb = f * g - d * i;
  const cc = d * h - e * g;
  const det = a * ca + b * cb + c * cc;
  if (!(Math.abs(det) > 0) || !(Math.abs(det) < Infinity)) return null;
  const adj = [ca, c * h - b * i, b * f - c * e, cb, a * i - c * g, c * d - a * f, cc, b * g - a * h, a * e - b * d];
  return adj.map((x) => x / det);
}

/** R (row-major) and t of the camera from the plane-to-image homography `h` and intrinsics `k`; null when degenerate. */
export function poseReference(h: ArrayLike<number>, k: ArrayLike<number>): { R: number[]; t: number[] } | null {
  const ki = invert3(k);
  if (!ki) return null;
  const m = mat3Mul(ki, h);
  const n1 = Math.sqrt(m[0]! * m[0]! + m[3]! * m[3]! + m[6]! * m[6]!);
  const n2 = Math.sqrt(m[1]! * m[1]! + m[4]! * m[4]! + m[7]! * m[7]!);
  let lambda = 2 / (n1 + n2);
  if (!(n1 > 0 && n2 > 0 && Math.abs(lambda) < Infinity)) return null;
  if (m[8]! * lambda < 0) lambda = -lambda;
  const r1 = [m[0]! * lambda, m[3]! * lambda, m[6]! * lambda];
  const r2 = [m[1]! * lambda, m[4]! * lambda, m[7]! * lambda];
  const r3 = [r1[1]! * r2[2]! - r1[2]! * r2[1]!, r1[2]! * r2[0]! - r1[0]! * r2[2]!, r1[0]! * r2[1]! - r1[1]! * r2[0]!];
  const t = [m[2]! * lambda, m[5]! * lambda, m[8]! * lambda];
  let x = [r1[0]!, r2[0]!, r3[0]!, r1[1]!, r2[1]!, r3[1]!, r1[2]!, r2[2]!, r3[2]!];
  for (let it = 0; it < 30; it++) {
    const inv = invert3(x);
    if (!inv) return null;
    const next = new Array<number>(9);
    let change = 0;
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        next[i * 3 + j] = 0.5 * (x[i * 3 + j]! + inv[j * 3 + i]!);
        const d = Math.abs(next[i * 3 + j]! - x[i * 3 + j]!);
        if (d > change) change = d;
      }
    }
    x = next;
    if (change < 1e-15) break;
  }
  for (let q = 0; q < 9; q++) if (!(Math.abs(x[q]!) <= 1 + 1e-9)) return null;
  return { R: x, t };
}
