//! Reprojection error of every correspondence under one hypothesis: the hot loop of RANSAC (it runs
//! once per hypothesis over all points).
//!
//! The error is computed in f32 with one fixed sequence of operations, in the scalar code, the SIMD
//! code and the TypeScript reference alike (which rounds each step with Math.fround):
//!   w = (h6 x + h7 y) + h8;  iw = 1 / w
//!   u = ((h0 x + h1 y) + h2) iw - X;  v = ((h3 x + h4 y) + h5) iw - Y
//!   inlier  <=>  u u + v v <= t2
//! so every build takes the same inlier decisions. A point mapped to infinity (w = 0) gives an
//! infinite or NaN error and is an outlier.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// The hypothesis rounded to f32, the way the error is computed.
pub fn to_f32(h: &[f64; 9]) -> [f32; 9] {
    let mut r = [0.0f32; 9];
    for k in 0..9 {
        r[k] = h[k] as f32;
    }
    r
}

/// True when point i of `src` maps within sqrt(t2) of point i of `dst`.
#[inline(always)]
pub fn is_inlier(h: &[f32; 9], src: &[f32], dst: &[f32], i: usize, t2: f32) -> bool {
    let (x, y) = (src[2 * i], src[2 * i + 1]);
    let iw = 1.0 / (h[6] * x + h[7] * y + h[8]);
    let u = (h[0] * x + h[1] * y + h[2]) * iw - dst[2 * i];
    let v = (h[3] * x + h[4] * y + h[5]) * iw - dst[2 * i + 1];
    u * u + v * v <= t2
}

/// Writes 1 / 0 per point into `mask` and returns the number of inliers.
pub fn inlier_mask(h: &[f32; 9], src: &[f32], dst: &[f32], t2: f32, mask: &mut [u8]) -> u32 {
    let mut n = 0;
    for i in 0..mask.len() {
        let m = is_inlier(h, src, dst, i, t2);
        mask[i] = m as u8;
        n += m as u32;
    }
    n
}

/// Number of inliers of points `from..n`.
#[inline(always)]
fn count_scalar(h: &[f32; 9], src: &[f32], dst: &[f32], from: usize, n: usize, t2: f32) -> u32 {
    let mut c = 0;
    for i in from..n {
        c += is_inlier(h, src, dst, i, t2) as u32;
    }
    c
}

/// Squared reprojection error of point i (the steps of `is_inlier`).
#[inline(always)]
fn error2(h: &[f32; 9], src: &[f32], dst: &[f32], i: usize) -> f32 {
    let (x, y) = (src[2 * i], src[2 * i + 1]);
    let iw = 1.0 / (h[6] * x + h[7] * y + h[8]);
    let u = (h[0] * x + h[1] * y + h[2]) * iw - dst[2 * i];
    let v = (h[3] * x + h[4] * y + h[5]) * iw - dst[2 * i + 1];
    u * u + v * v
}

/// A point's MSAC cost: its squared error when it is an inlier, else t2 (NaN included).
#[inline(always)]
fn truncated(e: f32, t2: f32) -> (u32, f32) {
    if e <= t2 {
        (1, e)
    } else {
        (0, t2)
    }
}

/// MSAC score of a hypothesis (Torr and Zisserman 2000): the inlier count and the truncated
/// quadratic cost, the sum over points of min(e^2, t2), in f32. Summed in the SIMD build's order:
/// four lane sums over the points 4k + lane of the whole blocks of 4, added ((l0 + l1) + l2) + l3,
/// then the last n % 4 points one by one; the scalar build and the reference keep that order.
#[cfg(not(target_feature = "simd128"))]
pub fn score(h: &[f32; 9], src: &[f32], dst: &[f32], n: usize, t2: f32) -> (u32, f32) {
    let mut lanes = [0.0f32; 4];
    let mut count = 0;
    let blocks = n / 4;
    for i in 0..4 * blocks {
        let (c, e) = truncated(error2(h, src, dst, i), t2);
        count += c;
        lanes[i & 3] += e;
    }
    score_tail(h, src, dst, blocks * 4, n, t2, count, lanes)
}

/// The lane sums added, then the points `from..n` one by one.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn score_tail(
    h: &[f32; 9],
    src: &[f32],
    dst: &[f32],
    from: usize,
    n: usize,
    t2: f32,
    mut count: u32,
    lanes: [f32; 4],
) -> (u32, f32) {
    let mut cost = ((lanes[0] + lanes[1]) + lanes[2]) + lanes[3];
    for i in from..n {
        let (c, e) = truncated(error2(h, src, dst, i), t2);
        count += c;
        cost += e;
    }
    (count, cost)
}

/// MSAC score, four points per step: the error as in `count_inliers`, then
///   inl = err <= t2;  count -= inl;  lane_cost += select(inl, err, t2)
#[cfg(target_feature = "simd128")]
pub fn score(h: &[f32; 9], src: &[f32], dst: &[f32], n: usize, t2: f32) -> (u32, f32) {
    let hv = HVec::new(h);
    let lim = f32x4_splat(t2);
    let mut acc = i32x4_splat(0);
    let mut cost = f32x4_splat(0.0);
    let blocks = n / 4;
    for b in 0..blocks {
        let e = block_errors(&hv, src, dst, b);
        let inl = f32x4_le(e, lim);
        acc = i32x4_sub(acc, inl);
        cost = f32x4_add(cost, v128_bitselect(e, lim, inl));
    }
    let count = (i32x4_extract_lane::<0>(acc)
        + i32x4_extract_lane::<1>(acc)
        + i32x4_extract_lane::<2>(acc)
        + i32x4_extract_lane::<3>(acc)) as u32;
    let lanes = [
        f32x4_extract_lane::<0>(cost),
        f32x4_extract_lane::<1>(cost),
        f32x4_extract_lane::<2>(cost),
        f32x4_extract_lane::<3>(cost),
    ];
    score_tail(h, src, dst, blocks * 4, n, t2, count, lanes)
}

#[cfg(not(target_feature = "simd128"))]
pub fn count_inliers(h: &[f32; 9], src: &[f32], dst: &[f32], n: usize, t2: f32) -> u32 {
    count_scalar(h, src, dst, 0, n, t2)
}

/// Inlier count, four points per step.
///
/// Pseudo-code: for each block of 4 points (32 bytes of interleaved x, y from each array),
///   xs, ys = deinterleave(load(p), load(p + 16))      (two shuffles)
///   err = the scalar formula above, lane by lane       (same f32 operations, same order)
///   acc -= (err <= t2)                                 (a true lane is all ones: -1)
/// then the horizontal sum of acc, and the scalar loop for the last n % 4 points.
#[cfg(target_feature = "simd128")]
pub fn count_inliers(h: &[f32; 9], src: &[f32], dst: &[f32], n: usize, t2: f32) -> u32 {
    let hv = HVec::new(h);
    let lim = f32x4_splat(t2);
    let mut acc = i32x4_splat(0);
    let blocks = n / 4;
    for b in 0..blocks {
        let e = block_errors(&hv, src, dst, b);
        acc = i32x4_sub(acc, f32x4_le(e, lim));
    }
    let lanes = i32x4_extract_lane::<0>(acc)
        + i32x4_extract_lane::<1>(acc)
        + i32x4_extract_lane::<2>(acc)
        + i32x4_extract_lane::<3>(acc);
    lanes as u32 + count_scalar(h, src, dst, blocks * 4, n, t2)
}

/// The homography's nine entries splatted to vectors, made once per call.
#[cfg(target_feature = "simd128")]
struct HVec([v128; 9]);

#[cfg(target_feature = "simd128")]
impl HVec {
    fn new(h: &[f32; 9]) -> Self {
        HVec([
            f32x4_splat(h[0]),
            f32x4_splat(h[1]),
            f32x4_splat(h[2]),
            f32x4_splat(h[3]),
            f32x4_splat(h[4]),
            f32x4_splat(h[5]),
            f32x4_splat(h[6]),
            f32x4_splat(h[7]),
            f32x4_splat(h[8]),
        ])
    }
}

/// Squared reprojection errors of points 4b..4b+3 (the scalar formula, lane by lane, same f32
/// operations in the same order): two shuffles deinterleave x, y from each array.
#[cfg(target_feature = "simd128")]
#[inline(always)]
fn block_errors(hv: &HVec, src: &[f32], dst: &[f32], b: usize) -> v128 {
    let [h0, h1, h2, h3, h4, h5, h6, h7, h8] = hv.0;
    let (ps, pd) = (src.as_ptr(), dst.as_ptr());
    // SAFETY: callers pass b < n / 4 with src and dst holding 2n floats, so (b + 1) * 8 <= 2n;
    // v128_load needs no alignment.
    let (s0, s1, d0, d1) = unsafe {
        (
            v128_load(ps.add(b * 8) as *const v128),
            v128_load(ps.add(b * 8 + 4) as *const v128),
            v128_load(pd.add(b * 8) as *const v128),
            v128_load(pd.add(b * 8 + 4) as *const v128),
        )
    };
    let x = i32x4_shuffle::<0, 2, 4, 6>(s0, s1);
    let y = i32x4_shuffle::<1, 3, 5, 7>(s0, s1);
    let tx = i32x4_shuffle::<0, 2, 4, 6>(d0, d1);
    let ty = i32x4_shuffle::<1, 3, 5, 7>(d0, d1);
    let w = f32x4_add(f32x4_add(f32x4_mul(h6, x), f32x4_mul(h7, y)), h8);
    let iw = f32x4_div(f32x4_splat(1.0), w);
    let u = f32x4_add(f32x4_add(f32x4_mul(h0, x), f32x4_mul(h1, y)), h2);
    let v = f32x4_add(f32x4_add(f32x4_mul(h3, x), f32x4_mul(h4, y)), h5);
    let u = f32x4_sub(f32x4_mul(u, iw), tx);
    let v = f32x4_sub(f32x4_mul(v, iw), ty);
    f32x4_add(f32x4_mul(u, u), f32x4_mul(v, v))
}
