// Gaussian blur of an 8-bit plane, bit-exact with OpenCV's fixed-point GaussianBlur for CV_8U
// (smooth.dispatch.cpp: the kernels are ufixedpoint16, i.e. integers summing to 256, applied as
// sum_ij kx[i] ky[j] p >> 16 with rounding). The caller passes both kernels divided by their
// power-of-two common factor, and `shift` = 16 minus the factors' log2, so the same exact sum
// needs fewer bits; `wide` asks for 32-bit sums when 255 * sum(kx) * sum(ky) does not fit 16 bits
// (1), and says when two vertical sums still fit i16, 2 * 255 * sum(ky) < 2^15 (2).
import { OUT_U8, OUT_U8_DIV, OUT_U8_WIDE, OUT_U8_WIDE_PAIRS, separable, separableRows } from './separable';

export function gaussian_blur(
  src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32,
  kx: usize, nx: i32, ky: usize, ny: i32, shift: i32, wide: i32, work: usize,
): void {
  // Gaussian kernels are symmetric (flag 1).
  const mode = wide == 2 ? OUT_U8_WIDE_PAIRS : wide == 1 ? OUT_U8_WIDE : OUT_U8;
  separable(src, srcStride, dst, dstStride, width, height, kx, nx, 1, ky, ny, 1, mode, shift, 0, work);
}

// Output rows [y0, y1) of gaussian_blur over the whole `height`-row image, written straight to those
// rows of dst (src and dst point at row 0). Rows are byte for byte the whole-image call's: source
// rows y0 - ry .. y1 + ry - 1 are read with BORDER_REFLECT_101 at the image's real top and bottom;
// nothing outside rows [y0, y1) of dst is written. The caller checks 0 <= y0 <= y1 <= height
// (ts/workers/blur/stripe.ts). The worker pool runs one range per stripe.
export function gaussian_blur_rows(
  src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32, y0: i32, y1: i32,
  kx: usize, nx: i32, ky: usize, ny: i32, shift: i32, wide: i32, work: usize,
): void {
  const mode = wide == 2 ? OUT_U8_WIDE_PAIRS : wide == 1 ? OUT_U8_WIDE : OUT_U8;
  separableRows(src, srcStride, dst, dstStride, width, height, y0, y1, kx, nx, 1, ky, ny, 1, mode, shift, 0, work);
}

// OpenCV's normalised box filter (blur / boxFilter, 8-bit, kw * kh <= 256): 16-bit column and row
// sums S, then ((S + divDelta) * divScale) >> 23, OpenCV's ColumnSum<ushort, uchar> division.
// `ones` points at max(kw, kh) i16 ones.
export function box_blur(
  src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32,
  ones: usize, kw: i32, kh: i32, divDelta: i32, divScale: i32, work: usize,
): void {
  separable(src, srcStride, dst, dstStride, width, height, ones, kw, 1, ones, kh, 1, OUT_U8_DIV, divDelta, divScale, work);
}
