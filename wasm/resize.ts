// Bilinear resize of an 8-bit plane with OpenCV's fixed-point INTER_LINEAR arithmetic (resize.cpp,
// resizeGeneric_: HResizeLinear, then VResizeLinearVec_32s8u; INTER_RESIZE_COEF_BITS = 11):
//   H[dx] = S[xofs[dx]] * alpha[2dx] + S[xofs1[dx]] * alpha[2dx+1]                  (int, <= 255 * 2048)
//   D[dx] = (((H0 >> 4) * b0 >> 16) + ((H1 >> 4) * b1 >> 16) + 2) >> 2            (to u8)
// The vertical step is OpenCV's vector one (16-bit high multiplies of H / 16), which OpenCV.js
// also computes: it matched OpenCV.js byte for byte on every downscale tested, where the scalar
// formula (H0 b0 + H1 b1 + 2^21) >> 22 differed on ~3% of pixels. On some upscales OpenCV.js
// still differs by 1 on a few pixels in a thousand (its horizontal vector step; see the tests).
// The tables (source columns, weights, source rows) come from TypeScript, which computes them in
// OpenCV's float steps. Each source row's H is computed once: a two-row cache keyed by row index
// serves consecutive output rows that share source rows (upscaling).
// `work`: two i32 rows of dstWidth (16-byte aligned), then two i32 tags.

// @ts-ignore: decorator
@inline function hrow(s: usize, xofs: usize, xofs1: usize, alpha: usize, out: usize, dw: i32): void {
  for (let dx = 0; dx < dw; dx++) {
    const o = <usize>dx << 2;
    const a = <i32>load<u8>(s + <usize>load<i32>(xofs + o));
    const b = <i32>load<u8>(s + <usize>load<i32>(xofs1 + o));
    store<i32>(out + o, a * <i32>load<i16>(alpha + o) + b * <i32>load<i16>(alpha + o, 2));
  }
}

// Four outputs of the vertical step, in i32 lanes.
// @ts-ignore: decorator
@inline function vstep(h0: v128, h1: v128, b0: v128, b1: v128): v128 {
  const a = i32x4.shr_s(i32x4.mul(i32x4.shr_s(h0, 4), b0), 16);
  const b = i32x4.shr_s(i32x4.mul(i32x4.shr_s(h1, 4), b1), 16);
  return i32x4.shr_s(i32x4.add(i32x4.add(a, b), i32x4.splat(2)), 2);
}

export function resize_linear(
  src: usize, srcStride: i32, srcHeight: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32,
  xofs: usize, xofs1: usize, alpha: usize, yofs: usize, beta: usize, work: usize,
): void {
  const rowBytes = (<usize>dstWidth * 4 + 15) & ~15;
  const rows = work;
  const tags = work + 2 * rowBytes;
  store<i32>(tags, -1);
  store<i32>(tags, -1, 4);
  for (let dy = 0; dy < dstHeight; dy++) {
    const sy0 = load<i32>(yofs + (<usize>dy << 2));
    const sy1 = sy0 + 1 < srcHeight ? sy0 + 1 : srcHeight - 1;
    // Find or fill the cached rows for sy0 and sy1 (slot 0 or 1).
    let r0: usize = 0;
    let r1: usize = 0;
    const t0 = load<i32>(tags);
    const t1 = load<i32>(tags, 4);
    if (t0 == sy0) r0 = rows;
    else if (t1 == sy0) r0 = rows + rowBytes;
    if (t0 == sy1) r1 = rows;
    else if (t1 == sy1) r1 = rows + rowBytes;
    if (!r0) {
      // Take the slot r1 does not use.
      r0 = r1 == rows ? rows + rowBytes : rows;
      hrow(src + <usize>sy0 * <usize>srcStride, xofs, xofs1, alpha, r0, dstWidth);
      store<i32>(r0 == rows ? tags : tags + 4, sy0);
    }
    if (!r1) {
      r1 = r0 == rows ? rows + rowBytes : rows;
      hrow(src + <usize>sy1 * <usize>srcStride, xofs, xofs1, alpha, r1, dstWidth);
      store<i32>(r1 == rows ? tags : tags + 4, sy1);
    }
    const b0 = <i32>load<i16>(beta + (<usize>dy << 2));
    const b1 = <i32>load<i16>(beta + (<usize>dy << 2), 2);
    const d = dst + <usize>dy * <usize>dstStride;
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const v0 = i32x4.splat(b0);
      const v1 = i32x4.splat(b1);
      for (; x + 16 <= dstWidth; x += 16) {
        const o = <usize>x << 2;
        const a = vstep(v128.load(r0 + o), v128.load(r1 + o), v0, v1);
        const b = vstep(v128.load(r0 + o, 16), v128.load(r1 + o, 16), v0, v1);
        const c = vstep(v128.load(r0 + o, 32), v128.load(r1 + o, 32), v0, v1);
        const e = vstep(v128.load(r0 + o, 48), v128.load(r1 + o, 48), v0, v1);
        v128.store(d + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a, b), i16x8.narrow_i32x4_s(c, e)));
      }
    }
    for (; x < dstWidth; x++) {
      const o = <usize>x << 2;
      const v = ((((load<i32>(r0 + o) >> 4) * b0) >> 16) + (((load<i32>(r1 + o) >> 4) * b1) >> 16) + 2) >> 2;
      store<u8>(d + <usize>x, <u8>(v < 0 ? 0 : v > 255 ? 255 : v));
    }
  }
}

// 8 outputs of the 2x2 mean, (a + b + c + d + 2) >> 2 in u16 lanes, from 16 bytes of the upper row
// (x0: a, b pairs) and of the lower row (x1: c, d pairs):
//   g = avgr_u8(x0, x1)               per byte ceil((a + c) / 2), ceil((b + d) / 2), so
//   H = (g & 255) + (g >> 8)          = (a + b + c + d + P) / 2, P = number of odd column sums (0..2)
//   m = min(P, 1)                     from the low bits of x0 ^ x1: (x0 ^ x1) & 0x0101, then min_u 1
//   out = (H - m + 1) >> 1            = avgr_u16(H - m, 0); H >= m since an odd sum is >= 1
// Check, with T = a + b + c + d = 2H - P: P = 0 gives (2H + 2) >> 2 = (H + 1) >> 1; P = 1 or 2 gives
// (2H + 1) >> 2 or 2H >> 2, both H >> 1 = (H - 1 + 1) >> 1. Eight cheap ops per 8 outputs, no
// multiply: extadd_pairwise_i8x16_u (a multiply-add) is slow under Bun's JavaScriptCore. 1080p
// halving, medians of one run: pairwise sums of each row + (+2) >> 2 Node 0.084 / Bun 0.182 ms;
// this with extadd_pairwise for H 0.073 / 0.110; this 0.077 / 0.087 (other runs: within 5% on Node).
// @ts-ignore: decorator
@inline function mean4(x0: v128, x1: v128): v128 {
  const g = i8x16.avgr_u(x0, x1);
  const h = i16x8.add(v128.and(g, i16x8.splat(255)), i16x8.shr_u(g, 8));
  const m = i16x8.min_u(v128.and(v128.xor(x0, x1), i16x8.splat(0x0101)), i16x8.splat(1));
  return i16x8.avgr_u(i16x8.sub(h, m), i16x8.splat(0));
}

// 16 outputs of the 2x2 mean from 32 bytes at p0 + o (upper row) and p1 + o (lower row).
// @ts-ignore: decorator
@inline function quad(p0: usize, p1: usize, o: usize): v128 {
  return i8x16.narrow_i16x8_u(mean4(v128.load(p0 + o), v128.load(p1 + o)), mean4(v128.load(p0 + o, 16), v128.load(p1 + o, 16)));
}

// INTER_AREA for integer factors (OpenCV's resizeAreaFast_): each output pixel is the mean of its
// kx x ky block. 2x2 (also what INTER_LINEAR does for an exact halving) rounds as OpenCV's
// ResizeAreaFastVec does, (sum + 2) >> 2, which OpenCV.js matches byte for byte; other factors take
// OpenCV's scalar step, sum times scale = 1.f / (kx ky) in float32, rounded to nearest-even.
export function resize_area_fast(src: usize, srcStride: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32, kx: i32, ky: i32, scale: f32): void {
  for (let dy = 0; dy < dstHeight; dy++) {
    const d = dst + <usize>dy * <usize>dstStride;
    const s = src + <usize>(dy * ky) * <usize>srcStride;
    let x = 0;
    if (ASC_FEATURE_SIMD && kx == 2 && ky == 2) {
      // 32 outputs a step from 64 bytes of each of two rows (then 16 from 32): mean4, narrowed.
      // Two blocks a step halve the loop's own work (counters, bound, back edge, V8's interrupt
      // check): 1080p halving 0.123 ms with one block a step, 0.102 with two (Node, before mean4).
      let p0 = s;
      let p1 = s + <usize>srcStride;
      for (; x + 32 <= dstWidth; x += 32) {
        v128.store(d + <usize>x, quad(p0, p1, 0));
        v128.store(d + <usize>x, quad(p0, p1, 32), 16);
        p0 += 64;
        p1 += 64;
      }
      for (; x + 16 <= dstWidth; x += 16) {
        v128.store(d + <usize>x, quad(p0, p1, 0));
        p0 += 32;
        p1 += 32;
      }
    }
    for (; x < dstWidth; x++) {
      let sum = 0;
      for (let j = 0; j < ky; j++) for (let i = 0; i < kx; i++) sum += <i32>load<u8>(s + <usize>j * <usize>srcStride + <usize>(x * kx + i));
      const v = kx == 2 && ky == 2 ? (sum + 2) >> 2 : <i32>nearest<f32>(<f32>sum * scale);
      store<u8>(d + <usize>x, <u8>(v > 255 ? 255 : v));
    }
  }
}
