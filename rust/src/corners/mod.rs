//! Corner responses as OpenCV's cornerMinEigenVal / cornerHarris with ksize 3 (imgproc corner.cpp,
//! `cornerEigenValsVecs`); the TypeScript reference is ts/kernels/corners/reference.ts.
//!
//! Pseudo-code, one output row y at a time (nothing but three sum rows of scratch):
//!   sa, sb, sc[lo + x] = sum over j < B of dx*dx, dx*dy, dy*dy at (x, reflect(y + j - lo))
//!       dx, dy = 3x3 Sobel (rows reflect(yy -+ 1), columns reflect(x -+ 1)) times 1 / (4 B 255)
//!   the lo cells before and B-1-lo after the row repeat the reflected columns (BORDER_REFLECT_101)
//!   a, b, c = sum over i < B of sa, sb, sc[x + i]
//!   dst[y * w + x] = Shi-Tomasi (a+c)/2 - sqrt(((a-c)/2)^2 + b^2) or Harris ac - b^2 - k (a+c)^2
//! The vector path takes 4 columns at once for the interior (1 <= x, x + 4 <= w - 1: every Sobel
//! byte is inside the row), widening 4 bytes to i32x4, then f32x4; the borders and the tail take the
//! scalar path. Products are f32 and sums f64, as OpenCV's box filter: f32 sums made mirrored corners
//! differ in the last bit, so equal responses (OpenCV's ties) came out in another order; with f64
//! sums they stay equal (test/unit/corners.test.ts, four identical squares). Within 1e-5 of the
//! largest response of the reference (the Harris formula is f32 here, f64 there).

pub mod select;

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// BORDER_REFLECT_101 index; 0 on a one-pixel axis.
#[inline(always)]
fn reflect(i: isize, n: isize) -> isize {
    if n == 1 {
        return 0;
    }
    let mut i = i;
    while i < 0 || i >= n {
        i = if i < 0 { -i } else { 2 * n - 2 - i };
    }
    i
}

/// f32 square root through f64 Newton steps from a bit-level guess (core has no sqrt in Rust 1.63).
#[cfg(not(target_feature = "simd128"))]
#[inline(always)]
fn sqrt32(x: f32) -> f32 {
    if x <= 0.0 {
        return 0.0;
    }
    let v = x as f64;
    let mut r = f64::from_bits((v.to_bits() >> 1) + (1023u64 << 51));
    for _ in 0..6 {
        r = 0.5 * (r + v / r);
    }
    r as f32
}

#[cfg(target_feature = "simd128")]
#[inline(always)]
fn sqrt32(x: f32) -> f32 {
    f32x4_extract_lane::<0>(f32x4_sqrt(f32x4_splat(x)))
}

#[inline(always)]
fn response(a: f32, b: f32, c: f32, harris: bool, k: f32) -> f32 {
    if harris {
        a * c - b * b - k * (a + c) * (a + c)
    } else {
        let (ha, hc) = (a * 0.5, c * 0.5);
        let d = ha - hc;
        (ha + hc) - sqrt32(d * d + b * b)
    }
}

/// s[0..4] += p, the four f32 lanes of `p` widened to f64.
#[cfg(target_feature = "simd128")]
#[inline(always)]
unsafe fn add4(s: *mut f64, p: v128) {
    let (lo, hi) = (s as *mut v128, s.add(2) as *mut v128);
    v128_store(lo, f64x2_add(v128_load(lo), f64x2_promote_low_f32x4(p)));
    v128_store(
        hi,
        f64x2_add(
            v128_load(hi),
            f64x2_promote_low_f32x4(i32x4_shuffle::<2, 3, 0, 1>(p, p)),
        ),
    );
}

/// The f64 sums s[x + i] + ... for i < b, at x..x+4, rounded to f32x4.
#[cfg(target_feature = "simd128")]
#[inline(always)]
unsafe fn sum4(s: *const f64, x: isize, b: isize) -> v128 {
    let (mut lo, mut hi) = (f64x2_splat(0.0), f64x2_splat(0.0));
    for i in 0..b {
        let p = s.offset(x + i);
        lo = f64x2_add(lo, v128_load(p as *const v128));
        hi = f64x2_add(hi, v128_load(p.add(2) as *const v128));
    }
    i32x4_shuffle::<0, 1, 4, 5>(f32x4_demote_f64x2_zero(lo), f32x4_demote_f64x2_zero(hi))
}

/// Bytes of scratch a call on an image `width` wide with block `block` needs.
#[no_mangle]
pub extern "C" fn fk_corner_response_scratch_bytes(width: u32, block: u32) -> u32 {
    3 * 8 * (width + block)
}

/// Shi-Tomasi (harris = 0) or Harris (harris = 1, free parameter k) response of the gray image at
/// `src` into the packed f32 plane `dst` (width * height floats).
///
/// # Safety
/// `src` spans `height` rows of `stride` bytes with `width` readable; `dst` holds width * height f32;
/// `scratch` holds `fk_corner_response_scratch_bytes(width, block)` bytes; block >= 1; none overlap.
#[no_mangle]
pub unsafe extern "C" fn fk_corner_response(
    src: *const u8,
    width: u32,
    height: u32,
    stride: u32,
    block: u32,
    harris: u32,
    k: f32,
    scratch: *mut f64,
    dst: *mut f32,
) {
    let (w, h, b) = (width as isize, height as isize, block as isize);
    let lo = b / 2;
    let n = (w + b) as usize;
    let sa = scratch;
    let sb = scratch.add(n);
    let sc = scratch.add(2 * n);
    let scale = (1.0f64 / (4.0 * block as f64 * 255.0)) as f32;
    let harris = harris != 0;
    for y in 0..h {
        for i in 0..n {
            *sa.add(i) = 0.0;
            *sb.add(i) = 0.0;
            *sc.add(i) = 0.0;
        }
        for j in 0..b {
            let yy = reflect(y + j - lo, h);
            let r0 = src.offset(reflect(yy - 1, h) * stride as isize);
            let r1 = src.offset(yy * stride as isize);
            let r2 = src.offset(reflect(yy + 1, h) * stride as isize);
            let mut x = 0isize;
            let scalar = |x: isize| {
                let (xl, xr) = (reflect(x - 1, w), reflect(x + 1, w));
                let p = |r: *const u8, i: isize| *r.offset(i) as i32;
                let gx =
                    p(r0, xr) - p(r0, xl) + 2 * (p(r1, xr) - p(r1, xl)) + p(r2, xr) - p(r2, xl);
                let gy = p(r2, xl) - p(r0, xl) + 2 * (p(r2, x) - p(r0, x)) + p(r2, xr) - p(r0, xr);
                let (dx, dy) = (gx as f32 * scale, gy as f32 * scale);
                let o = (lo + x) as usize;
                *sa.add(o) += (dx * dx) as f64;
                *sb.add(o) += (dx * dy) as f64;
                *sc.add(o) += (dy * dy) as f64;
            };
            scalar(0);
            x += 1;
            #[cfg(target_feature = "simd128")]
            {
                let vs = f32x4_splat(scale);
                let two = i32x4_splat(2);
                let ld = |r: *const u8, i: isize| {
                    u32x4_extend_low_u16x8(u16x8_extend_low_u8x16(v128_load32_zero(
                        r.offset(i) as *const u32
                    )))
                };
                while x + 4 <= w - 1 {
                    let d0 = i32x4_sub(ld(r0, x + 1), ld(r0, x - 1));
                    let d1 = i32x4_sub(ld(r1, x + 1), ld(r1, x - 1));
                    let d2 = i32x4_sub(ld(r2, x + 1), ld(r2, x - 1));
                    let gx = i32x4_add(i32x4_add(d0, d2), i32x4_mul(d1, two));
                    let e0 = i32x4_sub(ld(r2, x - 1), ld(r0, x - 1));
                    let e1 = i32x4_sub(ld(r2, x), ld(r0, x));
                    let e2 = i32x4_sub(ld(r2, x + 1), ld(r0, x + 1));
                    let gy = i32x4_add(i32x4_add(e0, e2), i32x4_mul(e1, two));
                    let dx = f32x4_mul(f32x4_convert_i32x4(gx), vs);
                    let dy = f32x4_mul(f32x4_convert_i32x4(gy), vs);
                    let o = (lo + x) as usize;
                    add4(sa.add(o), f32x4_mul(dx, dx));
                    add4(sb.add(o), f32x4_mul(dx, dy));
                    add4(sc.add(o), f32x4_mul(dy, dy));
                    x += 4;
                }
            }
            while x < w {
                scalar(x);
                x += 1;
            }
        }
        for i in 0..lo {
            let s = (lo + reflect(-1 - i, w)) as usize;
            let d = (lo - 1 - i) as usize;
            *sa.add(d) = *sa.add(s);
            *sb.add(d) = *sb.add(s);
            *sc.add(d) = *sc.add(s);
        }
        for i in 0..(b - 1 - lo) {
            let s = (lo + reflect(w + i, w)) as usize;
            let d = (lo + w + i) as usize;
            *sa.add(d) = *sa.add(s);
            *sb.add(d) = *sb.add(s);
            *sc.add(d) = *sc.add(s);
        }
        let out = dst.offset(y * w);
        let mut x = 0isize;
        #[cfg(target_feature = "simd128")]
        {
            let (vk, half) = (f32x4_splat(k), f32x4_splat(0.5));
            while x + 4 <= w {
                let (a, bb, c) = (sum4(sa, x, b), sum4(sb, x, b), sum4(sc, x, b));
                let r = if harris {
                    let t = f32x4_add(a, c);
                    f32x4_sub(
                        f32x4_sub(f32x4_mul(a, c), f32x4_mul(bb, bb)),
                        f32x4_mul(vk, f32x4_mul(t, t)),
                    )
                } else {
                    let (ha, hc) = (f32x4_mul(a, half), f32x4_mul(c, half));
                    let d = f32x4_sub(ha, hc);
                    f32x4_sub(
                        f32x4_add(ha, hc),
                        f32x4_sqrt(f32x4_add(f32x4_mul(d, d), f32x4_mul(bb, bb))),
                    )
                };
                v128_store(out.offset(x) as *mut v128, r);
                x += 4;
            }
        }
        while x < w {
            let (mut a, mut bb, mut c) = (0.0f64, 0.0f64, 0.0f64);
            for i in 0..b {
                let o = (x + i) as usize;
                a += *sa.add(o);
                bb += *sb.add(o);
                c += *sc.add(o);
            }
            *out.offset(x) = response(a as f32, bb as f32, c as f32, harris, k);
            x += 1;
        }
    }
}
