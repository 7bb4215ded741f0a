//! Camera pose from the homography of a plane (Z = 0 in the plane's coordinates) to the image, given
//! the intrinsics K: H ~ K [r1 r2 t] (Hartley & Zisserman, "Multiple View Geometry", 8.1.1; Zhang,
//! "A flexible new technique for camera calibration", 2000, appendix C).
//!
//!   M = K^-1 H;  lambda = 2 / (|m1| + |m2|), its sign chosen so that t_z > 0 (plane in front)
//!   r1 = lambda m1,  r2 = lambda m2,  r3 = r1 x r2,  t = lambda m3
//!   R = the rotation nearest [r1 r2 r3] (polar factor, by Newton's iteration X <- (X + X^-T) / 2,
//!       which converges quadratically to it for any X with det X > 0; Higham, 1986)
//!
//! The TypeScript reference (ts/kernels/pose/reference.ts) follows the same steps in the same order.

use crate::homography::linalg::mat3_mul;
use crate::math::{abs, sqrt};

/// Returned when H is singular (a column of K^-1 H is zero) or anything is not finite.
pub const DEGENERATE: i32 = -2;

/// Inverse of a 3 x 3 matrix (adjugate over determinant); None when singular or not finite.
fn invert3(m: &[f64; 9]) -> Option<[f64; 9]> {
    let (a, b, c, d, e, f, g, h, i) = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]);
    let (ca, cb, cc) = (e * i - f * h, f * g - d * i, d * h - e * g);
    let det = a * ca + b * cb + c * cc;
    if !(abs(det) > 0.0) || !(abs(det) < f64::INFINITY) {
        return None;
    }
    let adj = [
        ca,
        c * h - b * i,
        b * f - c * e,
        cb,
        a * i - c * g,
        c * d - a * f,
        cc,
        b * g - a * h,
        a * e - b * d,
    ];
    let mut r = [0.0; 9];
    for k in 0..9 {
        r[k] = adj[k] / det;
    }
    Some(r)
}

/// Rotation R (row-major) and translation t of the camera relative to the plane.
fn pose(h: &[f64; 9], k: &[f64; 9]) -> Option<([f64; 9], [f64; 3])> {
    let m = mat3_mul(&invert3(k)?, h);
    let n1 = sqrt(m[0] * m[0] + m[3] * m[3] + m[6] * m[6]);
    let n2 = sqrt(m[1] * m[1] + m[4] * m[4] + m[7] * m[7]);
    let mut lambda = 2.0 / (n1 + n2);
    if !(n1 > 0.0 && n2 > 0.0 && abs(lambda) < f64::INFINITY) {
        return None;
    }
    if m[8] * lambda < 0.0 {
        lambda = -lambda;
    }
    let r1 = [m[0] * lambda, m[3] * lambda, m[6] * lambda];
    let r2 = [m[1] * lambda, m[4] * lambda, m[7] * lambda];
    let r3 = [
        r1[1] * r2[2] - r1[2] * r2[1],
        r1[2] * r2[0] - r1[0] * r2[2],
        r1[0] * r2[1] - r1[1] * r2[0],
    ];
    let t = [m[2] * lambda, m[5] * lambda, m[8] * lambda];
    let mut x = [
        r1[0], r2[0], r3[0], r1[1], r2[1], r3[1], r1[2], r2[2], r3[2],
    ];
    for _ in 0..30 {
        let inv = invert3(&x)?;
        let mut next = [0.0; 9];
        let mut change = 0.0;
        for i in 0..3 {
            for j in 0..3 {
                // X^-T at (i, j) is X^-1 at (j, i).
                next[i * 3 + j] = 0.5 * (x[i * 3 + j] + inv[j * 3 + i]);
                let d = abs(next[i * 3 + j] - x[i * 3 + j]);
                if d > change {
                    change = d;
                }
            }
        }
        x = next;
        if change < 1e-15 {
            break;
        }
    }
    for k in 0..9 {
        if !(abs(x[k]) <= 1.0 + 1e-9) {
            return None;
        }
    }
    Some((x, t))
}

/// Pose of the camera from the plane-to-image homography `h` and intrinsics `k` (9 f64 each,
/// row-major). Writes R (9 f64, row-major) to `out_r` and t (3 f64) to `out_t`; returns 0, or
/// DEGENERATE (writing nothing) when H is singular.
///
/// # Safety
/// `h`, `k`, `out_r` and `out_t` are 8-byte aligned and lie inside the linear memory; K is a valid
/// camera matrix (TypeScript checks it: positive focal lengths, bottom row [0 0 1], finite).
#[no_mangle]
pub unsafe extern "C" fn fk_pose_from_homography(
    h: *const f64,
    k: *const f64,
    out_r: *mut f64,
    out_t: *mut f64,
) -> i32 {
    let mut hm = [0.0; 9];
    let mut km = [0.0; 9];
    hm.copy_from_slice(core::slice::from_raw_parts(h, 9));
    km.copy_from_slice(core::slice::from_raw_parts(k, 9));
    match pose(&hm, &km) {
        Some((r, t)) => {
            core::slice::from_raw_parts_mut(out_r, 9).copy_from_slice(&r);
            core::slice::from_raw_parts_mut(out_t, 3).copy_from_slice(&t);
            0
        }
        None => DEGENERATE,
    }
}
