//! framekit's feature kernels, compiled to WebAssembly over the memory that TypeScript creates.
//!
//! Every export is `extern "C"` over plain integers: pointers into the shared linear memory, sizes and
//! strides. Nothing here allocates; the caller (TypeScript) owns every region and guarantees that each
//! pointer/size pair lies inside memory it reserved. The crate is built twice, with and without
//! `simd128`; `cfg(target_feature = "simd128")` picks the vector path at compile time.
#![no_std]

pub mod formats;
pub mod math;

pub mod checksum;
pub mod fast;
pub mod corners;
pub mod lk;
pub mod hamming;
pub mod orb;
pub mod homography;
pub mod pose;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// 1 when this build was compiled with SIMD, 0 otherwise: lets the loader and `framekit info` report what runs.
#[no_mangle]
pub extern "C" fn fk_simd() -> u32 {
    if cfg!(target_feature = "simd128") {
        1
    } else {
        0
    }
}
