// framekit's AssemblyScript pixel kernels: one module, built twice (wasm/build.mjs), SIMD and scalar.
// Kernels never allocate: they take pointers into the memory TypeScript owns.

export { gray_rgba, gray_bgra, gray_rgb, gray_bgr } from './color';
export { gaussian_blur, gaussian_blur_rows, box_blur } from './blur';
export { pyr_down } from './pyramid';
export { deriv_i16, magnitude_l1 } from './gradients';
export { integral } from './integral';
export { histogram, lut_u8, threshold_u8 } from './histogram';
export { yuv420_to_rgba } from './yuv';
export { resize_linear, resize_area_fast } from './resize';
export { warp_affine, warp_perspective, warp_perspective_rows } from './warp';
export { ring_write, ring_read } from './ring';
export { to_tensor_rgba } from './tensor';
export { mel_column, audio_level } from './mel';
export { resample_f32 } from './resample';

/** 1 in the SIMD build, 0 in the scalar one. */
export function simd(): i32 {
  return ASC_FEATURE_SIMD ? 1 : 0;
}
