// Colour to 8-bit luma, bit-exact with OpenCV's cvtColor(COLOR_RGB2GRAY) on 8-bit input:
//   Y = (9798 R + 19235 G + 3735 B + 2^14) >> 15
// The weights are 0.299, 0.587, 0.114 in Q15 and sum to 32768, so a gray pixel maps to itself.
// Every export takes (src, srcStride, dst, dstStride, width, height); the caller has checked that
// both regions lie inside the memory and that strides cover a row.

const W_R: i32 = 9798;
const W_G: i32 = 19235;
const W_B: i32 = 3735;
const HALF: i32 = 1 << 14;

// One pixel whose first three bytes weigh w0, w1, w2.
// @ts-ignore: decorator
@inline function lumaAt(p: usize, w0: i32, w1: i32, w2: i32): u8 {
  return <u8>((w0 * <i32>load<u8>(p) + w1 * <i32>load<u8>(p, 1) + w2 * <i32>load<u8>(p, 2) + HALF) >> 15);
}

// Four 4-byte pixels c0 c1 c2 c3 in one vector to four i32 lumas.
//   lo = bytes 0 and 2 of each pixel as u16 lanes, hi = bytes 1 and 3;
//   dot(lo, [w0, w2]) + dot(hi, [w1, 0]) = w0 c0 + w2 c2 + w1 c1 per pixel, then round and shift.
// i32x4.dot_i16x8_s is signed; the channels are <= 255 and every weight < 2^15, so nothing overflows.
// @ts-ignore: decorator
@inline function luma4(v: v128, wLo: v128, wHi: v128): v128 {
  const lo = v128.and(v, i16x8.splat(0xff));
  const hi = i16x8.shr_u(v, 8);
  const s = i32x4.add(i32x4.dot_i16x8_s(lo, wLo), i32x4.dot_i16x8_s(hi, wHi));
  return i32x4.shr_u(i32x4.add(s, i32x4.splat(HALF)), 15);
}

// Sixteen i32 lumas (four vectors) to sixteen bytes.
// @ts-ignore: decorator
@inline function pack16(a: v128, b: v128, c: v128, d: v128): v128 {
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, d));
}

// 4 bytes per pixel: SIMD for whole blocks of 16 pixels, scalar for the tail.
// @ts-ignore: decorator
@inline function gray4(src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32, w0: i32, w1: i32, w2: i32): void {
  for (let y = 0; y < height; y++) {
    const s = src + <usize>y * <usize>srcStride;
    const d = dst + <usize>y * <usize>dstStride;
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const wLo = i32x4.splat(w0 | (w2 << 16));
      const wHi = i32x4.splat(w1);
      for (; x + 16 <= width; x += 16) {
        const p = s + (<usize>x << 2);
        const a = luma4(v128.load(p), wLo, wHi);
        const b = luma4(v128.load(p, 16), wLo, wHi);
        const c = luma4(v128.load(p, 32), wLo, wHi);
        const e = luma4(v128.load(p, 48), wLo, wHi);
        v128.store(d + <usize>x, pack16(a, b, c, e));
      }
    }
    for (; x < width; x++) store<u8>(d + <usize>x, lumaAt(s + (<usize>x << 2), w0, w1, w2));
  }
}

// 3 bytes per pixel. Sixteen pixels are 48 bytes, read as four 16-byte loads at 0, 12, 24 and 32
// (the last one re-reads 4 bytes so that no load passes the block's end); a swizzle spreads each
// load's four pixels to 4-byte slots with a zero fourth byte, and the 4-byte path takes over.
// @ts-ignore: decorator
@inline function gray3(src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32, w0: i32, w1: i32, w2: i32): void {
  for (let y = 0; y < height; y++) {
    const s = src + <usize>y * <usize>srcStride;
    const d = dst + <usize>y * <usize>dstStride;
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const wLo = i32x4.splat(w0 | (w2 << 16));
      const wHi = i32x4.splat(w1);
      const spread = i8x16(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
      const spreadLast = i8x16(4, 5, 6, -1, 7, 8, 9, -1, 10, 11, 12, -1, 13, 14, 15, -1);
      for (; x + 16 <= width; x += 16) {
        const p = s + <usize>x * 3;
        const a = luma4(i8x16.swizzle(v128.load(p), spread), wLo, wHi);
        const b = luma4(i8x16.swizzle(v128.load(p, 12), spread), wLo, wHi);
        const c = luma4(i8x16.swizzle(v128.load(p, 24), spread), wLo, wHi);
        const e = luma4(i8x16.swizzle(v128.load(p, 32), spreadLast), wLo, wHi);
        v128.store(d + <usize>x, pack16(a, b, c, e));
      }
    }
    for (; x < width; x++) store<u8>(d + <usize>x, lumaAt(s + <usize>x * 3, w0, w1, w2));
  }
}

export function gray_rgba(src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32): void {
  gray4(src, srcStride, dst, dstStride, width, height, W_R, W_G, W_B);
}

export function gray_bgra(src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32): void {
  gray4(src, srcStride, dst, dstStride, width, height, W_B, W_G, W_R);
}

export function gray_rgb(src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32): void {
  gray3(src, srcStride, dst, dstStride, width, height, W_R, W_G, W_B);
}

export function gray_bgr(src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32): void {
  gray3(src, srcStride, dst, dstStride, width, height, W_B, W_G, W_R);
}
