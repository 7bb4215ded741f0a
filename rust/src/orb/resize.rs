//! The bilinear resize that builds ORB's scale pyramid: OpenCV's INTER_LINEAR geometry (centres
//! aligned, s = (d + 0.5) f - 0.5, clamped to the edge pixel) with 11-bit fixed-point weights, as
//! ts/kernels/orb/reference.ts. Integer throughout, rounded once at the end: blending columns first
//! or rows first gives the same value, so each source row is blended horizontally once (a two-row
//! cache) and output rows blend two of those.
//!
//! Horizontal pass, SIMD, 8 output pixels per step (where their source pixels lie within 16 bytes,
//! which holds for every scale below 1.75, and the 16 bytes lie inside the row):
//!   v = 16 source bytes from the block's first source pixel
//!   z = swizzle(v, idx)            (p0, p0', p1, p1', ...): each output's left and right pixel
//!   h = dot(widen(z), (2048 - wx, wx) pairs)      two i32x4, exact
//! with idx and the weight pairs made once per call (the block table). Vertical pass:
//!   out = (h_top (2048 - wy) + h_bottom wy + 2^21) >> 22     (< 2^31: 255 x 2048 x 2048)

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

use super::trig::round_i;
use crate::math::floor_i;

const ONE: i32 = 2048;
/// Bytes of one 8-pixel block's table: the swizzle indices (16), the weight pairs (8 x 2 i16 = 32),
/// the first source pixel (i32) and whether the block may take the vector path (i32).
const BLOCK: usize = 64;

/// Bytes of scratch `fk_resize_bilinear` needs from a source `sw` wide to a destination `dw` wide.
#[no_mangle]
pub extern "C" fn fk_resize_scratch_bytes(sw: u32, dw: u32) -> u32 {
    let _ = sw;
    let dw = dw as usize;
    (8 * dw + 2 * 4 * (dw + 8) + (dw + 7) / 8 * BLOCK + 64) as u32
}

/// Source index and 11-bit weight of destination coordinate `d`.
#[inline(always)]
fn source(d: u32, f: f32, n: u32) -> (i32, i32) {
    let s = (d as f32 + 0.5) * f - 0.5;
    let x = floor_i(s);
    if x < 0 {
        (0, 0)
    } else if x >= n as i32 - 1 {
        (n as i32 - 1, 0)
    } else {
        (x, round_i((s - x as f32) * 2048.0))
    }
}

/// Source row `r` blended horizontally into `h` (dw i32): h[x] = r[sx] (2048 - wx) + r[sx + 1] wx.
#[inline(always)]
unsafe fn horizontal(r: *const u8, xtab: *const i32, blocks: *const u8, dw: usize, h: *mut i32) {
    let mut x = 0;
    #[cfg(not(target_feature = "simd128"))]
    let _ = blocks;
    #[cfg(target_feature = "simd128")]
    while x + 8 <= dw {
        let blk = blocks.add(x / 8 * BLOCK);
        let base = *(blk.add(48) as *const i32);
        if *(blk.add(52) as *const i32) == 0 {
            break; // this block and the ones after it reach past the row's last 16 bytes
        }
        let z = i8x16_swizzle(
            v128_load(r.add(base as usize) as *const v128),
            v128_load(blk as *const v128),
        );
        let (wl, wh) = (
            v128_load(blk.add(16) as *const v128),
            v128_load(blk.add(32) as *const v128),
        );
        v128_store(
            h.add(x) as *mut v128,
            i32x4_dot_i16x8(u16x8_extend_low_u8x16(z), wl),
        );
        v128_store(
            h.add(x + 4) as *mut v128,
            i32x4_dot_i16x8(u16x8_extend_high_u8x16(z), wh),
        );
        x += 8;
    }
    while x < dw {
        let (sx, wx) = (*xtab.add(2 * x) as usize, *xtab.add(2 * x + 1));
        let nx = (wx > 0) as usize;
        *h.add(x) = *r.add(sx) as i32 * (ONE - wx) + *r.add(sx + nx) as i32 * wx;
        x += 1;
    }
}

/// Output row from two horizontally blended rows: (a (2048 - wy) + b wy + 2^21) >> 22.
#[inline(always)]
unsafe fn vertical(a: *const i32, b: *const i32, wy: i32, dw: usize, out: *mut u8) {
    let mut x = 0;
    #[cfg(target_feature = "simd128")]
    {
        let (w0, w1, round) = (i32x4_splat(ONE - wy), i32x4_splat(wy), i32x4_splat(1 << 21));
        let row4 = |x: usize| {
            let s = i32x4_add(
                i32x4_mul(v128_load(a.add(x) as *const v128), w0),
                i32x4_mul(v128_load(b.add(x) as *const v128), w1),
            );
            i32x4_shr(i32x4_add(s, round), 22)
        };
        while x + 8 <= dw {
            let v = i16x8_narrow_i32x4(row4(x), row4(x + 4));
            v128_store64_lane::<0>(u8x16_narrow_i16x8(v, v), out.add(x) as *mut u64);
            x += 8;
        }
    }
    while x < dw {
        *out.add(x) = ((*a.add(x) * (ONE - wy) + *b.add(x) * wy + (1 << 21)) >> 22) as u8;
        x += 1;
    }
}

/// Bilinear resize of a gray image for ORB's scale levels (see the module comment).
///
/// # Safety
/// `src` spans `(sh - 1) * ss + sw` bytes, `dst` `(dh - 1) * ds + dw`; `scratch` holds
/// `fk_resize_scratch_bytes(sw, dw)` bytes, 16-aligned; none overlap.
#[no_mangle]
pub unsafe extern "C" fn fk_resize_bilinear(
    src: *const u8,
    sw: u32,
    sh: u32,
    ss: u32,
    dst: *mut u8,
    dw: u32,
    dh: u32,
    ds: u32,
    scratch: *mut i32,
) {
    let (fx, fy) = (sw as f32 / dw as f32, sh as f32 / dh as f32);
    let n = dw as usize;
    let xtab = scratch;
    let rows = [scratch.add(2 * n), scratch.add(2 * n + n + 8)];
    let blocks = scratch.add(2 * n + 2 * (n + 8)) as *mut u8;
    for x in 0..dw {
        let (i, w) = source(x, fx, sw);
        *xtab.add(2 * x as usize) = i;
        *xtab.add(2 * x as usize + 1) = w;
    }
    // Block tables: a block takes the vector path while its pixels' 16 source bytes lie in the row.
    #[cfg(target_feature = "simd128")]
    let mut open = true;
    #[cfg(target_feature = "simd128")]
    for k in 0..n / 8 {
        let blk = blocks.add(k * BLOCK);
        let base = *xtab.add(16 * k);
        let mut fits = open && base as u32 + 16 <= sw;
        for j in 0..8 {
            let (sx, wx) = (*xtab.add(2 * (8 * k + j)), *xtab.add(2 * (8 * k + j) + 1));
            let right = sx + (wx > 0) as i32;
            fits = fits && right - base < 16;
            *blk.add(2 * j) = (sx - base) as u8;
            *blk.add(2 * j + 1) = (right - base) as u8;
            *(blk.add(16) as *mut i16).add(2 * j) = (ONE - wx) as i16;
            *(blk.add(16) as *mut i16).add(2 * j + 1) = wx as i16;
        }
        open = fits;
        *(blk.add(48) as *mut i32) = base;
        *(blk.add(52) as *mut i32) = fits as i32;
    }
    let mut cached = [-1i32, -1i32];
    for y in 0..dh {
        let (sy, wy) = source(y, fy, sh);
        let sy1 = sy + (wy > 0) as i32;
        // Each row's slot is fixed by its parity, so consecutive source rows never evict each other.
        for r in [sy, sy1] {
            let slot = (r & 1) as usize;
            if cached[slot] != r {
                horizontal(
                    src.offset(r as isize * ss as isize),
                    xtab,
                    blocks,
                    n,
                    rows[slot],
                );
                cached[slot] = r;
            }
        }
        vertical(
            rows[(sy & 1) as usize],
            rows[(sy1 & 1) as usize],
            wy,
            n,
            dst.add((y * ds) as usize),
        );
    }
}
