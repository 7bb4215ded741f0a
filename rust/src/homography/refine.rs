//! Least-squares refinement of a RANSAC model on its inliers: the normalised DLT over all of them
//! (smallest eigenvector of the 9 x 9 normal matrix A^T A), then Levenberg-Marquardt on the
//! reprojection error (Hartley & Zisserman, "Multiple View Geometry", 4.2 and A6.2). Both run in
//! Hartley-normalised coordinates, where the normal equations are well conditioned; the
//! normalisation of `dst` is a uniform scale, so the minimiser is that of the error in pixels.

use super::linalg::{abs, denormalise, normaliser, smallest_eigenvector, solve};

/// The points with mask 1, normalised: (x, y) from src, (u, v) from dst.
struct Inliers<'a> {
    src: &'a [f32],
    dst: &'a [f32],
    mask: &'a [u8],
    ts: (f64, f64, f64),
    td: (f64, f64, f64),
}

impl<'a> Inliers<'a> {
    #[inline(always)]
    fn get(&self, i: usize) -> Option<(f64, f64, f64, f64)> {
        if self.mask[i] == 0 {
            return None;
        }
        let (ts, td) = (self.ts, self.td);
        Some((
            (self.src[2 * i] as f64 - ts.0) * ts.2,
            (self.src[2 * i + 1] as f64 - ts.1) * ts.2,
            (self.dst[2 * i] as f64 - td.0) * td.2,
            (self.dst[2 * i + 1] as f64 - td.1) * td.2,
        ))
    }

    /// Sum of squared reprojection errors of `h` (h33 = 1), in normalised units.
    fn cost(&self, h: &[f64; 9]) -> f64 {
        let mut c = 0.0;
        for i in 0..self.mask.len() {
            if let Some((x, y, u, v)) = self.get(i) {
                let iw = 1.0 / (h[6] * x + h[7] * y + 1.0);
                let ru = (h[0] * x + h[1] * y + h[2]) * iw - u;
                let rv = (h[3] * x + h[4] * y + h[5]) * iw - v;
                c += ru * ru + rv * rv;
            }
        }
        c
    }

    /// The normalised DLT: each point gives the rows r1 = [-p, 0, u p] and r2 = [0, -p, v p] of A
    /// with p = (x, y, 1), so A^T A is made of weighted sums of the 3 x 3 matrix p p^T:
    ///   [ S(p p^T)      0             -S(u p p^T)        ]
    ///   [ 0             S(p p^T)      -S(v p p^T)        ]
    ///   [ sym.          sym.          S((u^2 + v^2) p p^T) ]
    /// four sums of its 6 distinct entries (24 per point rather than 45 x 2 products).
    fn dlt(&self) -> Option<[f64; 9]> {
        let (mut s1, mut su, mut sv, mut sq) = ([0.0; 6], [0.0; 6], [0.0; 6], [0.0; 6]);
        for i in 0..self.mask.len() {
            if let Some((x, y, u, v)) = self.get(i) {
                let pp = [x * x, x * y, x, y * y, y, 1.0];
                let q = u * u + v * v;
                for k in 0..6 {
                    s1[k] += pp[k];
                    su[k] += u * pp[k];
                    sv[k] += v * pp[k];
                    sq[k] += q * pp[k];
                }
            }
        }
        // Index into the 6 distinct entries of a symmetric 3 x 3 matrix.
        const T: [[usize; 3]; 3] = [[0, 1, 2], [1, 3, 4], [2, 4, 5]];
        let mut ata = [[0.0; 9]; 9];
        for j in 0..3 {
            for k in 0..3 {
                let t = T[j][k];
                ata[j][k] = s1[t];
                ata[3 + j][3 + k] = s1[t];
                ata[j][6 + k] = -su[t];
                ata[6 + k][j] = -su[t];
                ata[3 + j][6 + k] = -sv[t];
                ata[6 + k][3 + j] = -sv[t];
                ata[6 + j][6 + k] = sq[t];
            }
        }
        let e = smallest_eigenvector(&mut ata);
        if !(abs(e[8]) > 1e-12) {
            return None;
        }
        let mut h = [0.0; 9];
        for k in 0..9 {
            h[k] = e[k] / e[8];
        }
        h[8] = 1.0;
        Some(h)
    }

    /// The Gauss-Newton normal equations J^T J and J^T r at `h`. With a = (x, y, 1) / w and
    /// p = (pu, pv) the projection, a point's Jacobian rows are
    ///   d pu / d h = [a, 0 0 0, -pu a0, -pu a1],   d pv / d h = [0 0 0, a, -pv a0, -pv a1]
    /// so J^T J has two equal 3 x 3 blocks a a^T, no coupling between them, and small border blocks:
    /// 29 running sums per point rather than the 36 x 2 products of the dense 8 x 8 outer product.
    fn normal_equations(&self, h: &[f64; 9]) -> ([[f64; 8]; 8], [f64; 8]) {
        let mut saa = [[0.0; 3]; 3];
        let mut sua = [[0.0; 2]; 3];
        let mut sva = [[0.0; 2]; 3];
        let mut sbb = [[0.0; 2]; 2];
        let mut g = [0.0; 8];
        for i in 0..self.mask.len() {
            if let Some((x, y, u, v)) = self.get(i) {
                let iw = 1.0 / (h[6] * x + h[7] * y + 1.0);
                let pu = (h[0] * x + h[1] * y + h[2]) * iw;
                let pv = (h[3] * x + h[4] * y + h[5]) * iw;
                let (ru, rv) = (pu - u, pv - v);
                let a = [x * iw, y * iw, iw];
                let (q, e) = (pu * pu + pv * pv, pu * ru + pv * rv);
                for j in 0..3 {
                    for k in j..3 {
                        saa[j][k] += a[j] * a[k];
                    }
                    for l in 0..2 {
                        sua[j][l] += pu * a[j] * a[l];
                        sva[j][l] += pv * a[j] * a[l];
                    }
                    g[j] += a[j] * ru;
                    g[3 + j] += a[j] * rv;
                }
                for l in 0..2 {
                    for m in l..2 {
                        sbb[l][m] += q * a[l] * a[m];
                    }
                    g[6 + l] -= a[l] * e;
                }
            }
        }
        let mut jtj = [[0.0; 8]; 8];
        for j in 0..3 {
            for k in j..3 {
                jtj[j][k] = saa[j][k];
                jtj[3 + j][3 + k] = saa[j][k];
            }
            for l in 0..2 {
                jtj[j][6 + l] = -sua[j][l];
                jtj[3 + j][6 + l] = -sva[j][l];
            }
        }
        for l in 0..2 {
            for m in l..2 {
                jtj[6 + l][6 + m] = sbb[l][m];
            }
        }
        for j in 0..8 {
            for k in 0..j {
                jtj[j][k] = jtj[k][j];
            }
        }
        (jtj, g)
    }

    /// At most `iters` Levenberg-Marquardt steps on h0..h7 (Marquardt's scaling of the diagonal by
    /// 1 + lambda); a step that does not lower the cost is refused and lambda grows tenfold. Stops
    /// early once a step moves no parameter by more than 1e-12 (they are of order 1 here), or after
    /// a step that lowered the cost by no more than 1e-10 of itself (converged).
    fn levenberg_marquardt(&self, h: &mut [f64; 9], iters: u32) {
        let mut cost = self.cost(h);
        let mut lambda = 1e-3;
        for _ in 0..iters {
            if !(cost > 0.0) {
                break;
            }
            let (mut jtj, mut step) = self.normal_equations(h);
            for j in 0..8 {
                jtj[j][j] *= 1.0 + lambda;
                step[j] = -step[j];
            }
            if !solve(&mut jtj, &mut step, 1e-300) {
                lambda *= 10.0;
                continue;
            }
            let mut next = *h;
            let mut largest = 0.0;
            for k in 0..8 {
                next[k] += step[k];
                if abs(step[k]) > largest {
                    largest = abs(step[k]);
                }
            }
            if !(largest > 1e-12) {
                break;
            }
            let c = self.cost(&next);
            if c < cost {
                let converged = cost - c <= 1e-10 * cost;
                *h = next;
                cost = c;
                lambda *= 0.1;
                if converged {
                    break;
                }
            } else {
                lambda *= 10.0;
            }
        }
    }
}

/// Refits on the points whose `mask` byte is 1: the DLT, then `lm_iters` Levenberg-Marquardt
/// steps. None when fewer than 4 points are marked, they coincide, or the fit is degenerate.
pub fn refit(src: &[f32], dst: &[f32], mask: &[u8], lm_iters: u32) -> Option<[f64; 9]> {
    let n = mask.len();
    let mut m = 0;
    for i in 0..n {
        m += mask[i] as u32;
    }
    if m < 4 {
        return None;
    }
    let ts = normaliser(n, |i| {
        if mask[i] != 0 {
            Some((src[2 * i] as f64, src[2 * i + 1] as f64))
        } else {
            None
        }
    })?;
    let td = normaliser(n, |i| {
        if mask[i] != 0 {
            Some((dst[2 * i] as f64, dst[2 * i + 1] as f64))
        } else {
            None
        }
    })?;
    let set = Inliers {
        src,
        dst,
        mask,
        ts,
        td,
    };
    let mut h = set.dlt()?;
    set.levenberg_marquardt(&mut h, lm_iters);
    denormalise(&h, ts, td)
}
