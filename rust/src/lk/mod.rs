//! Pyramidal Lucas-Kanade, one pyramid level per call: OpenCV's `LKTrackerInvoker` (see:
//! opencv/modules/video/src/lkpyramid.cpp) over levels that TypeScript builds once per frame.
//!
//! Per point, at level L (coarsest first), as OpenCV does it:
//!   p = prev / 2^L - halfWin; the window of I at p (bilinear, 14-bit fixed-point weights) gives the
//!   patch (scaled by 32) and its Scharr gradients; G = sum [Ix^2 IxIy; IxIy Iy^2] / 2^20;
//!   reject when min eigenvalue / (w h) < minEig or det G < FLT_EPSILON;
//!   q = next guess (2 x the coarser result, or p at the top); repeat up to maxCount times:
//!     b = sum (J(q) - I(p)) [Ix Iy] / 2^20, delta = G^-1 (-b); q += delta;
//!     stop when |delta|^2 <= eps, or halve the step when it oscillates (delta ~ -previous delta);
//!   at level 0: err = mean |J(q) - I(p)| / 32.
//! Images are padded by at least win + 16 pixels (reflect-101), so every window read inside OpenCV's
//! bounds test, and the 8-pixel vectors' reach past the window, stay inside the padded buffers. The
//! Scharr gradients of I are computed per window from those pixels, exactly as OpenCV's
//! calcSharrDeriv (zero outside the image, as its zero-padded derivative image).

pub mod deriv;
mod window;

use crate::formats::{LK_FLT_SCALE_BITS, LK_MIN_EIG_ERR, LK_USE_INITIAL_FLOW};
use crate::math::{absf, floor_i, sqrtf};
use deriv::{RUN_MAX, RUN_SCRATCH};
use window::{abs_error, patch, residual, Weights, MAX_WIN};

const FLT_EPSILON: f32 = 1.192_092_9e-7;

/// Largest window side a call accepts: the patch buffers live on the 64 KiB stack (24 KiB at 64).
#[no_mangle]
pub extern "C" fn fk_lk_max_win() -> u32 {
    MAX_WIN as u32
}

/// A pyramid level: an 8-bit image with rows `stride` bytes apart.
#[derive(Clone, Copy)]
pub struct Level {
    pub img: *const u8,
    pub stride: isize,
}

/// Tracks `n` points through one pyramid level of size `width` x `height`.
///
/// `prev_pts` and `next_pts` hold (x, y) pairs in level-0 pixels; `next_pts` is read (as the guess
/// from the coarser level, or the initial flow with `LK_USE_INITIAL_FLOW` at the top level) and
/// written. `status` (u8) is cleared for points lost at level 0; `err` (f32) gets the level-0 error,
/// or the minimum eigenvalue with `LK_MIN_EIG_ERR`. `eps` is the squared step at which iterations
/// stop. `LK_SWIZZLE_PAIRS` builds the bilinear pixel pairs with single-input swizzles rather than
/// interleaves (see window.rs): the same results, faster under JavaScriptCore, slower under V8.
/// The flag bits are ts/core/formats.ts's (crate::formats).
///
/// # Safety
/// `prev`/`next` point at pixel (0, 0) of images padded by at least `win + 16` pixels on every side;
/// point arrays hold `n` entries; `win_w`, `win_h` in 1..=fk_lk_max_win().
#[no_mangle]
pub unsafe extern "C" fn fk_lk_level(
    prev: *const u8,
    prev_stride: u32,
    next: *const u8,
    next_stride: u32,
    width: u32,
    height: u32,
    prev_pts: *const f32,
    next_pts: *mut f32,
    status: *mut u8,
    err: *mut f32,
    n: u32,
    win_w: u32,
    win_h: u32,
    level: u32,
    max_level: u32,
    max_count: u32,
    eps: f32,
    min_eig: f32,
    flags: u32,
) {
    #[cfg(target_feature = "simd128")]
    let track = if flags & crate::formats::LK_SWIZZLE_PAIRS != 0 {
        track_level::<true>
    } else {
        track_level::<false>
    };
    #[cfg(not(target_feature = "simd128"))]
    let track = track_level::<false>;
    track(
        prev,
        prev_stride,
        next,
        next_stride,
        width,
        height,
        prev_pts,
        next_pts,
        status,
        err,
        n,
        win_w,
        win_h,
        level,
        max_level,
        max_count,
        eps,
        min_eig,
        flags,
    )
}

// Each variant its own function: one body with both inlined compiles worse under JavaScriptCore.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
unsafe fn track_level<const SWZ: bool>(
    prev: *const u8,
    prev_stride: u32,
    next: *const u8,
    next_stride: u32,
    width: u32,
    height: u32,
    prev_pts: *const f32,
    next_pts: *mut f32,
    status: *mut u8,
    err: *mut f32,
    n: u32,
    win_w: u32,
    win_h: u32,
    level: u32,
    max_level: u32,
    max_count: u32,
    eps: f32,
    min_eig: f32,
    flags: u32,
) {
    let (ww, wh) = (win_w as usize, win_h as usize);
    let half = ((win_w as f32 - 1.0) * 0.5, (win_h as f32 - 1.0) * 0.5);
    let (cols, rows) = (width as i32, height as i32);
    let inside =
        |ix: i32, iy: i32| ix >= -(win_w as i32) && ix < cols && iy >= -(win_h as i32) && iy < rows;
    let scale = 1.0 / (1u32 << level) as f32;
    let i_lvl = Level {
        img: prev,
        stride: prev_stride as isize,
    };
    let j_lvl = Level {
        img: next,
        stride: next_stride as isize,
    };
    let mut iwin = [0i16; MAX_WIN * MAX_WIN];
    let mut gx = [0i16; MAX_WIN * MAX_WIN];
    let mut gy = [0i16; MAX_WIN * MAX_WIN];
    let mut ring = [[0i16; 2 * RUN_MAX]; 2];
    let mut sums = [0i16; RUN_SCRATCH];
    let area = (ww * wh) as f32;
    for i in 0..n as usize {
        let px = *prev_pts.add(2 * i) * scale - half.0;
        let py = *prev_pts.add(2 * i + 1) * scale - half.1;
        let (mut nx, mut ny) = if level == max_level {
            if flags & LK_USE_INITIAL_FLOW != 0 {
                (
                    *next_pts.add(2 * i) * scale,
                    *next_pts.add(2 * i + 1) * scale,
                )
            } else {
                (px + half.0, py + half.1)
            }
        } else {
            (*next_pts.add(2 * i) * 2.0, *next_pts.add(2 * i + 1) * 2.0)
        };
        *next_pts.add(2 * i) = nx;
        *next_pts.add(2 * i + 1) = ny;
        let (ipx, ipy) = (floor_i(px), floor_i(py));
        // A point or guess that is not a finite number is lost, never tracked from a made-up place.
        let finite = px.is_finite() && py.is_finite() && nx.is_finite() && ny.is_finite();
        if !finite || !inside(ipx, ipy) {
            if level == 0 {
                *status.add(i) = 0;
                *err.add(i) = 0.0;
            }
            continue;
        }
        let wts = Weights::new(px - ipx as f32, py - ipy as f32);
        let g = patch::<SWZ>(
            i_lvl,
            cols,
            rows,
            ipx,
            ipy,
            ww,
            wh,
            &wts,
            &mut iwin,
            &mut gx,
            &mut gy,
            ring.as_mut_ptr() as *mut i16,
            sums.as_mut_ptr(),
        );
        let (a11, a12, a22) = (g[0] * FLT_SCALE, g[1] * FLT_SCALE, g[2] * FLT_SCALE);
        let det = a11 * a22 - a12 * a12;
        let eig = (a22 + a11 - sqrtf((a11 - a22) * (a11 - a22) + 4.0 * a12 * a12)) / (2.0 * area);
        if flags & LK_MIN_EIG_ERR != 0 {
            *err.add(i) = eig;
        }
        if eig < min_eig || det < FLT_EPSILON {
            if level == 0 {
                *status.add(i) = 0;
            }
            continue;
        }
        let inv = 1.0 / det;
        nx -= half.0;
        ny -= half.1;
        let mut prev_delta = (0.0f32, 0.0f32);
        for j in 0..max_count {
            let (inx, iny) = (floor_i(nx), floor_i(ny));
            if !inside(inx, iny) {
                if level == 0 {
                    *status.add(i) = 0;
                }
                break;
            }
            let wts = Weights::new(nx - inx as f32, ny - iny as f32);
            let b = residual::<SWZ>(j_lvl, inx, iny, ww, wh, &wts, &iwin, &gx, &gy);
            let (b1, b2) = (b[0] * FLT_SCALE, b[1] * FLT_SCALE);
            let delta = ((a12 * b2 - a22 * b1) * inv, (a12 * b1 - a11 * b2) * inv);
            nx += delta.0;
            ny += delta.1;
            *next_pts.add(2 * i) = nx + half.0;
            *next_pts.add(2 * i + 1) = ny + half.1;
            if delta.0 * delta.0 + delta.1 * delta.1 <= eps {
                break;
            }
            if j > 0 && absf(delta.0 + prev_delta.0) < 0.01 && absf(delta.1 + prev_delta.1) < 0.01 {
                *next_pts.add(2 * i) -= delta.0 * 0.5;
                *next_pts.add(2 * i + 1) -= delta.1 * 0.5;
                break;
            }
            prev_delta = delta;
        }
        if *status.add(i) != 0 && level == 0 && flags & LK_MIN_EIG_ERR == 0 {
            let qx = *next_pts.add(2 * i) - half.0;
            let qy = *next_pts.add(2 * i + 1) - half.1;
            let (iqx, iqy) = (floor_i(qx), floor_i(qy));
            if !inside(iqx, iqy) {
                *status.add(i) = 0;
                continue;
            }
            let wts = Weights::new(qx - iqx as f32, qy - iqy as f32);
            *err.add(i) = abs_error::<SWZ>(j_lvl, iqx, iqy, ww, wh, &wts, &iwin) / (32.0 * area);
        }
    }
}

/// OpenCV's FLT_SCALE: products of 14-bit-weighted, 5-bit-scaled values back to pixel units.
const FLT_SCALE: f32 = 1.0 / (1u32 << LK_FLT_SCALE_BITS) as f32;
