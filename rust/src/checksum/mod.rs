//! Plane checksum: the sum of every byte of an 8-bit plane, row by row, honouring the stride.
//!
//! Its job in framekit is to prove the shared-memory contract across languages: AssemblyScript
//! writes a gray plane into the arena, this function reads it through the same memory. It is also
//! a cheap content fingerprint for tests.

#[cfg(target_feature = "simd128")]
use core::arch::wasm32::*;

/// Sum of the bytes of one row (scalar; also the tail of the SIMD path).
#[inline(always)]
fn row_sum_scalar(row: &[u8]) -> u64 {
    let mut s: u64 = 0;
    for &b in row {
        s += b as u64;
    }
    s
}

/// Sum of one row, 16 bytes per step.
///
/// Pseudo-code: for each 16-byte block, widen pairs to u16 (extadd), then pairs to u32 (extadd),
/// accumulate four u32 lanes. A u32 lane takes 4 bytes per block, so it cannot overflow before
/// 2^32 / (4 * 255) blocks, far beyond any row; the lanes are folded into u64 at the end of the row.
#[cfg(target_feature = "simd128")]
#[inline(always)]
fn row_sum(row: &[u8]) -> u64 {
    let n = row.len();
    let blocks = n / 16;
    let mut acc = u32x4_splat(0);
    let p = row.as_ptr();
    for i in 0..blocks {
        // SAFETY: i * 16 + 16 <= n, so the 16-byte load stays inside `row`; v128_load has no
        // alignment requirement.
        let v = unsafe { v128_load(p.add(i * 16) as *const v128) };
        acc = u32x4_add(acc, u32x4_extadd_pairwise_u16x8(u16x8_extadd_pairwise_u8x16(v)));
    }
    let lanes = u32x4_extract_lane::<0>(acc) as u64
        + u32x4_extract_lane::<1>(acc) as u64
        + u32x4_extract_lane::<2>(acc) as u64
        + u32x4_extract_lane::<3>(acc) as u64;
    lanes + row_sum_scalar(&row[blocks * 16..])
}

#[cfg(not(target_feature = "simd128"))]
#[inline(always)]
fn row_sum(row: &[u8]) -> u64 {
    row_sum_scalar(row)
}

/// Sum of all bytes of the `width` x `height` plane at `src` with rows `stride` bytes apart.
///
/// # Safety
/// The caller guarantees `stride >= width` and that `src .. src + (height - 1) * stride + width`
/// lies inside the linear memory. TypeScript checks both before calling.
#[no_mangle]
pub unsafe extern "C" fn fk_plane_sum(src: *const u8, width: u32, height: u32, stride: u32) -> u64 {
    let mut total: u64 = 0;
    for y in 0..height as usize {
        let row = core::slice::from_raw_parts(src.add(y * stride as usize), width as usize);
        total += row_sum(row);
    }
    total
}
