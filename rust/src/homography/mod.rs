//! RANSAC homography between two sets of corresponding points, as OpenCV's
//! `findHomography(src, dst, RANSAC, threshold)` defines the job (see:
//! opencv/modules/calib3d/src/fundam.cpp and ptsetreg.cpp): 4-point hypotheses (normalised DLT),
//! scored by the number of points whose reprojection error is within the threshold, the iteration
//! count shrinking as better models appear; then the best model refitted on its inliers.
//!
//! Reproducible: samples come from a xorshift32 generator seeded by the caller, and every floating
//! point step is the same in the TypeScript reference (ts/kernels/homography/reference.ts), the
//! scalar build and the SIMD build, so all three return the same matrix, bit for bit, and the same
//! inlier mask.

pub mod linalg;
mod minimal;
mod refine;
mod score;

/// Results other than an inlier count (>= 4): the reasons a homography is not given.
pub const TOO_FEW_POINTS: i32 = -1;
pub const DEGENERATE: i32 = -2;
pub const NO_CONSENSUS: i32 = -3;

#[inline(always)]
fn xorshift32(mut s: u32) -> u32 {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    s
}

/// Hypotheses needed for probability `confidence` of having drawn one all-inlier sample when a
/// fraction `inliers / n` of the points are inliers: the least k with (1 - w^4)^k <= 1 - confidence,
/// at most `max_iters`. Found by repeated multiplication rather than logarithms (core has no `ln`,
/// and this way the TypeScript reference gets exactly the same count); it runs only when the best
/// model improves.
fn iterations_needed(inliers: u32, n: u32, confidence: f64, max_iters: u32) -> u32 {
    let w = inliers as f64 / n as f64;
    let mut p = w * w;
    p *= p;
    let (q, target) = (1.0 - p, 1.0 - confidence);
    let (mut k, mut prod) = (0, 1.0);
    while k < max_iters && prod > target {
        prod *= q;
        k += 1;
    }
    k
}

/// The RANSAC loop: the best 4-point model, its inlier count and the number of iterations run.
fn ransac(
    src: &[f32],
    dst: &[f32],
    n: u32,
    t2: f32,
    confidence: f64,
    max_iters: u32,
    seed: u32,
) -> (Option<[f64; 9]>, u32, u32) {
    let mut rng = if seed == 0 { 0x9e37_79b9 } else { seed };
    let (mut best, mut best_count) = (None, 0);
    let mut limit = if n == 4 { 1 } else { max_iters };
    let mut iter = 0;
    let mut idx = [0usize, 1, 2, 3];
    while iter < limit {
        iter += 1;
        if n > 4 {
            for k in 0..4 {
                loop {
                    rng = xorshift32(rng);
                    let i = (rng % n) as usize;
                    if !idx[..k].contains(&i) {
                        idx[k] = i;
                        break;
                    }
                }
            }
        }
        let mut s = [(0.0, 0.0); 4];
        let mut d = [(0.0, 0.0); 4];
        for k in 0..4 {
            s[k] = (src[2 * idx[k]] as f64, src[2 * idx[k] + 1] as f64);
            d[k] = (dst[2 * idx[k]] as f64, dst[2 * idx[k] + 1] as f64);
        }
        if !minimal::good_sample(&s, &d) {
            continue;
        }
        let h = match minimal::solve4(&s, &d) {
            Some(h) => h,
            None => continue,
        };
        let c = score::count_inliers(&score::to_f32(&h), src, dst, n as usize, t2);
        if c > best_count {
            best_count = c;
            best = Some(h);
            let need = iterations_needed(c, n, confidence, max_iters);
            if need < limit {
                limit = need;
            }
        }
    }
    (best, best_count, iter)
}

/// Finds the homography taking `src` points to `dst` points.
///
/// Inputs: `count` points in each of `src` and `dst`, interleaved f32 (x0, y0, x1, y1 ...); a point
/// is an inlier when its reprojection error is at most `threshold` pixels. `seed` (0 picks a fixed
/// one) drives the sampling; `refine_iters` Levenberg-Marquardt steps follow the refit on inliers
/// (0: the linear refit only).
///
/// Outputs: `out_h` 9 f64, row-major, h33 = 1 (written only on success); `out_mask` one byte per
/// point, 1 for inliers (all 0 when no homography is given); `out_iters` the RANSAC iterations run.
/// Returns the inlier count (>= 4), or TOO_FEW_POINTS (count < 4), DEGENERATE (no sample gave a
/// model: collinear or coincident points), NO_CONSENSUS (fewer than `min_inliers` inliers).
///
/// # Safety
/// `src` and `dst` hold 2 * count f32 each, `out_mask` count bytes, `out_h` 9 f64 (8-byte aligned),
/// `out_iters` one u32, all inside the linear memory; the outputs do not overlap the inputs. The
/// points are finite (TypeScript checks all of this before calling).
#[no_mangle]
pub unsafe extern "C" fn fk_find_homography(
    src: *const f32,
    dst: *const f32,
    count: u32,
    threshold: f64,
    confidence: f64,
    max_iters: u32,
    seed: u32,
    refine_iters: u32,
    min_inliers: u32,
    out_h: *mut f64,
    out_mask: *mut u8,
    out_iters: *mut u32,
) -> i32 {
    let n = count as usize;
    let mask = core::slice::from_raw_parts_mut(out_mask, n);
    for m in mask.iter_mut() {
        *m = 0;
    }
    *out_iters = 0;
    if n < 4 {
        return TOO_FEW_POINTS;
    }
    let src = core::slice::from_raw_parts(src, 2 * n);
    let dst = core::slice::from_raw_parts(dst, 2 * n);
    let t2 = (threshold * threshold) as f32;
    let (best, best_count, iters) = ransac(src, dst, count, t2, confidence, max_iters, seed);
    *out_iters = iters;
    let mut h = match best {
        Some(h) => h,
        None => return DEGENERATE,
    };
    let mut inliers = score::inlier_mask(&score::to_f32(&h), src, dst, t2, mask);
    // Linear refits on the inliers, then on the inliers of the refit, while their number changes
    // (at most 3), then one refit with Levenberg-Marquardt on the settled set. A refit that loses
    // more than a tenth of RANSAC's inliers is not taken.
    let mut settled = false;
    for round in 0..4 {
        let last = settled || round == 3;
        if last && refine_iters == 0 {
            break;
        }
        let lm = if last { refine_iters } else { 0 };
        let r = match refine::refit(src, dst, mask, lm) {
            Some(r) => r,
            None => break,
        };
        if score::count_inliers(&score::to_f32(&r), src, dst, n, t2) * 10 < best_count * 9 {
            break;
        }
        h = r;
        let before = inliers;
        inliers = score::inlier_mask(&score::to_f32(&h), src, dst, t2, mask);
        if last {
            break;
        }
        settled = inliers == before;
    }
    if inliers < 4 || inliers < min_inliers {
        for m in mask.iter_mut() {
            *m = 0;
        }
        return NO_CONSENSUS;
    }
    let out = core::slice::from_raw_parts_mut(out_h, 9);
    out.copy_from_slice(&h);
    inliers as i32
}
