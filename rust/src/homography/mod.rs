//! RANSAC homography between two sets of corresponding points, as OpenCV's
//! `findHomography(src, dst, RANSAC, threshold)` defines the job (see:
//! opencv/modules/calib3d/src/fundam.cpp and ptsetreg.cpp): 4-point hypotheses (normalised DLT)
//! from samples that pass the geometric checks (redrawn until one does, as OpenCV's getSubset), the
//! iteration count shrinking as better models appear; then the best model refitted on its inliers.
//! On top of that, what later work found to matter: hypotheses scored by MSAC's truncated
//! quadratic cost rather than a bare inlier count; each new best model locally optimised (LO-RANSAC:
//! refitted on its inliers while the cost falls); PROSAC sampling when the caller's points come best
//! first; and the final least squares with Levenberg-Marquardt repeated until its inliers settle.
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

/// Draws of a sample that fails the geometric checks before RANSAC gives up (OpenCV's
/// `getSubset`: 10000); they do not count as iterations.
const MAX_ATTEMPTS: u32 = 10000;
/// PROSAC's T_N: the draws over which sampling widens from the first 4 points to all of them.
const PROSAC_DRAWS: f64 = 200000.0;
/// Refits of a local optimisation, at most, and the Levenberg-Marquardt steps of each.
const LO_ROUNDS: u32 = 4;
const LO_LM_ITERS: u32 = 5;
/// Refits of the final model on its inliers, at most.
const FINAL_ROUNDS: u32 = 8;

/// A 32-bit hash of which points are inliers: h = 31 h + i + 1 over them, wrapping.
fn mask_hash(mask: &[u8]) -> u32 {
    let mut h: u32 = 0;
    for (i, &m) in mask.iter().enumerate() {
        if m != 0 {
            h = h.wrapping_mul(31).wrapping_add(i as u32 + 1);
        }
    }
    h
}

/// The least integer >= x, for 0 <= x < 2^53 (core has no `ceil`; the reference does the same).
fn ceil(x: f64) -> f64 {
    let k = x as u64 as f64;
    if k < x {
        k + 1.0
    } else {
        k
    }
}

/// The sampler: xorshift32 draws, uniform over all points, or PROSAC (Chum and Matas 2005) when
/// the points come best first: draw t takes 4 points of the first `m`, m growing as the expected
/// draws T'_m from those m run out (T_m = T_N C(m, 4) / C(n, 4)); until then it takes point m and
/// 3 of the first m - 1.
struct Sampler {
    rng: u32,
    n: usize,
    m: usize,
    tm: f64,
    tm_draws: f64,
    draws: f64,
}

impl Sampler {
    fn new(seed: u32, n: usize, sorted: bool) -> Sampler {
        let mut tm = PROSAC_DRAWS;
        for i in 0..4 {
            tm = tm * (4 - i) as f64 / (n - i) as f64;
        }
        Sampler {
            rng: if seed == 0 { 0x9e37_79b9 } else { seed },
            n,
            m: if sorted { 4 } else { n },
            tm,
            tm_draws: 1.0,
            draws: 0.0,
        }
    }

    fn draw(&mut self, idx: &mut [usize; 4]) {
        self.draws += 1.0;
        if self.draws > self.tm_draws && self.m < self.n {
            let next = self.tm * (self.m + 1) as f64 / (self.m + 1 - 4) as f64;
            self.tm_draws += ceil(next - self.tm);
            self.tm = next;
            self.m += 1;
        }
        let fresh = self.m < self.n && self.tm_draws >= self.draws;
        let (pool, first) = if fresh { (self.m - 1, 1) } else { (self.m, 0) };
        for k in first..4 {
            loop {
                self.rng = xorshift32(self.rng);
                let i = (self.rng % pool as u32) as usize;
                if !idx[first..k].contains(&i) {
                    idx[k] = i;
                    break;
                }
            }
        }
        if fresh {
            idx[0] = self.m - 1;
        }
    }
}

/// The RANSAC loop with MSAC scoring and local optimisation: the best model (after its LO), the
/// inlier count that set the iteration limit and the number of iterations run. `mask` is scratch.
#[allow(clippy::too_many_arguments)]
fn ransac(
    src: &[f32],
    dst: &[f32],
    n: u32,
    t2: f32,
    confidence: f64,
    max_iters: u32,
    seed: u32,
    sorted: bool,
    mask: &mut [u8],
) -> (Option<[f64; 9]>, u32, u32) {
    let nn = n as usize;
    let mut sampler = Sampler::new(seed, nn, sorted);
    let (mut best, mut best_count, mut best_cost) = (None, 0, f32::INFINITY);
    let mut limit = if n == 4 { 1 } else { max_iters };
    let mut iter = 0;
    let mut idx = [0usize, 1, 2, 3];
    let mut s = [(0.0, 0.0); 4];
    let mut d = [(0.0, 0.0); 4];
    while iter < limit {
        // A sample that passes the geometric checks, drawn again (not counted as an iteration)
        // until one does, as OpenCV's getSubset: with few inliers most random samples fail them.
        let mut found = false;
        for _ in 0..(if n == 4 { 1 } else { MAX_ATTEMPTS }) {
            if n > 4 {
                sampler.draw(&mut idx);
            }
            for k in 0..4 {
                s[k] = (src[2 * idx[k]] as f64, src[2 * idx[k] + 1] as f64);
                d[k] = (dst[2 * idx[k]] as f64, dst[2 * idx[k] + 1] as f64);
            }
            if minimal::good_sample(&s, &d) {
                found = true;
                break;
            }
        }
        if !found {
            break;
        }
        iter += 1;
        let mut h = match minimal::solve4(&s, &d) {
            Some(h) => h,
            None => continue,
        };
        let (mut count, mut cost) = score::score(&score::to_f32(&h), src, dst, nn, t2);
        if !(cost < best_cost) {
            continue;
        }
        // Local optimisation (LO-RANSAC, Chum, Matas and Kittler 2003): refit on the new best
        // model's inliers, while that lowers the cost.
        let mut round = 0;
        while round < LO_ROUNDS && count >= 8 {
            round += 1;
            score::inlier_mask(&score::to_f32(&h), src, dst, t2, mask);
            let r = match refine::refit(src, dst, mask, LO_LM_ITERS) {
                Some(r) => r,
                None => break,
            };
            let (c, e) = score::score(&score::to_f32(&r), src, dst, nn, t2);
            if !(e < cost) {
                break;
            }
            h = r;
            count = c;
            cost = e;
        }
        best = Some(h);
        best_cost = cost;
        if count > best_count {
            best_count = count;
            let need = iterations_needed(count, n, confidence, max_iters);
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
/// (0: the linear refit only). `sorted` != 0: the points come best first (by match quality), and
/// samples are drawn PROSAC's way, from the first ones first.
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
    sorted: u32,
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
    let (best, _, iters) = ransac(
        src,
        dst,
        count,
        t2,
        confidence,
        max_iters,
        seed,
        sorted != 0,
        mask,
    );
    *out_iters = iters;
    let mut h = match best {
        Some(h) => h,
        None => {
            for m in mask.iter_mut() {
                *m = 0;
            }
            return DEGENERATE;
        }
    };
    // The final model: least squares (with Levenberg-Marquardt) on the inliers, again on the
    // inliers of the result, until they settle (the same count and the same hash of the set). A
    // refit that loses more than a tenth of the inliers is not taken.
    let mut inliers = score::inlier_mask(&score::to_f32(&h), src, dst, t2, mask);
    for _ in 0..FINAL_ROUNDS {
        let r = match refine::refit(src, dst, mask, refine_iters) {
            Some(r) => r,
            None => break,
        };
        if score::count_inliers(&score::to_f32(&r), src, dst, n, t2) * 10 < inliers * 9 {
            break;
        }
        h = r;
        let (before, before_hash) = (inliers, mask_hash(mask));
        inliers = score::inlier_mask(&score::to_f32(&h), src, dst, t2, mask);
        if inliers == before && mask_hash(mask) == before_hash {
            break;
        }
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
