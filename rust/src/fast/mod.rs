//! FAST-9 corners (16-pixel circle of radius 3), with the keypoints, order and scores of OpenCV's
//! `FAST(img, kps, threshold, nonmax)` for `TYPE_9_16` (see: opencv/modules/features2d/src/fast.cpp).
//!
//! Definitions, as OpenCV has them:
//! - a pixel `v` at (x, y), 3 <= x < w-3 and 3 <= y < h-3, is a corner when 9 contiguous circle pixels
//!   are all brighter (`p > v + t`) or all darker (`p < v - t`);
//! - its score is the largest `t` for which it still is a corner (`cornerScore<16>`), a value in 0..=254;
//! - with suppression, a corner survives when its score is strictly greater than all 8 neighbours'
//!   (non-corners count as 0); without suppression every corner is kept and OpenCV reports response 0;
//! - keypoints come out row by row, left to right.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

use crate::formats::{FAST_CIRCLE, FAST_RADIUS};

/// The circle's radius: centres are at least this far from every edge.
const R: usize = FAST_RADIUS as usize;

/// Byte offsets of the circle pixels from the centre for rows `stride` bytes apart.
pub fn circle_offsets(stride: usize) -> [isize; 16] {
    let mut o = [0isize; 16];
    for k in 0..16 {
        o[k] = FAST_CIRCLE[k][0] as isize + FAST_CIRCLE[k][1] as isize * stride as isize;
    }
    o
}

/// True when the 16-bit circular mask `m` holds 9 contiguous ones: the mask doubled to 32 bits so
/// arcs can wrap, ANDed with itself shifted 1..8; a bit left in the low 16 starts such an arc.
#[inline(always)]
fn has_arc9(m: u32) -> bool {
    let mm = m | (m << 16);
    let mut a = mm;
    for s in 1..9 {
        a &= mm >> s;
    }
    a & 0xffff != 0
}

/// Scalar corner test of the pixel at `p`.
///
/// # Safety
/// `p` is at least 3 pixels from every edge of its image (all 16 circle offsets are readable).
#[inline(always)]
pub unsafe fn is_corner(p: *const u8, off: &[isize; 16], t: i32) -> bool {
    let v = *p as i32;
    let (lo, hi) = (v - t, v + t);
    // Every arc of 9 contains pixel 0 or pixel 8: when neither differs enough, no arc can (OpenCV's first test).
    let (a, b) = (*p.offset(off[0]) as i32, *p.offset(off[8]) as i32);
    if a >= lo && a <= hi && b >= lo && b <= hi {
        return false;
    }
    let (mut bright, mut dark) = (0u32, 0u32);
    for k in 0..16 {
        let x = *p.offset(off[k]) as i32;
        bright |= ((x > hi) as u32) << k;
        dark |= ((x < lo) as u32) << k;
    }
    has_arc9(bright) || has_arc9(dark)
}

/// Minimum (`lo`) and maximum (`hi`), for `i32` (the scalar path) and for 16 u8 lanes (the SIMD path), so the arc
/// search below is written once for both.
trait Lanes: Copy {
    fn lo(self, o: Self) -> Self;
    fn hi(self, o: Self) -> Self;
}

impl Lanes for i32 {
    #[inline(always)]
    fn lo(self, o: Self) -> Self {
        if o < self {
            o
        } else {
            self
        }
    }
    #[inline(always)]
    fn hi(self, o: Self) -> Self {
        if o > self {
            o
        } else {
            self
        }
    }
}

#[cfg(target_feature = "simd128")]
impl Lanes for v128 {
    #[inline(always)]
    fn lo(self, o: Self) -> Self {
        u8x16_min(self, o)
    }
    #[inline(always)]
    fn hi(self, o: Self) -> Self {
        u8x16_max(self, o)
    }
}

/// `[f(0), f(1) .. f(15)]` written out, so every index is a constant: arrays built this way stay in
/// registers (a loop over `k` left arrays of v128 on the stack: 129 spills in the first build).
macro_rules! each16 {
    ($k:ident => $e:expr) => {
        [
            { let $k = 0usize; $e }, { let $k = 1usize; $e }, { let $k = 2usize; $e }, { let $k = 3usize; $e },
            { let $k = 4usize; $e }, { let $k = 5usize; $e }, { let $k = 6usize; $e }, { let $k = 7usize; $e },
            { let $k = 8usize; $e }, { let $k = 9usize; $e }, { let $k = 10usize; $e }, { let $k = 11usize; $e },
            { let $k = 12usize; $e }, { let $k = 13usize; $e }, { let $k = 14usize; $e }, { let $k = 15usize; $e },
        ]
    };
}

/// The largest, over the 16 arcs of 9 contiguous circle positions (wrapping), of the smallest `d` on
/// the arc. Minima over windows of 2, 4, then 9 (= 4 + 4 + 1) by doubling: 64 min and 15 max
/// instead of 144 min.
#[inline(always)]
fn best_arc9<T: Lanes>(d: &[T; 16]) -> T {
    let m2 = each16!(k => d[k].lo(d[(k + 1) & 15]));
    let m4 = each16!(k => m2[k].lo(m2[(k + 2) & 15]));
    let m9 = each16!(k => m4[k].lo(m4[(k + 4) & 15]).lo(d[(k + 8) & 15]));
    let h8 = [0, 1, 2, 3, 4, 5, 6, 7].map(|k| m9[k].hi(m9[k + 8]));
    let h4 = [
        h8[0].hi(h8[4]),
        h8[1].hi(h8[5]),
        h8[2].hi(h8[6]),
        h8[3].hi(h8[7]),
    ];
    h4[0].hi(h4[2]).hi(h4[1].hi(h4[3]))
}

/// OpenCV's `cornerScore<16>`: with d[k] = v - p[k], the largest over arcs of 9 of min(d), or of
/// min(-d), minus one: the largest threshold for which the pixel is still a corner.
///
/// # Safety
/// As `is_corner`.
#[inline(always)]
pub unsafe fn corner_score(p: *const u8, off: &[isize; 16]) -> i32 {
    let v = *p as i32;
    let mut dark = [0i32; 16];
    let mut bright = [0i32; 16];
    for k in 0..16 {
        dark[k] = v - *p.offset(off[k]) as i32;
        bright[k] = -dark[k];
    }
    best_arc9(&dark).hi(best_arc9(&bright)) - 1
}

/// Corners of 16 centres at once: bit i of the result is set when `p + i` is a corner; `scores`
/// gets each corner's score (0 elsewhere).
///
/// Pseudo-code, u8 lanes, with saturating differences (exact here: a corner's arc differs by more
/// than t >= 0, so clamping negatives to 0 changes no maximum that exceeds t):
///   dark_k = v -sat p_k, bright_k = p_k -sat v              (k: circle position)
///   pre 1: compass positions 0, 4, 8, 12: two neighbours both dark > t or both bright > t, since
///          every arc of 9 holds two neighbouring compass positions; else return (most blocks)
///   pre 2: even positions 0, 2 .. 14: four consecutive both ways likewise (every arc of 9 holds 4)
///   (both tests as minima over a set and maxima over sets of the differences, compared with t
///   once: no lane masks, which cost three instructions each where x86 has no unsigned compare)
///   s = max(best_arc9(dark), best_arc9(bright))             (best_arc9: max over arcs of min)
///   corner = s > t, score = s - 1                           (OpenCV's cornerScore)
///
/// # Safety
/// The 16 centres `p .. p + 16` are each at least 3 pixels from every edge.
#[cfg(target_feature = "simd128")]
#[inline(always)]
unsafe fn corners16(p: *const u8, off: &[isize; 16], t: v128, scores: &mut v128) -> u32 {
    let v = v128_load(p as *const v128);
    let at = |k: usize| v128_load(p.offset(off[k]) as *const v128);
    // Saturated differences "darker by" and "brighter by" of one circle position. "All of a set
    // beyond t" is "the minimum of the set beyond t", and "any of several sets" the maximum of their
    // minima: the tests below take minima and maxima and compare with t once, at the end.
    let diffs = |x: v128| (u8x16_sub_sat(v, x), u8x16_sub_sat(x, v));
    let beyond = |x: v128| v128_any_true(u8x16_sub_sat(x, t));
    let (lo, hi) = (u8x16_min, u8x16_max);
    let (d0, b0) = diffs(at(0));
    let (d4, b4) = diffs(at(4));
    let (d8, b8) = diffs(at(8));
    let (d12, b12) = diffs(at(12));
    let pair =
        |a: v128, b: v128, c: v128, d: v128| hi(hi(lo(a, b), lo(b, c)), hi(lo(c, d), lo(d, a)));
    if !beyond(hi(pair(d0, d4, d8, d12), pair(b0, b4, b8, b12))) {
        return 0;
    }
    let (d2, b2) = diffs(at(2));
    let (d6, b6) = diffs(at(6));
    let (d10, b10) = diffs(at(10));
    let (d14, b14) = diffs(at(14));
    // Four consecutive of the eight even positions: minima of neighbours, then of pairs two apart.
    let four = |e: [v128; 8]| {
        let e2 = [0, 1, 2, 3, 4, 5, 6, 7].map(|i| lo(e[i], e[(i + 1) & 7]));
        let mut any = lo(e2[0], e2[2]);
        for i in 1..8 {
            any = hi(any, lo(e2[i], e2[(i + 2) & 7]));
        }
        any
    };
    let dark4 = four([d0, d2, d4, d6, d8, d10, d12, d14]);
    let bright4 = four([b0, b2, b4, b6, b8, b10, b12, b14]);
    // Textured images send about 40% of blocks this far, most with candidates of one polarity only:
    // search the arcs of that polarity alone.
    let (any_dark, any_bright) = (beyond(dark4), beyond(bright4));
    let zero = u8x16_splat(0);
    let mut s = zero;
    if any_dark {
        s = best_arc9(&each16!(k => u8x16_sub_sat(v, at(k))));
    }
    if any_bright {
        s = s.hi(best_arc9(&each16!(k => u8x16_sub_sat(at(k), v))));
    }
    if !(any_dark || any_bright) {
        return 0;
    }
    let corner = u8x16_gt(s, t);
    *scores = v128_and(u8x16_sub(s, u8x16_splat(1)), corner);
    u8x16_bitmask(corner) as u32
}

/// Corners of one row (centres x in 3..w-3): calls `emit(x, score)` for each, in order; the score
/// is computed only when `scored` (the SIMD path has it for free).
///
/// # Safety
/// `row` points at pixel (0, y) of an image `w` wide with 3 <= y < h - 3.
#[inline(always)]
unsafe fn row_corners<F: FnMut(usize, i32)>(
    row: *const u8,
    w: usize,
    off: &[isize; 16],
    t: i32,
    scored: bool,
    mut emit: F,
) {
    let mut x = R;
    #[cfg(target_feature = "simd128")]
    {
        let tv = u8x16_splat(t as u8);
        let mut sv = tv;
        let mut lanes = [0u8; 16];
        while x + 16 + R <= w {
            let mut m = corners16(row.add(x), off, tv, &mut sv);
            if m != 0 {
                v128_store(lanes.as_mut_ptr() as *mut v128, sv);
            }
            while m != 0 {
                let i = m.trailing_zeros() as usize;
                emit(x + i, lanes[i] as i32);
                m &= m - 1;
            }
            x += 16;
        }
    }
    while x + R < w {
        if is_corner(row.add(x), off, t) {
            emit(
                x,
                if scored {
                    corner_score(row.add(x), off)
                } else {
                    0
                },
            );
        }
        x += 1;
    }
}

/// Bytes of scratch `fk_fast9` needs for an image `width` wide (3 score rows, 3 position rows).
#[no_mangle]
pub extern "C" fn fk_fast9_scratch_bytes(width: u32) -> u32 {
    let w = (width as usize + 3) & !3;
    (3 * w + 3 * 4 * w) as u32
}

/// FAST-9 over the gray image at `src`; writes keypoints (x, y, response) into `out_x`, `out_y`,
/// `out_r` up to `capacity` and returns how many it found (which may exceed `capacity`).
///
/// # Safety
/// `src` spans `(height - 1) * stride + width` readable bytes; `scratch` holds
/// `fk_fast9_scratch_bytes(width)` bytes, 4-aligned, used only with `nonmax` != 0; each output holds
/// `capacity` f32s. Nothing else is written. TypeScript checks all of this before calling.
#[no_mangle]
pub unsafe extern "C" fn fk_fast9(
    src: *const u8,
    width: u32,
    height: u32,
    stride: u32,
    threshold: u32,
    nonmax: u32,
    scratch: *mut u8,
    out_x: *mut f32,
    out_y: *mut f32,
    out_r: *mut f32,
    capacity: u32,
) -> u32 {
    let (w, h, s) = (width as usize, height as usize, stride as usize);
    let t = if threshold > 255 {
        255
    } else {
        threshold as i32
    };
    let off = circle_offsets(s);
    let cap = capacity as usize;
    let mut n = 0usize;
    let mut push = |x: usize, y: usize, r: i32| {
        if n < cap {
            *out_x.add(n) = x as f32;
            *out_y.add(n) = y as f32;
            *out_r.add(n) = r as f32;
        }
        n += 1;
    };
    if w < 2 * R + 1 || h < 2 * R + 1 {
        return 0;
    }
    if nonmax == 0 {
        for y in R..h - R {
            row_corners(src.add(y * s), w, &off, t, false, |x, _| push(x, y, 0));
        }
        return n as u32;
    }
    // Suppression keeps three rows of scores and corner positions, as a ring: row y is detected, then
    // row y-1 is decided against rows y-2 and y. Rows outside R..h-R read as zero scores.
    let wa = (w + 3) & !3;
    let scores = scratch;
    let pos = scratch.add(3 * wa) as *mut u32;
    core::ptr::write_bytes(scores, 0, 3 * wa);
    let mut count = [0usize; 3];
    for y in R..h - R + 1 {
        let slot = y % 3;
        let curr = scores.add(slot * wa);
        // Clear only the scores row y-3 left in this slot: a memset of every row cost 2 ms at 1080p
        // (no bulk-memory in this target, so it is a software loop).
        for k in 0..count[slot] {
            *curr.add(*pos.add(slot * w + k) as usize) = 0;
        }
        count[slot] = 0;
        if y < h - R {
            let row = src.add(y * s);
            let cpos = pos.add(slot * w);
            let c = &mut count[slot];
            row_corners(row, w, &off, t, true, |x, score| {
                *curr.add(x) = score as u8;
                *cpos.add(*c) = x as u32;
                *c += 1;
            });
        }
        if y == R {
            continue;
        }
        let ps = (y - 1) % 3;
        let prev = scores.add(ps * wa);
        let pprev = scores.add(((y + 1) % 3) * wa);
        for k in 0..count[ps] {
            let x = *pos.add(ps * w + k) as usize;
            let sc = *prev.add(x);
            let keep = sc > *prev.add(x - 1)
                && sc > *prev.add(x + 1)
                && sc > *pprev.add(x - 1)
                && sc > *pprev.add(x)
                && sc > *pprev.add(x + 1)
                && sc > *curr.add(x - 1)
                && sc > *curr.add(x)
                && sc > *curr.add(x + 1);
            if keep {
                push(x, y - 1, sc as i32);
            }
        }
    }
    n as u32
}
