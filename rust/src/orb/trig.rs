//! The few maths functions ORB needs, for `core` on Rust 1.63 (no libm): rounding as OpenCV's
//! cvRound, its fastAtan2 polynomial, sine and cosine (floor and square root: crate::math).

/// cvRound: nearest integer, ties to even, for |x| < 2^22 (every use here: pattern offsets, pixel
/// coordinates, 11-bit weights). Adding 1.5 x 2^23 makes f32 addition itself round to an integer,
/// half to even, and leaves that integer in the low mantissa bits: no float-to-int conversion,
/// whose saturating form costs a dozen wasm instructions (the descriptor rounds 1024 per keypoint).
#[inline(always)]
pub fn round_i(x: f32) -> i32 {
    const MAGIC: f32 = 12_582_912.0;
    ((x + MAGIC).to_bits() as i32) - (MAGIC.to_bits() as i32)
}

/// OpenCV's fastAtan2: degrees in [0, 360), a degree-7 polynomial in the smaller-over-larger ratio.
#[inline(always)]
pub fn fast_atan2(y: f32, x: f32) -> f32 {
    // As OpenCV writes them: float literals times (float)(180 / CV_PI), the quotient taken in double.
    let k = (180.0f64 / core::f64::consts::PI) as f32;
    let c = |p: f64| (p as f32) * k;
    let (p1, p3, p5, p7) = (
        c(0.9997878412794807),
        c(-0.3258083974640975),
        c(0.1555786518463281),
        c(-0.04432655554792128),
    );
    let (ax, ay) = (if x < 0.0 { -x } else { x }, if y < 0.0 { -y } else { y });
    let eps = f64::EPSILON as f32;
    let mut a = if ax >= ay {
        let c = ay / (ax + eps);
        let c2 = c * c;
        (((p7 * c2 + p5) * c2 + p3) * c2 + p1) * c
    } else {
        let c = ax / (ay + eps);
        let c2 = c * c;
        90.0 - (((p7 * c2 + p5) * c2 + p3) * c2 + p1) * c
    };
    if x < 0.0 {
        a = 180.0 - a;
    }
    if y < 0.0 {
        a = 360.0 - a;
    }
    a
}

/// (sin t, cos t) as f32 from f64 Taylor series after reduction to [-pi/4, pi/4]: within 1e-15 of
/// the true values before the final rounding to f32, as libm's would be.
pub fn sin_cos(t: f32) -> (f32, f32) {
    use core::f64::consts::FRAC_PI_2;
    let t = t as f64;
    let q = {
        let v = t / FRAC_PI_2;
        let f = v as i64;
        let f = if (f as f64) > v { f - 1 } else { f };
        if v - f as f64 >= 0.5 {
            f + 1
        } else {
            f
        }
    };
    let r = t - q as f64 * FRAC_PI_2;
    let r2 = r * r;
    let (mut s, mut c, mut term_s, mut term_c) = (r, 1.0f64, r, 1.0f64);
    for k in 1..12 {
        term_s *= -r2 / ((2 * k) as f64 * (2 * k + 1) as f64);
        term_c *= -r2 / ((2 * k - 1) as f64 * (2 * k) as f64);
        s += term_s;
        c += term_c;
    }
    let (s, c) = match q.rem_euclid(4) {
        0 => (s, c),
        1 => (c, -s),
        2 => (-s, -c),
        _ => (-c, s),
    };
    (s as f32, c as f32)
}
