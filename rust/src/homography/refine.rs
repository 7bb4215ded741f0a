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

    /// The normalised DLT: rows [-x -y -1 0 0 0 ux uy u] and [0 0 0 -x -y -1 vx vy v] per point.
    fn dlt(&self) -> Option<[f64; 9]> {
        let mut ata = [[0.0; 9]; 9];
        for i in 0..self.mask.len() {
            if let Some((x, y, u, v)) = self.get(i) {
                let r1 = [-x, -y, -1.0, 0.0, 0.0, 0.0, u * x, u * y, u];
                let r2 = [0.0, 0.0, 0.0, -x, -y, -1.0, v * x, v * y, v];
                for j in 0..9 {
                    for k in j..9 {
                        ata[j][k] += r1[j] * r1[k] + r2[j] * r2[k];
                    }
                }
            }
        }
        for j in 0..9 {
            for k in 0..j {
                ata[j][k] = ata[k][j];
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

    /// `iters` Levenberg-Marquardt steps on h0..h7 (Marquardt's scaling of the diagonal by 1 + lambda);
    /// a step that does not lower the cost is refused and lambda grows tenfold.
    fn levenberg_marquardt(&self, h: &mut [f64; 9], iters: u32) {
        let mut cost = self.cost(h);
        let mut lambda = 1e-3;
        for _ in 0..iters {
            if !(cost > 0.0) {
                break;
            }
            let mut jtj = [[0.0; 8]; 8];
            let mut jtr = [0.0; 8];
            for i in 0..self.mask.len() {
                if let Some((x, y, u, v)) = self.get(i) {
                    let iw = 1.0 / (h[6] * x + h[7] * y + 1.0);
                    let pu = (h[0] * x + h[1] * y + h[2]) * iw;
                    let pv = (h[3] * x + h[4] * y + h[5]) * iw;
                    let (ru, rv) = (pu - u, pv - v);
                    let (xw, yw) = (x * iw, y * iw);
                    let ju = [xw, yw, iw, 0.0, 0.0, 0.0, -pu * xw, -pu * yw];
                    let jv = [0.0, 0.0, 0.0, xw, yw, iw, -pv * xw, -pv * yw];
                    for j in 0..8 {
                        jtr[j] += ju[j] * ru + jv[j] * rv;
                        for k in j..8 {
                            jtj[j][k] += ju[j] * ju[k] + jv[j] * jv[k];
                        }
                    }
                }
            }
            for j in 0..8 {
                for k in 0..j {
                    jtj[j][k] = jtj[k][j];
                }
                jtj[j][j] *= 1.0 + lambda;
                jtr[j] = -jtr[j];
            }
            if !solve(&mut jtj, &mut jtr, 1e-300) {
                lambda *= 10.0;
                continue;
            }
            let mut next = *h;
            for k in 0..8 {
                next[k] += jtr[k];
            }
            let c = self.cost(&next);
            if c < cost {
                *h = next;
                cost = c;
                lambda *= 0.1;
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
