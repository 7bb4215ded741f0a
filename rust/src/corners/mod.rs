//! Corner responses as OpenCV's cornerMinEigenVal / cornerHarris with ksize 3 (imgproc corner.cpp,
//! `cornerEigenValsVecs`); the TypeScript reference is ts/kernels/corners/reference.ts.
//!
//! Pseudo-code (scratch: three product rows and a ring of B rows of sums):
//!   per image row yy, once: pa, pb, pc[x] = gx*gx, gx*gy, gy*gy at (x, yy)
//!       gx, gy = 3x3 Sobel (rows reflect(yy -+ 1), columns reflect(x -+ 1)), integers
//!     ring[yy mod B] = sum over i < B of pa, pb, pc[reflect(x + i - lo)]    (BORDER_REFLECT_101)
//!   per output row y: a, b, c = sum over j < B of ring[reflect(y + j - lo) mod B], times s^2,
//!       s = 1 / (4 B 255) (OpenCV's scale of the derivatives)
//!   dst[y * w + x] = Shi-Tomasi (a+c)/2 - sqrt(((a-c)/2)^2 + b^2) or Harris ac - b^2 - k (a+c)^2
//! Gradients 8 columns a step in i16, products widened to i32. The sums are exact integers (|g| <= 1020, so B^2 g^2 < 2^31 for B <= 31), 4 columns a step:
//! OpenCV scales the derivatives first and sums f32 products in f64, which rounds each product; the
//! integer sums round once, in the final conversion to f32 (relative differences of a few 1e-8).
//! Exact sums also keep mirrored corners exactly equal, so equal responses (OpenCV's ties) come out
//! in OpenCV's order (test/unit/corners.test.ts, four identical squares). Within 1e-5 of the
//! largest response of the reference (the Harris formula is f32 here, f64 there).

pub mod select;

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

use crate::math::sqrtf;

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

#[inline(always)]
fn response(a: f32, b: f32, c: f32, harris: bool, k: f32) -> f32 {
    if harris {
        a * c - b * b - k * (a + c) * (a + c)
    } else {
        let (ha, hc) = (a * 0.5, c * 0.5);
        let d = ha - hc;
        (ha + hc) - sqrtf(d * d + b * b)
    }
}

/// Largest block side (OpenCV's blockSize) a call takes.
pub const MAX_BLOCK: usize = 31;

/// Bytes of scratch a call on an image `width` wide with block `block` needs: the three product
/// rows and a ring of `block` rows of their sums along the row (3 x i32 each).
#[no_mangle]
pub extern "C" fn fk_corner_response_scratch_bytes(width: u32, block: u32) -> u32 {
    let n = width + 8;
    3 * 4 * n + block * 3 * 4 * n + 16
}

/// The 3x3 Sobel products of image row `yy` (rows and columns reflected, BORDER_REFLECT_101) into
/// `pa`, `pb`, `pc`: gx gx, gx gy, gy gy, exact integers (|g| <= 1020).
#[inline(always)]
unsafe fn products(
    src: *const u8,
    stride: isize,
    w: isize,
    h: isize,
    yy: isize,
    pa: *mut i32,
    pb: *mut i32,
    pc: *mut i32,
) {
    let r0 = src.offset(reflect(yy - 1, h) * stride);
    let r1 = src.offset(yy * stride);
    let r2 = src.offset(reflect(yy + 1, h) * stride);
    let scalar = |x: isize| {
        let (xl, xr) = (reflect(x - 1, w), reflect(x + 1, w));
        let p = |r: *const u8, i: isize| *r.offset(i) as i32;
        let gx = p(r0, xr) - p(r0, xl) + 2 * (p(r1, xr) - p(r1, xl)) + p(r2, xr) - p(r2, xl);
        let gy = p(r2, xl) - p(r0, xl) + 2 * (p(r2, x) - p(r0, x)) + p(r2, xr) - p(r0, xr);
        *pa.offset(x) = gx * gx;
        *pb.offset(x) = gx * gy;
        *pc.offset(x) = gy * gy;
    };
    scalar(0);
    let mut x = 1isize;
    #[cfg(target_feature = "simd128")]
    {
        // 8 columns a step: gradients in i16 (|g| <= 1020), products widened to i32 by extmul.
        let ld = |r: *const u8, i: isize| u16x8_load_extend_u8x8(r.offset(i));
        while x + 8 <= w - 1 {
            let (l0, l2) = (ld(r0, x - 1), ld(r2, x - 1));
            let (c0, c2) = (ld(r0, x), ld(r2, x));
            let (q0, q2) = (ld(r0, x + 1), ld(r2, x + 1));
            let d1 = i16x8_sub(ld(r1, x + 1), ld(r1, x - 1));
            let gx = i16x8_add(
                i16x8_add(i16x8_sub(q0, l0), i16x8_sub(q2, l2)),
                i16x8_add(d1, d1),
            );
            let e1 = i16x8_sub(c2, c0);
            let gy = i16x8_add(
                i16x8_add(i16x8_sub(l2, l0), i16x8_sub(q2, q0)),
                i16x8_add(e1, e1),
            );
            v128_store(pa.offset(x) as *mut v128, i32x4_extmul_low_i16x8(gx, gx));
            v128_store(
                pa.offset(x + 4) as *mut v128,
                i32x4_extmul_high_i16x8(gx, gx),
            );
            v128_store(pb.offset(x) as *mut v128, i32x4_extmul_low_i16x8(gx, gy));
            v128_store(
                pb.offset(x + 4) as *mut v128,
                i32x4_extmul_high_i16x8(gx, gy),
            );
            v128_store(pc.offset(x) as *mut v128, i32x4_extmul_low_i16x8(gy, gy));
            v128_store(
                pc.offset(x + 4) as *mut v128,
                i32x4_extmul_high_i16x8(gy, gy),
            );
            x += 8;
        }
    }
    while x < w {
        scalar(x);
        x += 1;
    }
}

/// Box sums along the row: s[x] = sum over i < b of p[reflect(x + i - lo)], exact in i32.
#[inline(always)]
unsafe fn row_sums(p: *const i32, w: isize, b: isize, lo: isize, s: *mut i32) {
    // Columns lo .. end need no reflection.
    let end = w - (b - 1 - lo);
    let reflected = |x: isize| {
        let mut t = 0i32;
        for i in 0..b {
            t += *p.offset(reflect(x + i - lo, w));
        }
        t
    };
    let mut x = 0isize;
    while x < lo.min(w) {
        *s.offset(x) = reflected(x);
        x += 1;
    }
    #[cfg(target_feature = "simd128")]
    while x + 4 <= end {
        let mut t = i32x4_splat(0);
        for i in 0..b {
            t = i32x4_add(t, v128_load(p.offset(x + i - lo) as *const v128));
        }
        v128_store(s.offset(x) as *mut v128, t);
        x += 4;
    }
    while x < end {
        let mut t = 0i32;
        for i in 0..b {
            t += *p.offset(x + i - lo);
        }
        *s.offset(x) = t;
        x += 1;
    }
    while x < w {
        *s.offset(x) = reflected(x);
        x += 1;
    }
}

/// Shi-Tomasi (harris = 0) or Harris (harris = 1, free parameter k) response of the gray image at
/// `src` into the packed f32 plane `dst` (width * height floats).
///
/// Each image row's Sobel products are computed once and summed along the row into a ring of
/// `block` rows; an output row adds the `block` ring rows its window covers (the rows are reflected
/// at the top and bottom, and always lie among `block` consecutive image rows, so the ring, indexed
/// by row modulo `block`, holds them all).
///
/// # Safety
/// `src` spans `height` rows of `stride` bytes with `width` readable; `dst` holds width * height f32;
/// `scratch` holds `fk_corner_response_scratch_bytes(width, block)` bytes, 4-aligned;
/// 1 <= block <= MAX_BLOCK; none overlap.
#[no_mangle]
pub unsafe extern "C" fn fk_corner_response(
    src: *const u8,
    width: u32,
    height: u32,
    stride: u32,
    block: u32,
    harris: u32,
    k: f32,
    scratch: *mut i32,
    dst: *mut f32,
) {
    let (w, h, b) = (width as isize, height as isize, block as isize);
    let lo = b / 2;
    let n = (w + 8) as usize;
    // (g / (4 B 255))^2: the sums of squared integer gradients back to OpenCV's scaled derivatives.
    let s2 = {
        let s = 1.0f64 / (4.0 * block as f64 * 255.0);
        (s * s) as f32
    };
    let harris = harris != 0;
    let ring = scratch;
    let prod = scratch.add(3 * n * b as usize);
    let (pa, pb, pc) = (prod, prod.add(n), prod.add(2 * n));
    let slot = |r: isize| ring.add(3 * n * (r % b) as usize);
    // Image row held by each ring slot (-1: none yet).
    let mut held = [-1isize; MAX_BLOCK];
    for y in 0..h {
        // Rows reflect(y - lo) .. reflect(y - lo + b - 1): compute any the ring lacks.
        for j in 0..b {
            let r = reflect(y + j - lo, h);
            let s = (r % b) as usize;
            if held[s] != r {
                products(src, stride as isize, w, h, r, pa, pb, pc);
                let q = slot(r);
                row_sums(pa, w, b, lo, q);
                row_sums(pb, w, b, lo, q.add(n));
                row_sums(pc, w, b, lo, q.add(2 * n));
                held[s] = r;
            }
        }
        // The window's ring rows, looked up once per output row.
        let mut rows = [ring; MAX_BLOCK];
        for j in 0..b {
            rows[j as usize] = slot(reflect(y + j - lo, h));
        }
        let rows = &rows[..b as usize];
        let out = dst.offset(y * w);
        let mut x = 0isize;
        #[cfg(target_feature = "simd128")]
        {
            let (vk, half, vs) = (f32x4_splat(k), f32x4_splat(0.5), f32x4_splat(s2));
            while x + 4 <= w {
                let sum = |c: usize| {
                    let mut t = i32x4_splat(0);
                    for q in rows {
                        t = i32x4_add(t, v128_load(q.add(c * n).offset(x) as *const v128));
                    }
                    f32x4_mul(f32x4_convert_i32x4(t), vs)
                };
                let (a, bb, c) = (sum(0), sum(1), sum(2));
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
            let (mut a, mut bb, mut c) = (0i32, 0i32, 0i32);
            for q in rows {
                let q = q.offset(x);
                a += *q;
                bb += *q.add(n);
                c += *q.add(2 * n);
            }
            *out.offset(x) = response(a as f32 * s2, bb as f32 * s2, c as f32 * s2, harris, k);
            x += 1;
        }
    }
}
