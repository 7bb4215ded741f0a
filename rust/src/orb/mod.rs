//! ORB's per-keypoint kernels, as opencv/modules/features2d/src/orb.cpp defines them: the Harris
//! response that ranks FAST corners, the intensity-centroid orientation and the rotated BRIEF
//! descriptor; plus the bilinear resize that builds its scale pyramid. TypeScript runs FAST per
//! level and keeps the best corners (ts/kernels/orb).
//!
//! Keypoints come as level coordinates (x, y as f32 arrays, rounded here as OpenCV's cvRound does);
//! every caller keeps them at least 31 pixels inside their level (OpenCV's edgeThreshold), which
//! covers the 7x7 Harris block, the radius-15 centroid disc and the rotated 31x31 pattern.

mod pattern;
pub mod resize;
mod trig;

use crate::math::sqrt;
use pattern::PATTERN;
use trig::{fast_atan2, round_i, sin_cos};

const HALF_PATCH: i32 = 15;

/// OpenCV's Harris measure over a 7x7 block of Sobel-like 3x3 gradients at each keypoint:
/// (a b - c^2 - k (a + b)^2) scaled by (1 / (4 * 7 * 255))^4, with k = 0.04.
///
/// # Safety
/// `img` rows are `stride` bytes apart and every keypoint is at least 4 pixels inside the image;
/// `xs`, `ys`, `out` hold `n` f32s.
#[no_mangle]
pub unsafe extern "C" fn fk_orb_harris(
    img: *const u8,
    stride: u32,
    xs: *const f32,
    ys: *const f32,
    n: u32,
    out: *mut f32,
) {
    const BLOCK: i32 = 7;
    let s = stride as isize;
    let scale = 1.0f32 / ((1 << 2) as f32 * BLOCK as f32 * 255.0);
    let scale4 = scale * scale * scale * scale;
    for i in 0..n as usize {
        let (x0, y0) = (round_i(*xs.add(i)), round_i(*ys.add(i)));
        let p0 = img.offset((y0 - BLOCK / 2) as isize * s + (x0 - BLOCK / 2) as isize);
        let (mut a, mut b, mut c) = (0i32, 0i32, 0i32);
        for dy in 0..BLOCK as isize {
            for dx in 0..BLOCK as isize {
                let p = p0.offset(dy * s + dx);
                let v = |oy: isize, ox: isize| *p.offset(oy * s + ox) as i32;
                let ix = (v(0, 1) - v(0, -1)) * 2 + (v(-1, 1) - v(-1, -1)) + (v(1, 1) - v(1, -1));
                let iy = (v(1, 0) - v(-1, 0)) * 2 + (v(1, -1) - v(-1, -1)) + (v(1, 1) - v(-1, 1));
                a += ix * ix;
                b += iy * iy;
                c += ix * iy;
            }
        }
        let (fa, fb, fc) = (a as f32, b as f32, c as f32);
        *out.add(i) = (fa * fb - fc * fc - 0.04 * (fa + fb) * (fa + fb)) * scale4;
    }
}

/// Half-widths of the radius-15 disc per row, made symmetric as OpenCV's ORB constructor does.
fn umax() -> [i32; (HALF_PATCH + 2) as usize] {
    let mut u = [0i32; (HALF_PATCH + 2) as usize];
    let r2 = (HALF_PATCH as f64) * core::f64::consts::FRAC_1_SQRT_2;
    let vmax = (r2 + 1.0) as i32; // cvFloor of a positive number
    let vmin = {
        let f = r2 as i32;
        if (f as f64) < r2 {
            f + 1
        } else {
            f
        }
    }; // cvCeil
    for v in 0..=vmax {
        u[v as usize] = round_i(sqrt((HALF_PATCH * HALF_PATCH - v * v) as f64) as f32);
    }
    let mut v0 = 0usize;
    let mut v = HALF_PATCH;
    while v >= vmin {
        while u[v0] == u[v0 + 1] {
            v0 += 1;
        }
        u[v as usize] = v0 as i32;
        v0 += 1;
        v -= 1;
    }
    u
}

/// Orientation of each keypoint by the intensity centroid of the radius-15 disc around it:
/// atan2(m01, m10) in degrees, [0, 360), with OpenCV's fastAtan2 polynomial.
///
/// # Safety
/// As `fk_orb_harris`, with 16 pixels of room.
#[no_mangle]
pub unsafe extern "C" fn fk_orb_angles(
    img: *const u8,
    stride: u32,
    xs: *const f32,
    ys: *const f32,
    n: u32,
    out: *mut f32,
) {
    let s = stride as isize;
    let u_max = umax();
    for i in 0..n as usize {
        let c = img.offset(round_i(*ys.add(i)) as isize * s + round_i(*xs.add(i)) as isize);
        let (mut m01, mut m10) = (0i32, 0i32);
        for u in -HALF_PATCH..=HALF_PATCH {
            m10 += u * *c.offset(u as isize) as i32;
        }
        for v in 1..=HALF_PATCH {
            let d = u_max[v as usize];
            let mut v_sum = 0i32;
            for u in -d..=d {
                let plus = *c.offset(u as isize + v as isize * s) as i32;
                let minus = *c.offset(u as isize - v as isize * s) as i32;
                v_sum += plus - minus;
                m10 += u * (plus + minus);
            }
            m01 += v * v_sum;
        }
        *out.add(i) = fast_atan2(m01 as f32, m10 as f32);
    }
}

/// rBRIEF: for each keypoint, the 256 pattern tests rotated by its angle, on the image smoothed by
/// the 7-tap kernel `k` (OpenCV's Q8 Gaussian, summing to 256: GaussianBlur 7x7, sigma 2); 32 bytes
/// per keypoint into `out`, bit j of byte b from test 8 b + j.
///
/// Only the 512 sampled pixels are smoothed, each as (sum_ij k_i k_j p + 2^15) >> 16, which is what
/// OpenCV's bit-exact 8-bit GaussianBlur gives there: no smoothed image is made. Sampling, as OpenCV's
/// computeOrbDescriptors: (x, y) rotated by (cos, sin) of the angle in f32, each rounded by cvRound.
///
/// # Safety
/// As `fk_orb_harris`, with 23 pixels of room (the rotated pattern's 19, the kernel's 3 and the
/// SIMD row load's one byte past it);
/// `angles` holds `n` f32s in degrees; `k` 7 i32s; `out` `32 n` bytes.
#[no_mangle]
pub unsafe extern "C" fn fk_orb_describe(
    img: *const u8,
    stride: u32,
    xs: *const f32,
    ys: *const f32,
    angles: *const f32,
    n: u32,
    k: *const i32,
    out: *mut u8,
) {
    let s = stride as isize;
    let kern = [
        *k,
        *k.add(1),
        *k.add(2),
        *k.add(3),
        *k.add(4),
        *k.add(5),
        *k.add(6),
    ];
    #[cfg(not(target_feature = "simd128"))]
    let smooth = |p: *const u8| {
        let mut acc = 0i32;
        for j in 0..7 {
            let row = p.offset((j as isize - 3) * s - 3);
            let mut r = 0i32;
            for i in 0..7 {
                r += kern[i] * *row.add(i) as i32;
            }
            acc += kern[j] * r;
        }
        (acc + (1 << 15)) >> 16
    };
    // SIMD: the 7 rows weighted and summed as u16 lanes (255 x 256 fits), then the 7 columns
    // weighted in u32 lanes and added across: sum_j k_j sum_i k_i p = sum_i k_i sum_j k_j p.
    #[cfg(target_feature = "simd128")]
    let (kv, klo, khi) = {
        use core::arch::wasm32::*;
        (
            kern.map(|t| u16x8_splat(t as u16)),
            u32x4(
                kern[0] as u32,
                kern[1] as u32,
                kern[2] as u32,
                kern[3] as u32,
            ),
            u32x4(kern[4] as u32, kern[5] as u32, kern[6] as u32, 0),
        )
    };
    #[cfg(target_feature = "simd128")]
    let smooth = |p: *const u8| {
        use core::arch::wasm32::*;
        let mut col = u16x8_splat(0);
        for j in 0..7 {
            col = u16x8_add(
                col,
                u16x8_mul(
                    u16x8_load_extend_u8x8(p.offset((j as isize - 3) * s - 3)),
                    kv[j],
                ),
            );
        }
        let v = u32x4_add(
            u32x4_mul(u32x4_extend_low_u16x8(col), klo),
            u32x4_mul(u32x4_extend_high_u16x8(col), khi),
        );
        let v = u32x4_add(v, i32x4_shuffle::<2, 3, 0, 1>(v, v));
        let v = u32x4_add(v, i32x4_shuffle::<1, 0, 3, 2>(v, v));
        ((u32x4_extract_lane::<0>(v) + (1 << 15)) >> 16) as i32
    };
    for i in 0..n as usize {
        let c = img.offset(round_i(*ys.add(i)) as isize * s + round_i(*xs.add(i)) as isize);
        let (b, a) = sin_cos(*angles.add(i) * (core::f32::consts::PI / 180.0));
        let value = |t: usize| {
            let (px, py) = (PATTERN[2 * t] as f32, PATTERN[2 * t + 1] as f32);
            smooth(
                c.offset(round_i(px * b + py * a) as isize * s + round_i(px * a - py * b) as isize),
            )
        };
        for byte in 0..32 {
            let mut v = 0u8;
            for bit in 0..8 {
                let t = byte * 8 + bit;
                v |= ((value(2 * t) < value(2 * t + 1)) as u8) << bit;
            }
            *out.add(32 * i + byte) = v;
        }
    }
}

/// Address of the 1024-entry pattern in linear memory (tests compare it with the TypeScript copy).
#[no_mangle]
pub extern "C" fn fk_orb_pattern() -> *const i8 {
    PATTERN.as_ptr()
}
