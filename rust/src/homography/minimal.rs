//! The 4-point hypothesis of RANSAC: a sample check, then the normalised DLT with h33 = 1 as an
//! 8 x 8 linear system (Hartley & Zisserman, "Multiple View Geometry", 4.1 and 4.4).

use super::linalg::{abs, denormalise, normaliser, solve};

/// sin^2 of the smallest angle a sample triangle may have: below it the three points count as
/// collinear (sin 0.06 degrees; exactly collinear points rounded to f32 come out near 1e-14).
const COLLINEAR_SIN2: f64 = 1e-6;

/// The four point triples of a sample.
const TRIPLES: [[usize; 3]; 4] = [[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]];

/// Twice the signed area of triangle (a, b, c), or 0 when it is (nearly) collinear.
fn orientation(p: &[(f64, f64); 4], t: &[usize; 3]) -> f64 {
    let (ax, ay) = p[t[0]];
    let (d1x, d1y) = (p[t[1]].0 - ax, p[t[1]].1 - ay);
    let (d2x, d2y) = (p[t[2]].0 - ax, p[t[2]].1 - ay);
    let cross = d1x * d2y - d1y * d2x;
    if cross * cross <= COLLINEAR_SIN2 * (d1x * d1x + d1y * d1y) * (d2x * d2x + d2y * d2y) {
        return 0.0;
    }
    cross
}

/// A sample is usable when no three of its points are collinear, in either image, and the four
/// triples all keep, or all flip, their orientation from `src` to `dst`: a homography of points in
/// front of the camera either mirrors every triangle or none, so a mixed sample holds an outlier
/// (OpenCV's homography `checkSubset` makes the same test).
pub fn good_sample(src: &[(f64, f64); 4], dst: &[(f64, f64); 4]) -> bool {
    let mut flipped = 0;
    for t in TRIPLES.iter() {
        let (a, b) = (orientation(src, t), orientation(dst, t));
        if a == 0.0 || b == 0.0 {
            return false;
        }
        if (a < 0.0) != (b < 0.0) {
            flipped += 1;
        }
    }
    flipped == 0 || flipped == 4
}

/// The homography taking the 4 `src` points exactly to the 4 `dst` points, h33 = 1, or None when
/// the system is singular or the result is not finite.
///
/// In normalised coordinates (x, y) -> (u, v), each correspondence gives two rows of A h = b:
///   [x y 1 0 0 0 -x u -y u] h = u,   [0 0 0 x y 1 -x v -y v] h = v.
pub fn solve4(src: &[(f64, f64); 4], dst: &[(f64, f64); 4]) -> Option<[f64; 9]> {
    let ts = normaliser(4, |i| Some(src[i]))?;
    let td = normaliser(4, |i| Some(dst[i]))?;
    let mut a = [[0.0; 8]; 8];
    let mut b = [0.0; 8];
    for i in 0..4 {
        let x = (src[i].0 - ts.0) * ts.2;
        let y = (src[i].1 - ts.1) * ts.2;
        let u = (dst[i].0 - td.0) * td.2;
        let v = (dst[i].1 - td.1) * td.2;
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -x * u, -y * u];
        b[2 * i] = u;
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -x * v, -y * v];
        b[2 * i + 1] = v;
    }
    if !solve(&mut a, &mut b, 1e-10) {
        return None;
    }
    let hn = [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], 1.0];
    let h = denormalise(&hn, ts, td)?;
    // The sample's own points must map back onto themselves; a near-singular system can pass the
    // pivot test yet give a map that does not (f64 round-off blown up by a tiny pivot).
    for i in 0..4 {
        let (x, y) = src[i];
        let w = h[6] * x + h[7] * y + h[8];
        if !(abs(w) > 1e-12) {
            return None;
        }
        let eu = (h[0] * x + h[1] * y + h[2]) / w - dst[i].0;
        let ev = (h[3] * x + h[4] * y + h[5]) / w - dst[i].1;
        if !(eu * eu + ev * ev < 1e-2) {
            return None;
        }
    }
    Some(h)
}
