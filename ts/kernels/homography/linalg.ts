/*
 * Small dense f64 linear algebra for the geometry references: the line-for-line twin of
 * rust/src/homography/linalg.rs. Same operations in the same order, so that (IEEE-754 add,
 * multiply, divide and sqrt being correctly rounded in both languages) the references compute
 * bit-identical results to the WebAssembly builds. Plain loops: oracles, not for the frame loop
 * (they allocate small arrays).
 */

/** Row-major 3x3 product `a * b`; each entry summed left to right. */
export function mat3Mul(a: ArrayLike<number>, b: ArrayLike<number>): number[] {
  const r = new Array<number>(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) r[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  }
  return r;
}

/** Hartley's normalisation, RMS form (cx, cy, s): p -> s (p - c); `at(i)` null leaves point i out. Null when degenerate. */
export function normaliser(n: number, at: (i: number) => [number, number] | null): [number, number, number] | null {
  let cx = 0;
  let cy = 0;
  let m = 0;
  for (let i = 0; i < n; i++) {
    const p = at(i);
    if (p) {
      cx += p[0];
      cy += p[1];
      m += 1;
    }
  }
  cx /= m;
  cy /= m;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const p = at(i);
    if (p) {
      const dx = p[0] - cx;
      const dy = p[1] - cy;
      d += dx * dx + dy * dy;
    }
  }
  d /= m;
  if (!(d > 1e-24)) return null;
  return [cx, cy, Math.sqrt(2 / d)];
}

/** H / h33, or null when |h33| is tiny relative to the matrix or any entry is not finite. */
export function scaleH33(h: ArrayLike<number>): number[] | null {
  let m = 0;
  for (let k = 0; k < 9; k++) {
    if (!(Math.abs(h[k]!) < Infinity)) return null;
    if (Math.abs(h[k]!) > m) m = Math.abs(h[k]!);
  }
  if (!(Math.abs(h[8]!) > 1e-12 * m)) return null;
  const r = new Array<number>(9);
  for (let k = 0; k < 9; k++) r[k] = h[k]! / h[8]!;
  r[8] = 1;
  return r;
}

/** H = Td^-1 Hn Ts, scaled so that h33 = 1; null when degenerate. */
export function denormalise(hn: ArrayLike<number>, ts: [number, number, number], td: [number, number, number]): number[] | null {
  const [sx, sy, ss] = ts;
  const [dx, dy, ds] = td;
  const tSrc = [ss, 0, -ss * sx, 0, ss, -ss * sy, 0, 0, 1];
  const tDstInv = [1 / ds, 0, dx, 0, 1 / ds, dy, 0, 0, 1];
  return scaleH33(mat3Mul(tDstInv, mat3Mul(hn, tSrc)));
}

/** Gaussian elimination with partial pivoting on `a x = b` (both destroyed); the solution is left in `b`. */
export function solve(a: number[][], b: number[], tiny: number): boolean {
  const n = b.length;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (!(Math.abs(a[p]![c]!) > tiny)) return false;
    [a[c], a[p]] = [a[p]!, a[c]!];
    [b[c], b[p]] = [b[p]!, b[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k < n; k++) a[r]![k]! -= f * a[c]![k]!;
      b[r]! -= f * b[c]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = b[c]!;
    for (let k = c + 1; k < n; k++) s -= a[c]![k]! * b[k]!;
    b[c] = s / a[c]![c]!;
  }
  return true;
}

/** Unit eigenvector of the smallest eigenvalue of the symmetric matrix `a` (destroyed), cyclic Jacobi. */
export function smallestEigenvector(a: number[][]): number[] {
  const n = a.length;
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += a[p]![p]! * a[p]![p]!;
      for (let q = p + 1; q < n; q++) off += a[p]![q]! * a[p]![q]!;
    }
    if (!(off > 1e-30 * diag)) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p]![q]!;
        if (apq === 0) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * apq);
        const at = Math.abs(theta);
        let t = at > 1e150 ? 0.5 / at : 1 / (at + Math.sqrt(theta * theta + 1));
        if (theta < 0) t = -t;
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let m = 0;
  for (let i = 1; i < n; i++) if (a[i]![i]! < a[m]![m]!) m = i;
  return v.map((row) => row[m]!);
}
