//! What pyramidal Lucas-Kanade needs besides the pyramid: each level's border filled in as
//! BORDER_REFLECT_101, and Scharr derivatives of the rows a window covers (see:
//! opencv/modules/video/src/lkpyramid.cpp, `calcSharrDeriv` and `buildOpticalFlowPyramid`).

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// Reflect-101 index of `i` into 0..n (n >= 1): -1 -> 1, n -> n - 2.
#[inline(always)]
fn reflect101(i: isize, n: isize) -> isize {
    if n == 1 {
        return 0;
    }
    let mut i = i;
    while i < 0 || i >= n {
        i = if i < 0 { -i } else { 2 * n - 2 - i };
    }
    i
}

/// The left and right borders of rows 0..h, 16 columns a step (see `fk_pad_reflect101`); p in 16..w.
#[cfg(target_feature = "simd128")]
#[inline(always)]
unsafe fn pad_rows_simd(img: *mut u8, w: isize, h: isize, s: isize, p: isize) {
    let rev = |v: v128| i8x16_shuffle::<15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0>(v, v);
    for y in 0..h {
        let row = img.offset(y * s);
        let mut k = 0;
        while k + 16 <= p {
            // Columns -k-16 ..= -k-1 from k+16 ..= k+1; w+k ..= w+k+15 from w-2-k ..= w-17-k.
            v128_store(
                row.offset(-k - 16) as *mut v128,
                rev(v128_load(row.offset(k + 1) as *const v128)),
            );
            v128_store(
                row.offset(w + k) as *mut v128,
                rev(v128_load(row.offset(w - 17 - k) as *const v128)),
            );
            k += 16;
        }
        if k < p {
            v128_store(
                row.offset(-p) as *mut v128,
                rev(v128_load(row.offset(p - 15) as *const v128)),
            );
            v128_store(
                row.offset(w - 16 + p) as *mut v128,
                rev(v128_load(row.offset(w - 1 - p) as *const v128)),
            );
        }
    }
}

/// Fills the `pad`-pixel border around the `width` x `height` image at `img` (rows `stride` apart)
/// with BORDER_REFLECT_101 copies of its pixels, as OpenCV's copyMakeBorder does for each level.
///
/// # Safety
/// `img - pad * (stride + 1)` .. `img + (height - 1 + pad) * stride + width + pad` is writable and
/// `stride >= width + 2 * pad`.
#[no_mangle]
pub unsafe extern "C" fn fk_pad_reflect101(
    img: *mut u8,
    width: u32,
    height: u32,
    stride: u32,
    pad: u32,
) {
    let (w, h, s, p) = (
        width as isize,
        height as isize,
        stride as isize,
        pad as isize,
    );
    if cfg!(target_feature = "simd128") && p >= 16 && p < w {
        // 16 columns a step on either side, reversed (the last step overlaps the one before).
        #[cfg(target_feature = "simd128")]
        pad_rows_simd(img, w, h, s, p);
    } else if p < w {
        // Every reflected column is inside the row: -x -> x, w - 1 + x -> w - 1 - x, no folding.
        for y in 0..h {
            let row = img.offset(y * s);
            for x in 1..=p {
                *row.offset(-x) = *row.offset(x);
                *row.offset(w - 1 + x) = *row.offset(w - 1 - x);
            }
        }
    } else {
        // Narrow levels: each index folded as often as it takes.
        for y in 0..h {
            let row = img.offset(y * s);
            for x in 1..=p {
                *row.offset(-x) = *row.offset(reflect101(-x, w));
                *row.offset(w - 1 + x) = *row.offset(reflect101(w - 1 + x, w));
            }
        }
    }
    for y in 1..=p {
        let top = img.offset(-y * s - p);
        let bottom = img.offset((h - 1 + y) * s - p);
        let from_top = img.offset(reflect101(-y, h) * s - p);
        let from_bottom = img.offset(reflect101(h - 1 + y, h) * s - p);
        core::ptr::copy_nonoverlapping(from_top, top, (w + 2 * p) as usize);
        core::ptr::copy_nonoverlapping(from_bottom, bottom, (w + 2 * p) as usize);
    }
}

/// One row of OpenCV's `calcSharrDeriv` from its three vertical sums: `t0` = 3 r0 + 10 r1 + 3 r2 and
/// `t1` = r2 - r0, each with one reflected element on either side (t[-1] = t[1], t[w] = t[w - 2]).
/// Writes dx = t0[x+1] - t0[x-1] to `dx` and dy = 3 t1[x-1] + 10 t1[x] + 3 t1[x+1] to `dy` (planar:
/// Lucas-Kanade takes each from its own row, with single-input swizzles).
#[inline(always)]
unsafe fn deriv_row(t0: *const i16, t1: *const i16, w: usize, dx: *mut i16, dy: *mut i16) {
    let mut x = 0;
    #[cfg(target_feature = "simd128")]
    {
        let (three, ten) = (i16x8_splat(3), i16x8_splat(10));
        while x + 8 <= w {
            let l0 = v128_load(t0.add(x).sub(1) as *const v128);
            let r0 = v128_load(t0.add(x + 1) as *const v128);
            let l1 = v128_load(t1.add(x).sub(1) as *const v128);
            let c1 = v128_load(t1.add(x) as *const v128);
            let r1 = v128_load(t1.add(x + 1) as *const v128);
            v128_store(dx.add(x) as *mut v128, i16x8_sub(r0, l0));
            v128_store(
                dy.add(x) as *mut v128,
                i16x8_add(i16x8_mul(i16x8_add(l1, r1), three), i16x8_mul(c1, ten)),
            );
            x += 8;
        }
    }
    while x < w {
        let (l, r) = (x as isize - 1, x as isize + 1);
        *dx.add(x) = *t0.offset(r) - *t0.offset(l);
        *dy.add(x) = (*t1.offset(l) + *t1.offset(r)) * 3 + *t1.add(x) * 10;
        x += 1;
    }
}

/// Scharr's vertical sums of `n` columns: t0 = 3 (r0 + r2) + 10 r1, t1 = r2 - r0.
#[inline(always)]
unsafe fn vertical(
    r0: *const u8,
    r1: *const u8,
    r2: *const u8,
    n: usize,
    t0: *mut i16,
    t1: *mut i16,
) {
    let mut x = 0;
    #[cfg(target_feature = "simd128")]
    {
        let (three, ten) = (i16x8_splat(3), i16x8_splat(10));
        while x + 8 <= n {
            let a = u16x8_load_extend_u8x8(r0.add(x));
            let b = u16x8_load_extend_u8x8(r1.add(x));
            let c = u16x8_load_extend_u8x8(r2.add(x));
            v128_store(
                t0.add(x) as *mut v128,
                i16x8_add(i16x8_mul(i16x8_add(a, c), three), i16x8_mul(b, ten)),
            );
            v128_store(t1.add(x) as *mut v128, i16x8_sub(c, a));
            x += 8;
        }
    }
    while x < n {
        let (a, b, c) = (*r0.add(x) as i16, *r1.add(x) as i16, *r2.add(x) as i16);
        *t0.add(x) = (a + c) * 3 + b * 10;
        *t1.add(x) = c - a;
        x += 1;
    }
}

#[inline(always)]
fn round8(n: usize) -> usize {
    (n + 7) & !7
}

/// Longest run `scharr_run` computes, and the scratch it needs (two rows of sums), in int16s.
pub const RUN_MAX: usize = 96;
pub const RUN_SCRATCH: usize = 2 * (RUN_MAX + 16);

/// The Scharr dx and dy of pixels `col .. col + n` of image row `row`, exactly OpenCV's
/// `calcSharrDeriv` there (3x3 Scharr, unscaled, reflect-101 borders), and 0 outside the `cols` x
/// `rows` image (OpenCV pads its derivatives with zeros). Computed from the reflect-101 padded image
/// around the row: what Lucas-Kanade needs for one window row, without a whole-frame derivative
/// image to fetch from. dx goes to `out[0..n]`, dy to `out[RUN_MAX..RUN_MAX + n]`.
///
/// # Safety
/// `img` is pixel (0, 0) of an image padded by at least 2 pixels beyond every pixel read (rows
/// `row - 1 ..= row + 1`, columns `col - 1 ..= col + n + 8`), rows `stride` apart; n <= RUN_MAX;
/// `t` holds RUN_SCRATCH int16s; `out` 2 RUN_MAX.
#[inline(always)]
pub unsafe fn scharr_run(
    img: *const u8,
    stride: isize,
    row: i32,
    col: i32,
    n: usize,
    cols: i32,
    rows: i32,
    t: *mut i16,
    out: *mut i16,
) {
    let (dx, dy) = (out, out.add(RUN_MAX));
    if row < 0 || row >= rows {
        for k in 0..n {
            *dx.add(k) = 0;
            *dy.add(k) = 0;
        }
        return;
    }
    let c = img.offset(row as isize * stride + col as isize - 1);
    let (t0, t1) = (t.add(1), t.add(RUN_MAX + 16 + 1));
    // Sums for columns col - 1 ..= col + n, stored from t[-1].
    // Whole 8-column vectors, past n where n is not a multiple of 8: no scalar tails. The extra
    // columns read padding and scratch, and their outputs (past n, inside RUN_MAX) are never used.
    let (vn, dn) = if cfg!(target_feature = "simd128") {
        (round8(n + 2), round8(n))
    } else {
        (n + 2, n)
    };
    vertical(
        c.offset(-stride),
        c,
        c.offset(stride),
        vn,
        t0.sub(1),
        t1.sub(1),
    );
    deriv_row(t0, t1, dn, dx, dy);
    if col < 0 || col + n as i32 > cols {
        for k in 0..n as i32 {
            if col + k < 0 || col + k >= cols {
                *dx.add(k as usize) = 0;
                *dy.add(k as usize) = 0;
            }
        }
    }
}
