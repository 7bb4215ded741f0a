// Image derivatives of an 8-bit plane as int16, bit-exact with OpenCV's Sobel/Scharr to CV_16S
// (for 8-bit input and integer kernels OpenCV's separable filter sums exactly in int32 and
// saturates to int16; for ksize <= 5 and Scharr no sum reaches the int16 limits, so 16-bit lanes
// are exact). The caller builds kx, ky as OpenCV's getDerivKernels does; the work is the shared
// separable engine (symX/symY: 0 any, 1 symmetric, 2 antisymmetric kernel). Also the L1 gradient magnitude |dx| + |dy|.
import { OUT_I16, separable } from './separable';

export function deriv_i16(
  src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32,
  kx: usize, nx: i32, symX: i32, ky: usize, ny: i32, symY: i32, work: usize,
): void {
  separable(src, srcStride, dst, dstStride, width, height, kx, nx, symX, ky, ny, symY, OUT_I16, 0, 0, work);
}

// dst = saturate_i16(|dx| + |dy|), all three int16 planes of width x height (strides in bytes).
export function magnitude_l1(dx: usize, dxStride: i32, dy: usize, dyStride: i32, dst: usize, dstStride: i32, width: i32, height: i32): void {
  for (let y = 0; y < height; y++) {
    const a = dx + <usize>y * <usize>dxStride;
    const b = dy + <usize>y * <usize>dyStride;
    const d = dst + <usize>y * <usize>dstStride;
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const lim = i16x8.splat(32767);
      for (; x + 32 <= width; x += 32) {
        const o = <usize>x << 1;
        v128.store(d + o, i16x8.min_u(i16x8.add_sat_u(i16x8.abs(v128.load(a + o)), i16x8.abs(v128.load(b + o))), lim));
        v128.store(d + o, i16x8.min_u(i16x8.add_sat_u(i16x8.abs(v128.load(a + o, 16)), i16x8.abs(v128.load(b + o, 16))), lim), 16);
        v128.store(d + o, i16x8.min_u(i16x8.add_sat_u(i16x8.abs(v128.load(a + o, 32)), i16x8.abs(v128.load(b + o, 32))), lim), 32);
        v128.store(d + o, i16x8.min_u(i16x8.add_sat_u(i16x8.abs(v128.load(a + o, 48)), i16x8.abs(v128.load(b + o, 48))), lim), 48);
      }
      for (; x + 8 <= width; x += 8) {
        const o = <usize>x << 1;
        // abs(-32768) is 32768 as u16: add those with unsigned saturation, then clamp to i16's max.
        const s = i16x8.add_sat_u(i16x8.abs(v128.load(a + o)), i16x8.abs(v128.load(b + o)));
        v128.store(d + o, i16x8.min_u(s, i16x8.splat(32767)));
      }
    }
    for (; x < width; x++) {
      const o = <usize>x << 1;
      const s = abs<i32>(<i32>load<i16>(a + o)) + abs<i32>(<i32>load<i16>(b + o));
      store<i16>(d + o, <i16>(s > 32767 ? 32767 : s));
    }
  }
}
