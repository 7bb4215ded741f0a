//! goodFeaturesToTrack's selection over a corner response map, as OpenCV's featureselect.cpp and
//! the TypeScript reference ts/kernels/corners/select.ts (which says it step by step):
//!   t = qualityLevel * max(resp); resp[i] = resp[i] > t ? resp[i] : 0
//!   candidates: interior pixels with resp != 0 and no 3x3 neighbour larger (OpenCV's dilate test)
//!   sorted by response descending, equal responses the later pixel first
//!   greedy: keep a candidate unless a kept one lies closer than minDistance (a grid of cells
//!   round(minDistance) wide, the 3x3 cells around it searched); stop at maxCorners
//! SIMD: the maximum and the threshold 4 floats a step; the peak test 4 centres a step against the
//! maximum of their 3x3 neighbourhoods (two f32x4_max per row), so only peaks reach scalar code.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// cvRound: nearest, halves to even.
fn round_half_even(v: f64) -> i64 {
    let f = {
        let i = v as i64;
        if (i as f64) > v {
            i - 1
        } else {
            i
        }
    };
    let r = v - f as f64;
    if r > 0.5 || (r == 0.5 && f & 1 == 1) {
        f + 1
    } else {
        f
    }
}

/// The largest f32 not above `t`: for any f32 v, v > t exactly when v > below(t).
fn below(t: f64) -> f32 {
    let f = t as f32;
    if (f as f64) <= t {
        return f;
    }
    if f == 0.0 {
        return -f32::from_bits(1);
    }
    f32::from_bits(if f > 0.0 {
        f.to_bits() - 1
    } else {
        f.to_bits() + 1
    })
}

/// Largest value of `resp[0..n]`, then every value not above `quality` times it (in f64, as the
/// reference computes it) set to 0.
unsafe fn threshold(resp: *mut f32, n: usize, quality: f64) {
    let mut max = f32::NEG_INFINITY;
    let mut i = 0;
    #[cfg(target_feature = "simd128")]
    {
        let mut m = f32x4_splat(f32::NEG_INFINITY);
        while i + 4 <= n {
            m = f32x4_pmax(m, v128_load(resp.add(i) as *const v128));
            i += 4;
        }
        for v in [
            f32x4_extract_lane::<0>(m),
            f32x4_extract_lane::<1>(m),
            f32x4_extract_lane::<2>(m),
            f32x4_extract_lane::<3>(m),
        ] {
            if v > max {
                max = v;
            }
        }
    }
    while i < n {
        if *resp.add(i) > max {
            max = *resp.add(i);
        }
        i += 1;
    }
    let t = below(max as f64 * quality);
    let mut i = 0;
    #[cfg(target_feature = "simd128")]
    {
        let tv = f32x4_splat(t);
        while i + 4 <= n {
            let p = resp.add(i) as *mut v128;
            let v = v128_load(p);
            v128_store(p, v128_and(v, f32x4_gt(v, tv)));
            i += 4;
        }
    }
    while i < n {
        if !(*resp.add(i) > t) {
            *resp.add(i) = 0.0;
        }
        i += 1;
    }
}

/// Appends to `cand` the interior pixels of row y (1 <= y < h - 1) that are non-zero local maxima.
#[inline(always)]
unsafe fn row_peaks(resp: *const f32, w: usize, y: usize, cand: *mut i32, total: &mut usize) {
    let row = resp.add(y * w);
    let mut x = 1;
    #[cfg(target_feature = "simd128")]
    {
        let zero = f32x4_splat(0.0);
        while x + 4 <= w - 1 {
            let c = v128_load(row.add(x) as *const v128);
            let mut m = zero;
            for r in [row.sub(w), row, row.add(w)] {
                let a = v128_load(r.add(x - 1) as *const v128);
                let b = v128_load(r.add(x) as *const v128);
                let d = v128_load(r.add(x + 1) as *const v128);
                m = f32x4_pmax(m, f32x4_pmax(a, f32x4_pmax(b, d)));
            }
            // c is its neighbourhood's maximum (no neighbour larger) and non-zero.
            let peak = v128_and(f32x4_ge(c, m), f32x4_ne(c, zero));
            let mut bits = i32x4_bitmask(peak);
            while bits != 0 {
                let k = bits.trailing_zeros() as usize;
                *cand.add(*total) = (y * w + x + k) as i32;
                *total += 1;
                bits &= bits - 1;
            }
            x += 4;
        }
    }
    while x < w - 1 {
        let v = *row.add(x);
        if v != 0.0 {
            let mut peak = true;
            for r in [row.sub(w), row, row.add(w)] {
                for dx in 0..3 {
                    if *r.add(x + dx - 1) > v {
                        peak = false;
                    }
                }
            }
            if peak {
                *cand.add(*total) = (y * w + x) as i32;
                *total += 1;
            }
        }
        x += 1;
    }
}

/// The selection over `resp` (packed `width` x `height` f32, overwritten with the thresholded map).
/// Writes the first `capacity` kept corners (x, y, response) to `out_x`, `out_y`, `out_r` and
/// returns how many were kept. `max_corners` 0 keeps every one.
///
/// # Safety
/// `resp` holds width * height f32; `cand` and `next` width * height i32 each; `heads`
/// `fk_gftt_cells(width, height, min_distance)` i32; outputs `capacity` f32 each; none overlap.
#[no_mangle]
pub unsafe extern "C" fn fk_gftt_select(
    resp: *mut f32,
    width: u32,
    height: u32,
    quality: f64,
    min_distance: f64,
    max_corners: u32,
    cand: *mut i32,
    next: *mut i32,
    heads: *mut i32,
    out_x: *mut f32,
    out_y: *mut f32,
    out_r: *mut f32,
    capacity: u32,
) -> u32 {
    let (w, h) = (width as usize, height as usize);
    threshold(resp, w * h, quality);
    let mut total = 0usize;
    if w >= 3 {
        for y in 1..h.saturating_sub(1) {
            row_peaks(resp, w, y, cand, &mut total);
        }
    }
    let list = core::slice::from_raw_parts_mut(cand, total);
    list.sort_unstable_by(|&p, &q| {
        let (a, b) = (*resp.add(p as usize), *resp.add(q as usize));
        b.partial_cmp(&a)
            .unwrap_or(core::cmp::Ordering::Equal)
            .then(q.cmp(&p))
    });
    let limit = if max_corners > 0 {
        max_corners as usize
    } else {
        usize::MAX
    };
    let mut kept = 0usize;
    if min_distance < 1.0 {
        kept = total.min(limit);
    } else {
        let cell = round_half_even(min_distance).max(1) as usize;
        let (gw, gh) = ((w + cell - 1) / cell, (h + cell - 1) / cell);
        for c in 0..gw * gh {
            *heads.add(c) = -1;
        }
        let d2 = min_distance * min_distance;
        let mut k = 0;
        while k < total && kept < limit {
            let i = *cand.add(k) as usize;
            k += 1;
            let (x, y) = (i % w, i / w);
            let (cx, cy) = (x / cell, y / cell);
            let mut good = true;
            'cells: for yy in cy.saturating_sub(1)..=(cy + 1).min(gh - 1) {
                for xx in cx.saturating_sub(1)..=(cx + 1).min(gw - 1) {
                    let mut m = *heads.add(yy * gw + xx);
                    while m >= 0 {
                        let j = *cand.add(m as usize) as usize;
                        let (dx, dy) = (x as f64 - (j % w) as f64, y as f64 - (j / w) as f64);
                        if dx * dx + dy * dy < d2 {
                            good = false;
                            break 'cells;
                        }
                        m = *next.add(m as usize);
                    }
                }
            }
            if !good {
                continue;
            }
            // kept < k: compacting never overwrites a candidate still to be read.
            *cand.add(kept) = i as i32;
            *next.add(kept) = *heads.add(cy * gw + cx);
            *heads.add(cy * gw + cx) = kept as i32;
            kept += 1;
        }
    }
    let count = kept.min(capacity as usize);
    for k in 0..count {
        let i = *cand.add(k) as usize;
        *out_x.add(k) = (i % w) as f32;
        *out_y.add(k) = (i / w) as f32;
        *out_r.add(k) = *resp.add(i);
    }
    kept as u32
}
