//! Small dense f64 linear algebra for the geometry kernels (homography, pose); square roots from
//! crate::math (correctly rounded in both builds).
//!
//! Every routine here has a line-for-line twin in ts/kernels/homography/linalg.ts, with the same
//! operations in the same order: IEEE-754 add, multiply, divide and sqrt are correctly rounded in
//! both languages (WebAssembly has no fused multiply-add, and LLVM does not reassociate floats), so
//! the reference and the WebAssembly builds compute bit-identical results.

pub use crate::math::abs;
use crate::math::sqrt;

/// Row-major 3x3 product `a * b`; each entry summed left to right.
pub fn mat3_mul(a: &[f64; 9], b: &[f64; 9]) -> [f64; 9] {
    let mut r = [0.0; 9];
    for i in 0..3 {
        for j in 0..3 {
            r[i * 3 + j] = a[i * 3] * b[j] + a[i * 3 + 1] * b[3 + j] + a[i * 3 + 2] * b[6 + j];
        }
    }
    r
}

/// Similarity that moves the centroid of the points to the origin and their root-mean-square
/// distance from it to sqrt(2) (Hartley's normalisation, in its RMS form: one square root per set
/// rather than one per point): returns (cx, cy, s), the map being p -> s * (p - c).
/// `at(i)` gives point i, or None to leave it out, for i in 0..n. None when no point is taken or
/// every point taken coincides.
pub fn normaliser<F: Fn(usize) -> Option<(f64, f64)>>(n: usize, at: F) -> Option<(f64, f64, f64)> {
    let (mut cx, mut cy, mut m) = (0.0, 0.0, 0.0);
    for i in 0..n {
        if let Some((x, y)) = at(i) {
            cx += x;
            cy += y;
            m += 1.0;
        }
    }
    cx /= m;
    cy /= m;
    let mut d = 0.0;
    for i in 0..n {
        if let Some((x, y)) = at(i) {
            let (dx, dy) = (x - cx, y - cy);
            d += dx * dx + dy * dy;
        }
    }
    d /= m;
    if !(d > 1e-24) {
        return None;
    }
    Some((cx, cy, sqrt(2.0 / d)))
}

/// `Hn` in normalised coordinates back to pixels: H = Td^-1 * Hn * Ts, scaled so that h33 = 1.
/// None when h33 is (nearly) zero or anything is not finite.
pub fn denormalise(hn: &[f64; 9], ts: (f64, f64, f64), td: (f64, f64, f64)) -> Option<[f64; 9]> {
    let (sx, sy, ss) = ts;
    let (dx, dy, ds) = td;
    let t_src = [ss, 0.0, -ss * sx, 0.0, ss, -ss * sy, 0.0, 0.0, 1.0];
    let t_dst_inv = [1.0 / ds, 0.0, dx, 0.0, 1.0 / ds, dy, 0.0, 0.0, 1.0];
    let h = mat3_mul(&t_dst_inv, &mat3_mul(hn, &t_src));
    scale_h33(&h)
}

/// H / h33, or None when |h33| is tiny relative to the matrix or any entry is not finite.
pub fn scale_h33(h: &[f64; 9]) -> Option<[f64; 9]> {
    let mut m = 0.0;
    for k in 0..9 {
        if !(abs(h[k]) < f64::INFINITY) {
            return None;
        }
        if abs(h[k]) > m {
            m = abs(h[k]);
        }
    }
    if !(abs(h[8]) > 1e-12 * m) {
        return None;
    }
    let mut r = [0.0; 9];
    for k in 0..9 {
        r[k] = h[k] / h[8];
    }
    r[8] = 1.0;
    Some(r)
}

/// Solves the N x N system `a x = b` in place by Gaussian elimination with partial pivoting; the
/// solution is left in `b`. False (and `b` undefined) when a pivot is below `tiny` in magnitude.
pub fn solve<const N: usize>(a: &mut [[f64; N]; N], b: &mut [f64; N], tiny: f64) -> bool {
    for c in 0..N {
        let mut p = c;
        for r in c + 1..N {
            if abs(a[r][c]) > abs(a[p][c]) {
                p = r;
            }
        }
        if !(abs(a[p][c]) > tiny) {
            return false;
        }
        a.swap(c, p);
        b.swap(c, p);
        for r in c + 1..N {
            let f = a[r][c] / a[c][c];
            for k in c..N {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    for c in (0..N).rev() {
        let mut s = b[c];
        for k in c + 1..N {
            s -= a[c][k] * b[k];
        }
        b[c] = s / a[c][c];
    }
    true
}

/// Unit eigenvector of the smallest eigenvalue of the symmetric N x N matrix `a` (destroyed), by
/// cyclic Jacobi rotations (see: Golub & Van Loan, "Matrix Computations", 8.5). Each rotation in
/// the (p, q) plane zeroes a[p][q]; sweeps repeat until the off-diagonal mass is negligible next
/// to the diagonal (at most 50 sweeps; 9 x 9 normal matrices take 6 to 10).
pub fn smallest_eigenvector<const N: usize>(a: &mut [[f64; N]; N]) -> [f64; N] {
    let mut v = [[0.0; N]; N];
    for i in 0..N {
        v[i][i] = 1.0;
    }
    for _sweep in 0..50 {
        let (mut off, mut diag) = (0.0, 0.0);
        for p in 0..N {
            diag += a[p][p] * a[p][p];
            for q in p + 1..N {
                off += a[p][q] * a[p][q];
            }
        }
        if !(off > 1e-30 * diag) {
            break;
        }
        for p in 0..N {
            for q in p + 1..N {
                let apq = a[p][q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q][q] - a[p][p]) / (2.0 * apq);
                let at = abs(theta);
                // For huge theta, theta^2 + 1 would overflow; t -> 1 / (2 theta) there.
                let mut t = if at > 1e150 {
                    0.5 / at
                } else {
                    1.0 / (at + sqrt(theta * theta + 1.0))
                };
                if theta < 0.0 {
                    t = -t;
                }
                let c = 1.0 / sqrt(t * t + 1.0);
                let s = t * c;
                for k in 0..N {
                    let (akp, akq) = (a[k][p], a[k][q]);
                    a[k][p] = c * akp - s * akq;
                    a[k][q] = s * akp + c * akq;
                }
                for k in 0..N {
                    let (apk, aqk) = (a[p][k], a[q][k]);
                    a[p][k] = c * apk - s * aqk;
                    a[q][k] = s * apk + c * aqk;
                }
                for k in 0..N {
                    let (vkp, vkq) = (v[k][p], v[k][q]);
                    v[k][p] = c * vkp - s * vkq;
                    v[k][q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut m = 0;
    for i in 1..N {
        if a[i][i] < a[m][m] {
            m = i;
        }
    }
    let mut out = [0.0; N];
    for k in 0..N {
        out[k] = v[k][m];
    }
    out
}
