//! The two window loops of Lucas-Kanade: sampling the patch of I with its gradients (once per point
//! and level) and the residual against J (once per iteration). Bilinear sampling uses OpenCV's
//! fixed-point weights: four integers summing to 2^14; pixels come out scaled by 32 (shift 14 - 5),
//! gradients unscaled (shift 14); products are summed in f32, as OpenCV does (an i32 sum of
//! squared 13-bit gradients over a 21x21 window would overflow).
//!
//! The patch is kept planar (I, Ix, Iy), each row `stride8(ww)` wide: columns past the window hold
//! zero gradients, so the residual loop runs whole 8-pixel vectors with no tail and the extra
//! columns add nothing to the sums.
//!
//! SIMD pseudo-code for one image row of the bilinear sample, 4 pixels:
//!   pairs = (p0, p1, p1, p2, p2, p3, p3, p4)   (u8 widened to i16; see `pairs8` for the two ways)
//!   row = dot(pairs, (w00, w01) x 4)  -> i32 (p0 w00 + p1 w01, ...) for 4 pixels
//! and likewise for the row below with (w10, w11). The Scharr dx and dy rows (planar int16) take
//! the same pairs and dot, four pixels per vector.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

use super::deriv::{scharr_run, RUN_MAX};
use super::Level;
use crate::math::floor_i;

pub const MAX_WIN: usize = 64;

/// Row length of the window buffers: the window width rounded up to whole 8-pixel vectors.
#[inline(always)]
pub fn stride8(ww: usize) -> usize {
    (ww + 7) & !7
}
const W_BITS: i32 = crate::formats::LK_W_BITS as i32;

/// OpenCV's bilinear weights for the fractional offset (a, b), rounded to 14 bits, summing to 2^14.
pub struct Weights {
    w00: i32,
    w01: i32,
    w10: i32,
    w11: i32,
}

/// cvRound: nearest, ties to even.
#[inline(always)]
fn round_i(x: f32) -> i32 {
    let f = floor_i(x);
    let r = x - f as f32;
    if r > 0.5 || (r == 0.5 && f & 1 == 1) {
        f + 1
    } else {
        f
    }
}

impl Weights {
    #[inline(always)]
    pub fn new(a: f32, b: f32) -> Weights {
        let one = (1 << W_BITS) as f32;
        let w00 = round_i((1.0 - a) * (1.0 - b) * one);
        let w01 = round_i(a * (1.0 - b) * one);
        let w10 = round_i((1.0 - a) * b * one);
        Weights {
            w00,
            w01,
            w10,
            w11: (1 << W_BITS) - w00 - w01 - w10,
        }
    }
}

#[cfg(not(target_feature = "simd128"))]
#[inline(always)]
fn descale(x: i32, n: i32) -> i32 {
    (x + (1 << (n - 1))) >> n
}

/// Bilinear sample of u8 pixels (x, x+1) of rows `p` and `p + s`, scaled by 32.
#[cfg(not(target_feature = "simd128"))]
#[inline(always)]
unsafe fn sample_u8(p: *const u8, s: isize, w: &Weights) -> i32 {
    let v = *p as i32 * w.w00
        + *p.add(1) as i32 * w.w01
        + *p.offset(s) as i32 * w.w10
        + *p.offset(s + 1) as i32 * w.w11;
    descale(v, W_BITS - 5)
}

/// Samples the `ww` x `wh` patch of I at integer corner (ix, iy) with weights `w` into `iwin` and its
/// gradients into `gx`, `gy` (rows `stride8(ww)` long, zero past `ww`); returns the unscaled sums
/// [Ix Ix, Ix Iy, Iy Iy]. `ring` (2 x 2 RUN_MAX int16s) and `t` (RUN_SCRATCH) are scratch that the
/// caller makes once for all its points: zeroing them per point, as local arrays are, was a
/// software memset loop (wasm32 without bulk memory) worth about a tenth of the patch's time.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub unsafe fn patch<const SWZ: bool>(
    i: Level,
    cols: i32,
    rows: i32,
    ix: i32,
    iy: i32,
    ww: usize,
    wh: usize,
    w: &Weights,
    iwin: &mut [i16],
    gx: &mut [i16],
    gy: &mut [i16],
    ring: *mut i16,
    t: *mut i16,
) -> [f32; 3] {
    #[cfg(not(target_feature = "simd128"))]
    let (mut a11, mut a12, mut a22) = (0f32, 0f32, 0f32);
    let st = stride8(ww);
    #[cfg(target_feature = "simd128")]
    let (w0, w1) = (
        i32x4_splat((w.w00 & 0xffff) | (w.w01 << 16)),
        i32x4_splat((w.w10 & 0xffff) | (w.w11 << 16)),
    );
    #[cfg(target_feature = "simd128")]
    let (mut sxx, mut sxy, mut syy) = (f32x4_splat(0.0), f32x4_splat(0.0), f32x4_splat(0.0));
    // The window's gradients come from two rows of Scharr derivatives computed here, row y and y + 1
    // in turn (a ring), rather than from a whole-frame derivative image: fetching 22 scattered rows
    // of that 8 MB image was two thirds of the tracking time at 1080p (memory latency), and the
    // image rows needed here are the ones the patch reads anyway.
    // Columns 0 ..= ww: the gradients of the window and of its last pixel's right neighbour; the vector
    // loops below read a few columns further, which they mask out (`keep`).
    let n = ww + 1;
    let slot = |k: usize| ring.add((k & 1) * 2 * RUN_MAX);
    scharr_run(i.img, i.stride, iy, ix, n, cols, rows, t, slot(0));
    for y in 0..wh {
        let src = i
            .img
            .offset((y as isize + iy as isize) * i.stride + ix as isize);
        scharr_run(
            i.img,
            i.stride,
            iy + y as i32 + 1,
            ix,
            n,
            cols,
            rows,
            t,
            slot(y + 1),
        );
        let d = slot(y) as *const i16;
        let ds = slot(y + 1).offset_from(slot(y));
        let (out, ox, oy) = (
            iwin.as_mut_ptr().add(y * st),
            gx.as_mut_ptr().add(y * st),
            gy.as_mut_ptr().add(y * st),
        );
        #[cfg(target_feature = "simd128")]
        {
            // dx (or dy) of pixels x..x+8 as int16: each half's four pixels from one load of the
            // upper ring row (top weights) and one of the lower (bottom weights), shuffled into
            // pixel pairs (values below 2^12: narrowing is exact).
            let round = i32x4_splat(1 << (W_BITS - 1));
            let ds14 = |v: v128| i32x4_shr(i32x4_add(v, round), W_BITS as u32);
            let grad8 = |q: *const i16, x: usize| {
                let (t0, t1) = pairs8_i16::<SWZ>(q.add(x));
                let (b0, b1) = pairs8_i16::<SWZ>(q.offset(x as isize + ds));
                let lo = i32x4_add(i32x4_dot_i16x8(t0, w0), i32x4_dot_i16x8(b0, w1));
                let hi = i32x4_add(i32x4_dot_i16x8(t1, w0), i32x4_dot_i16x8(b1, w1));
                i16x8_narrow_i32x4(ds14(lo), ds14(hi))
            };
            let lanes = i16x8(0, 1, 2, 3, 4, 5, 6, 7);
            // The row's sums are exact in i32 (each lane adds two products below 2^24 per vector,
            // at most 8 vectors a row), then go into the f32 totals.
            let (mut rxx, mut rxy, mut ryy) = (i32x4_splat(0), i32x4_splat(0), i32x4_splat(0));
            let mut x = 0;
            while x < st {
                let v = blend8(
                    pairs8::<SWZ>(src.add(x)),
                    pairs8::<SWZ>(src.add(x).offset(i.stride)),
                    w0,
                    w1,
                );
                v128_store(out.add(x) as *mut v128, v);
                let keep = i16x8_lt(
                    i16x8_add(lanes, i16x8_splat(x as i16)),
                    i16x8_splat(ww as i16),
                );
                let vx = v128_and(grad8(d, x), keep);
                let vy = v128_and(grad8(d.add(RUN_MAX), x), keep);
                v128_store(ox.add(x) as *mut v128, vx);
                v128_store(oy.add(x) as *mut v128, vy);
                rxx = i32x4_add(rxx, i32x4_dot_i16x8(vx, vx));
                rxy = i32x4_add(rxy, i32x4_dot_i16x8(vx, vy));
                ryy = i32x4_add(ryy, i32x4_dot_i16x8(vy, vy));
                x += 8;
            }
            sxx = f32x4_add(sxx, f32x4_convert_i32x4(rxx));
            sxy = f32x4_add(sxy, f32x4_convert_i32x4(rxy));
            syy = f32x4_add(syy, f32x4_convert_i32x4(ryy));
        }
        #[cfg(not(target_feature = "simd128"))]
        for x in 0..st {
            if x >= ww {
                *ox.add(x) = 0;
                *oy.add(x) = 0;
                continue;
            }
            *out.add(x) = sample_u8(src.add(x), i.stride, w) as i16;
            let g = |q: *const i16| {
                let v = *q as i32 * w.w00
                    + *q.add(1) as i32 * w.w01
                    + *q.offset(ds) as i32 * w.w10
                    + *q.offset(ds + 1) as i32 * w.w11;
                descale(v, W_BITS)
            };
            let (vx, vy) = (g(d.add(x)), g(d.add(RUN_MAX + x)));
            *ox.add(x) = vx as i16;
            *oy.add(x) = vy as i16;
            a11 += (vx * vx) as f32;
            a12 += (vx * vy) as f32;
            a22 += (vy * vy) as f32;
        }
    }
    #[cfg(target_feature = "simd128")]
    {
        let sum = |v: v128| {
            (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
                + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
        };
        [sum(sxx), sum(sxy), sum(syy)]
    }
    #[cfg(not(target_feature = "simd128"))]
    [a11, a12, a22]
}

// Bilinear sampling dots pairs of neighbours, (p0, p1, p1, p2, ...), with the weight pairs. Two
// ways to build them, each the cheaper on one engine (same values; `SWZ` picks, per call):
//   SWZ = true:  one load, a single-input byte swizzle (a constant mask): one pshufb under
//                JavaScriptCore; V8 rebuilds the 16-byte mask from immediates at every use (4 more).
//   SWZ = false: two loads one element apart, interleaved: one punpck under V8; JavaScriptCore
//                lowers every two-input shuffle to two pshufb and a por.

/// Pairs of the int16s at q .. q + 9: (q0, q1, q1, q2, q2, q3, q3, q4) and (q4, q5, ..., q7, q8).
#[cfg(target_feature = "simd128")]
#[inline(always)]
unsafe fn pairs8_i16<const SWZ: bool>(q: *const i16) -> (v128, v128) {
    if SWZ {
        let (a, b) = (
            v128_load(q as *const v128),
            v128_load(q.add(4) as *const v128),
        );
        (
            i8x16_shuffle::<0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9>(a, a),
            i8x16_shuffle::<0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 6, 7, 8, 9>(b, b),
        )
    } else {
        let (a, b) = (
            v128_load(q as *const v128),
            v128_load(q.add(1) as *const v128),
        );
        (
            i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a, b),
            i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a, b),
        )
    }
}

/// Eight bilinear-ready pixel pairs of one image row: bytes x..x+9 of `q` as i16 pairs
/// (p0, p1, p1, p2, p2, p3, p3, p4) and (p4, p5, ..., p7, p8).
#[cfg(target_feature = "simd128")]
#[inline(always)]
unsafe fn pairs8<const SWZ: bool>(q: *const u8) -> (v128, v128) {
    if SWZ {
        let v = v128_load(q as *const v128);
        let z = i8x16_shuffle::<0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8>(v, v);
        (u16x8_extend_low_u8x16(z), u16x8_extend_high_u8x16(z))
    } else {
        let (a, b) = (u16x8_load_extend_u8x8(q), u16x8_load_extend_u8x8(q.add(1)));
        (
            i16x8_shuffle::<0, 8, 1, 9, 2, 10, 3, 11>(a, b),
            i16x8_shuffle::<4, 12, 5, 13, 6, 14, 7, 15>(a, b),
        )
    }
}

/// Eight bilinear samples (scaled by 32, as i16) from the pairs of a row and the row below.
#[cfg(target_feature = "simd128")]
#[inline(always)]
fn blend8(top: (v128, v128), bottom: (v128, v128), w0: v128, w1: v128) -> v128 {
    let round = i32x4_splat(1 << (W_BITS - 6));
    let lo = i32x4_add(i32x4_dot_i16x8(top.0, w0), i32x4_dot_i16x8(bottom.0, w1));
    let hi = i32x4_add(i32x4_dot_i16x8(top.1, w0), i32x4_dot_i16x8(bottom.1, w1));
    i16x8_narrow_i32x4(
        i32x4_shr(i32x4_add(lo, round), (W_BITS - 5) as u32),
        i32x4_shr(i32x4_add(hi, round), (W_BITS - 5) as u32),
    )
}

/// The residual of J's window at (jx, jy) against the patch: [sum diff Ix, sum diff Iy] with
/// diff = J - I (both scaled by 32).
///
/// SIMD, one 8-pixel column strip at a time, top to bottom: each image row of the strip is loaded
/// once (16 bytes, shuffled into pixel pairs) and serves as the lower row of one window row and the
/// upper row of the next; diff = J - I (i16); dot(diff, Ix) and dot(diff, Iy) sum pairs of exact
/// i32 products (|diff| < 2^13, |Ix| < 2^12), added up exactly in i32 over runs of rows, then in f32.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub unsafe fn residual<const SWZ: bool>(
    j: Level,
    jx: i32,
    jy: i32,
    ww: usize,
    wh: usize,
    w: &Weights,
    iwin: &[i16],
    gx: &[i16],
    gy: &[i16],
) -> [f32; 2] {
    let st = stride8(ww);
    #[cfg(target_feature = "simd128")]
    {
        let (w0, w1) = (
            i32x4_splat((w.w00 & 0xffff) | (w.w01 << 16)),
            i32x4_splat((w.w10 & 0xffff) | (w.w11 << 16)),
        );
        let (mut acc1, mut acc2) = (f32x4_splat(0.0), f32x4_splat(0.0));
        let base = j.img.offset(jy as isize * j.stride + jx as isize);
        let mut x = 0;
        while x < st {
            let mut src = base.add(x);
            let mut top = pairs8::<SWZ>(src);
            let (mut iw, mut px, mut py) =
                (iwin.as_ptr().add(x), gx.as_ptr().add(x), gy.as_ptr().add(x));
            let mut y = 0;
            while y < wh {
                // Exact i32 sums over at most 16 rows (each lane adds two products below 2^25 a row),
                // then into the f32 totals.
                let (mut s1, mut s2) = (i32x4_splat(0), i32x4_splat(0));
                for _ in y..wh.min(y + 16) {
                    src = src.offset(j.stride);
                    let bottom = pairs8::<SWZ>(src);
                    let diff = i16x8_sub(blend8(top, bottom, w0, w1), v128_load(iw as *const v128));
                    s1 = i32x4_add(s1, i32x4_dot_i16x8(diff, v128_load(px as *const v128)));
                    s2 = i32x4_add(s2, i32x4_dot_i16x8(diff, v128_load(py as *const v128)));
                    top = bottom;
                    iw = iw.add(st);
                    px = px.add(st);
                    py = py.add(st);
                }
                acc1 = f32x4_add(acc1, f32x4_convert_i32x4(s1));
                acc2 = f32x4_add(acc2, f32x4_convert_i32x4(s2));
                y += 16;
            }
            x += 8;
        }
        let sum = |v: v128| {
            (f32x4_extract_lane::<0>(v) + f32x4_extract_lane::<1>(v))
                + (f32x4_extract_lane::<2>(v) + f32x4_extract_lane::<3>(v))
        };
        [sum(acc1), sum(acc2)]
    }
    #[cfg(not(target_feature = "simd128"))]
    {
        let (mut b1, mut b2) = (0f32, 0f32);
        for y in 0..wh {
            let src = j
                .img
                .offset((y as isize + jy as isize) * j.stride + jx as isize);
            for x in 0..ww {
                let k = y * st + x;
                let diff = sample_u8(src.add(x), j.stride, w) - iwin[k] as i32;
                b1 += (diff * gx[k] as i32) as f32;
                b2 += (diff * gy[k] as i32) as f32;
            }
        }
        [b1, b2]
    }
}

/// Sum of |J - I| over the window (OpenCV's error measure, scaled by 32): once per point.
///
/// SIMD as the residual; columns past the window are masked out of the sum. The integer sum is
/// exact (at most 64 x 64 differences below 2^13), so it equals the scalar loop's f32 sum whenever
/// that one is exact too (below 2^24).
#[inline(always)]
pub unsafe fn abs_error<const SWZ: bool>(
    j: Level,
    jx: i32,
    jy: i32,
    ww: usize,
    wh: usize,
    w: &Weights,
    iwin: &[i16],
) -> f32 {
    let st = stride8(ww);
    #[cfg(target_feature = "simd128")]
    {
        let (w0, w1) = (
            i32x4_splat((w.w00 & 0xffff) | (w.w01 << 16)),
            i32x4_splat((w.w10 & 0xffff) | (w.w11 << 16)),
        );
        let lanes = i16x8(0, 1, 2, 3, 4, 5, 6, 7);
        let ones = i16x8_splat(1);
        let mut acc = i32x4_splat(0);
        let base = j.img.offset(jy as isize * j.stride + jx as isize);
        let mut x = 0;
        while x < st {
            let keep = i16x8_lt(
                i16x8_add(lanes, i16x8_splat(x as i16)),
                i16x8_splat(ww as i16),
            );
            let mut src = base.add(x);
            let mut top = pairs8::<SWZ>(src);
            let mut iw = iwin.as_ptr().add(x);
            for _ in 0..wh {
                src = src.offset(j.stride);
                let bottom = pairs8::<SWZ>(src);
                let diff = i16x8_sub(blend8(top, bottom, w0, w1), v128_load(iw as *const v128));
                acc = i32x4_add(acc, i32x4_dot_i16x8(v128_and(i16x8_abs(diff), keep), ones));
                top = bottom;
                iw = iw.add(st);
            }
            x += 8;
        }
        (i32x4_extract_lane::<0>(acc)
            + i32x4_extract_lane::<1>(acc)
            + i32x4_extract_lane::<2>(acc)
            + i32x4_extract_lane::<3>(acc)) as f32
    }
    #[cfg(not(target_feature = "simd128"))]
    {
        let mut e = 0f32;
        for y in 0..wh {
            let src = j
                .img
                .offset((y as isize + jy as isize) * j.stride + jx as isize);
            for x in 0..ww {
                let diff = sample_u8(src.add(x), j.stride, w) - iwin[y * st + x] as i32;
                e += (if diff < 0 { -diff } else { diff }) as f32;
            }
        }
        e
    }
}
