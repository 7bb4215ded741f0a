// warpAffine and warpPerspective of 8-bit gray (cn 1) and four-channel (cn 4) images, bilinear,
// byte for byte as OpenCV.js computes them (see ts/kernels/warp/reference.ts for the arithmetic):
// each destination pixel gets a source position X, Y in 1/32 pixel, then
//   out = (S00 (32 - fx)(32 - fy) + S01 fx (32 - fy) + S10 (32 - fx) fy + S11 fx fy + 512) >> 10
// with sx = X >> 5, fx = X & 31 (likewise y), the taps outside the source replicated or replaced by
// the border value. `m` points at the inverse map (destination to source) as 6 or 9 f64s; `border`
// is 0 for BORDER_CONSTANT (`value` holds the channel bytes, channel 0 lowest), 1 for BORDER_REPLICATE.
//
// SIMD, eight pixels a step: the positions come eight at a time (affine: int32 adds of a
// per-column table; perspective: f64x2 arithmetic, the same IEEE operations OpenCV does one pixel
// at a time, so the same doubles). With BORDER_REPLICATE, or when all eight 2x2 blocks lie inside
// the source, the taps are gathered with lane loads (gray: a row-0 pair and a row-1 pair per pixel,
// load16_lane, blended in i16 lanes then widened by extmul; four channels: 8 bytes of each row per
// pixel, load64_lane, blended with i32x4.dot_i16x8_s against the weights packed as i16 pairs).
// Otherwise (BORDER_CONSTANT near and past the edges) the scalar pixel() takes them, as it takes
// the row tails and the whole image in the scalar build.

const CONSTANT: i32 = 0;

// @ts-ignore: decorator
@inline function clampi(v: i32, n: i32): i32 {
  return v < 0 ? 0 : v >= n ? n - 1 : v;
}

// One tap of channel c at (tx, ty), outside the source as the border says.
// @ts-ignore: decorator
@inline function tap(src: usize, stride: i32, w: i32, h: i32, cn: i32, tx: i32, ty: i32, c: i32, border: i32, value: u32): i32 {
  if (<u32>tx < <u32>w && <u32>ty < <u32>h) return <i32>load<u8>(src + <usize>ty * <usize>stride + <usize>(tx * cn + c));
  if (border == CONSTANT) return <i32>((value >> (<u32>c << 3)) & 255);
  return <i32>load<u8>(src + <usize>clampi(ty, h) * <usize>stride + <usize>(clampi(tx, w) * cn + c));
}

// One destination pixel (cn bytes at d) from the fixed-point position (X, Y).
function pixel(src: usize, stride: i32, w: i32, h: i32, cn: i32, d: usize, X: i32, Y: i32, border: i32, value: u32): void {
  const sx = X >> 5;
  const sy = Y >> 5;
  const fx = X & 31;
  const fy = Y & 31;
  const w00 = (32 - fx) * (32 - fy);
  const w01 = fx * (32 - fy);
  const w10 = (32 - fx) * fy;
  const w11 = fx * fy;
  if (<u32>sx < <u32>(w - 1) && <u32>sy < <u32>(h - 1)) {
    const p = src + <usize>sy * <usize>stride + <usize>(sx * cn);
    const q = p + <usize>stride;
    for (let c = 0; c < cn; c++) {
      const o = <usize>c;
      const s = <i32>load<u8>(p + o) * w00 + <i32>load<u8>(p + o + <usize>cn) * w01 + <i32>load<u8>(q + o) * w10 + <i32>load<u8>(q + o + <usize>cn) * w11;
      store<u8>(d + o, <u8>((s + 512) >> 10));
    }
    return;
  }
  if (border == CONSTANT && (sx >= w || sx + 1 < 0 || sy >= h || sy + 1 < 0)) {
    for (let c = 0; c < cn; c++) store<u8>(d + <usize>c, <u8>(value >> (<u32>c << 3)));
    return;
  }
  for (let c = 0; c < cn; c++) {
    const s =
      tap(src, stride, w, h, cn, sx, sy, c, border, value) * w00 +
      tap(src, stride, w, h, cn, sx + 1, sy, c, border, value) * w01 +
      tap(src, stride, w, h, cn, sx, sy + 1, c, border, value) * w10 +
      tap(src, stride, w, h, cn, sx + 1, sy + 1, c, border, value) * w11;
    store<u8>(d + <usize>c, <u8>((s + 512) >> 10));
  }
}

// Eight gray pixels whose 2x2 blocks all lie inside, at positions X0, Y0 (pixels 0-3) and X1, Y1
// (4-7). Lane k of t holds pixel k's row-0 pair S00 | S01 << 8, of b its row-1 pair. In i16 lanes:
//   h0 = 32 S00 + fx (S01 - S00),  h1 likewise      (= (32 - fx) S00 + fx S01 <= 8160)
//   out = ((32 - fy) h0 + fy h1 + 512) >> 10        (products widened to i32 by extmul)
// @ts-ignore: decorator
@inline function gray8(src: usize, stride: i32, SX0: v128, SY0: v128, FX0: v128, FY0: v128, SX1: v128, SY1: v128, FX1: v128, FY1: v128, d: usize): void {
  const vs = i32x4.splat(stride);
  const a0 = i32x4.add(i32x4.mul(SY0, vs), SX0);
  const a1 = i32x4.add(i32x4.mul(SY1, vs), SX1);
  const p0 = src + <usize>i32x4.extract_lane(a0, 0);
  const p1 = src + <usize>i32x4.extract_lane(a0, 1);
  const p2 = src + <usize>i32x4.extract_lane(a0, 2);
  const p3 = src + <usize>i32x4.extract_lane(a0, 3);
  const p4 = src + <usize>i32x4.extract_lane(a1, 0);
  const p5 = src + <usize>i32x4.extract_lane(a1, 1);
  const p6 = src + <usize>i32x4.extract_lane(a1, 2);
  const p7 = src + <usize>i32x4.extract_lane(a1, 3);
  const s = <usize>stride;
  let t = i32x4.splat(0);
  t = v128.load16_lane(p0, t, 0);
  t = v128.load16_lane(p1, t, 1);
  t = v128.load16_lane(p2, t, 2);
  t = v128.load16_lane(p3, t, 3);
  t = v128.load16_lane(p4, t, 4);
  t = v128.load16_lane(p5, t, 5);
  t = v128.load16_lane(p6, t, 6);
  t = v128.load16_lane(p7, t, 7);
  let b = i32x4.splat(0);
  b = v128.load16_lane(p0 + s, b, 0);
  b = v128.load16_lane(p1 + s, b, 1);
  b = v128.load16_lane(p2 + s, b, 2);
  b = v128.load16_lane(p3 + s, b, 3);
  b = v128.load16_lane(p4 + s, b, 4);
  b = v128.load16_lane(p5 + s, b, 5);
  b = v128.load16_lane(p6 + s, b, 6);
  b = v128.load16_lane(p7 + s, b, 7);
  // The fractions (0..32) as i16: the low halves of the i32 lanes.
  const fx = i8x16.shuffle(FX0, FX1, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
  const fy = i8x16.shuffle(FY0, FY1, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
  const ay = i16x8.sub(i16x8.splat(32), fy);
  const lo = i16x8.splat(255);
  const t0 = v128.and(t, lo);
  const b0 = v128.and(b, lo);
  const h0 = i16x8.add(i16x8.shl(t0, 5), i16x8.mul(i16x8.sub(i16x8.shr_u(t, 8), t0), fx));
  const h1 = i16x8.add(i16x8.shl(b0, 5), i16x8.mul(i16x8.sub(i16x8.shr_u(b, 8), b0), fx));
  const half = i32x4.splat(512);
  const rl = i32x4.shr_u(i32x4.add(i32x4.add(i32x4.extmul_low_i16x8_s(h0, ay), i32x4.extmul_low_i16x8_s(h1, fy)), half), 10);
  const rh = i32x4.shr_u(i32x4.add(i32x4.add(i32x4.extmul_high_i16x8_s(h0, ay), i32x4.extmul_high_i16x8_s(h1, fy)), half), 10);
  const n = i16x8.narrow_i32x4_s(rl, rh);
  v128.store64_lane(d, i8x16.narrow_i16x8_u(n, n), 0);
}

// One four-channel pixel whose 2x2 block lies inside: 8 bytes of row 0 and of row 1 from p, each
// channel's two taps side by side as i16 (a swizzle index past 15 gives 0), dotted with the
// weights, which come as i16 pairs (w00, w01) and (w10, w11) broadcast to every lane.
// @ts-ignore: decorator
@inline function rgba1(p: usize, stride: i32, top: v128, bot: v128): v128 {
  let v = v128.load64_lane(p, i32x4.splat(0), 0);
  v = v128.load64_lane(p + <usize>stride, v, 1);
  const r0 = i8x16.swizzle(v, v128(0, -1, 4, -1, 1, -1, 5, -1, 2, -1, 6, -1, 3, -1, 7, -1));
  const r1 = i8x16.swizzle(v, v128(8, -1, 12, -1, 9, -1, 13, -1, 10, -1, 14, -1, 11, -1, 15, -1));
  const sum = i32x4.add(i32x4.dot_i16x8_s(r0, top), i32x4.dot_i16x8_s(r1, bot));
  return i32x4.shr_u(i32x4.add(sum, i32x4.splat(512)), 10);
}

// Four four-channel pixels whose 2x2 blocks all lie inside, at positions X, Y.
// @ts-ignore: decorator
@inline function rgba4(src: usize, stride: i32, SX: v128, SY: v128, fx: v128, fy: v128, d: usize): void {
  const ax = i32x4.sub(i32x4.splat(32), fx);
  const ay = i32x4.sub(i32x4.splat(32), fy);
  const top = v128.or(i32x4.mul(ax, ay), i32x4.shl(i32x4.mul(fx, ay), 16));
  const bot = v128.or(i32x4.mul(ax, fy), i32x4.shl(i32x4.mul(fx, fy), 16));
  const a = i32x4.add(i32x4.mul(SY, i32x4.splat(stride)), i32x4.shl(SX, 2));
  const r0 = rgba1(src + <usize>i32x4.extract_lane(a, 0), stride, v128.shuffle<i32>(top, top, 0, 0, 0, 0), v128.shuffle<i32>(bot, bot, 0, 0, 0, 0));
  const r1 = rgba1(src + <usize>i32x4.extract_lane(a, 1), stride, v128.shuffle<i32>(top, top, 1, 1, 1, 1), v128.shuffle<i32>(bot, bot, 1, 1, 1, 1));
  const r2 = rgba1(src + <usize>i32x4.extract_lane(a, 2), stride, v128.shuffle<i32>(top, top, 2, 2, 2, 2), v128.shuffle<i32>(bot, bot, 2, 2, 2, 2));
  const r3 = rgba1(src + <usize>i32x4.extract_lane(a, 3), stride, v128.shuffle<i32>(top, top, 3, 3, 3, 3), v128.shuffle<i32>(bot, bot, 3, 3, 3, 3));
  v128.store(d, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(r0, r1), i16x8.narrow_i32x4_s(r2, r3)));
}

// True when the 2x2 blocks at positions X0, Y0, X1, Y1 all lie inside the source: 0 <= sx < w - 1
// and 0 <= sy < h - 1, on sx, sy narrowed to i16 (sides are at most 32767, and a position that
// saturates lies outside either way), so that two signed compares replace an unsigned one.
// @ts-ignore: decorator
@inline function inside8(X0: v128, Y0: v128, X1: v128, Y1: v128, w1: v128, h1: v128): bool {
  const sx = i16x8.narrow_i32x4_s(i32x4.shr_s(X0, 5), i32x4.shr_s(X1, 5));
  const sy = i16x8.narrow_i32x4_s(i32x4.shr_s(Y0, 5), i32x4.shr_s(Y1, 5));
  const neg = i16x8.splat(-1);
  const x = v128.and(i16x8.gt_s(w1, sx), i16x8.gt_s(sx, neg));
  const y = v128.and(i16x8.gt_s(h1, sy), i16x8.gt_s(sy, neg));
  return i16x8.all_true(v128.and(x, y));
}

// Four pixels by scalar code.
// @ts-ignore: decorator
@inline function scalar4(src: usize, stride: i32, w: i32, h: i32, cn: i32, d: usize, X: v128, Y: v128, border: i32, value: u32): void {
  const c = <usize>cn;
  pixel(src, stride, w, h, cn, d, i32x4.extract_lane(X, 0), i32x4.extract_lane(Y, 0), border, value);
  pixel(src, stride, w, h, cn, d + c, i32x4.extract_lane(X, 1), i32x4.extract_lane(Y, 1), border, value);
  pixel(src, stride, w, h, cn, d + 2 * c, i32x4.extract_lane(X, 2), i32x4.extract_lane(Y, 2), border, value);
  pixel(src, stride, w, h, cn, d + 3 * c, i32x4.extract_lane(X, 3), i32x4.extract_lane(Y, 3), border, value);
}

// The taps and weights of four pixels, as gray8 / rgba4 take them: tap column SX and weight FX in
// 0..32 (likewise y), the pair (SX, SX + 1) inside the source. BORDER_REPLICATE: X is clamped to
// [0, (w - 1) 32], then SX = min(X >> 5, w - 2) and FX = X - 32 SX. A pixel left of the source
// (sx < 0) gets SX = 0, FX = 0: OpenCV clips both its taps to column 0, and so does weight 0 on
// column 1. One right of it (sx >= w - 1) gets SX = w - 2, FX = 32: both taps are column w - 1 in
// OpenCV, and here column w - 2 weighs 0. The sums are the same integers, so the same bytes.
// @ts-ignore: decorator
@inline function clampTaps(X: v128, max: v128, last: v128): v128 {
  return i32x4.min_s(i32x4.shr_s(i32x4.max_s(i32x4.splat(0), i32x4.min_s(X, max)), 5), last);
}
// @ts-ignore: decorator
@inline function clampFrac(X: v128, max: v128, S: v128): v128 {
  return i32x4.sub(i32x4.max_s(i32x4.splat(0), i32x4.min_s(X, max)), i32x4.shl(S, 5));
}

// Eight destination pixels at d from positions X0, Y0 (pixels 0-3) and X1, Y1 (4-7); w1, h1 are
// i16x8 splats of w - 1 and h - 1. With BORDER_REPLICATE (w, h >= 2) every pixel takes the vector
// path, its taps clamped (clampTaps); with BORDER_CONSTANT only when all eight 2x2 blocks lie inside.
// Not inlined: inlined into the row loops it ran slower on Node 20.
function eight(
  src: usize, stride: i32, w: i32, h: i32, cn: i32, d: usize, X0: v128, Y0: v128, X1: v128, Y1: v128, w1: v128, h1: v128, border: i32, value: u32,
): void {
  let SX0: v128, SY0: v128, FX0: v128, FY0: v128, SX1: v128, SY1: v128, FX1: v128, FY1: v128;
  if (border != CONSTANT) {
    const xmax = i32x4.splat((w - 1) << 5);
    const ymax = i32x4.splat((h - 1) << 5);
    const xlast = i32x4.splat(w - 2);
    const ylast = i32x4.splat(h - 2);
    SX0 = clampTaps(X0, xmax, xlast);
    SY0 = clampTaps(Y0, ymax, ylast);
    SX1 = clampTaps(X1, xmax, xlast);
    SY1 = clampTaps(Y1, ymax, ylast);
    FX0 = clampFrac(X0, xmax, SX0);
    FY0 = clampFrac(Y0, ymax, SY0);
    FX1 = clampFrac(X1, xmax, SX1);
    FY1 = clampFrac(Y1, ymax, SY1);
  } else if (inside8(X0, Y0, X1, Y1, w1, h1)) {
    const m = i32x4.splat(31);
    SX0 = i32x4.shr_s(X0, 5);
    SY0 = i32x4.shr_s(Y0, 5);
    SX1 = i32x4.shr_s(X1, 5);
    SY1 = i32x4.shr_s(Y1, 5);
    FX0 = v128.and(X0, m);
    FY0 = v128.and(Y0, m);
    FX1 = v128.and(X1, m);
    FY1 = v128.and(Y1, m);
  } else {
    scalar4(src, stride, w, h, cn, d, X0, Y0, border, value);
    scalar4(src, stride, w, h, cn, d + <usize>(cn << 2), X1, Y1, border, value);
    return;
  }
  if (cn == 1) gray8(src, stride, SX0, SY0, FX0, FY0, SX1, SY1, FX1, FY1, d);
  else {
    rgba4(src, stride, SX0, SY0, FX0, FY0, d);
    rgba4(src, stride, SX1, SY1, FX1, FY1, d + 16);
  }
}

// saturate_cast<int>(double): nearest even, saturated (NaN to INT_MIN, as OpenCV.js gives it).
// @ts-ignore: decorator
@inline function saturateInt(v: f64): i32 {
  if (v != v) return i32.MIN_VALUE;
  if (v >= 2147483647.0) return i32.MAX_VALUE;
  if (v <= -2147483648.0) return i32.MIN_VALUE;
  return <i32>nearest<f64>(v);
}

// warpAffine. work: two i32 tables of dstWidth (16-byte aligned), round(M0 x 1024) and round(M3 x 1024).
export function warp_affine(
  src: usize, srcStride: i32, srcWidth: i32, srcHeight: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32,
  cn: i32, m: usize, border: i32, value: u32, work: usize,
): void {
  const m0 = load<f64>(m);
  const m1 = load<f64>(m, 8);
  const m2 = load<f64>(m, 16);
  const m3 = load<f64>(m, 24);
  const m4 = load<f64>(m, 32);
  const m5 = load<f64>(m, 40);
  const ad = work;
  const bd = work + ((<usize>dstWidth * 4 + 15) & ~15);
  for (let x = 0; x < dstWidth; x++) {
    store<i32>(ad + (<usize>x << 2), saturateInt(m0 * <f64>x * 1024.0));
    store<i32>(bd + (<usize>x << 2), saturateInt(m3 * <f64>x * 1024.0));
  }
  for (let y = 0; y < dstHeight; y++) {
    const X0 = saturateInt((m1 * <f64>y + m2) * 1024.0) + 16;
    const Y0 = saturateInt((m4 * <f64>y + m5) * 1024.0) + 16;
    const d = dst + <usize>y * <usize>dstStride;
    let x = 0;
    if (ASC_FEATURE_SIMD && (border == CONSTANT || (srcWidth > 1 && srcHeight > 1))) {
      const vx = i32x4.splat(X0);
      const vy = i32x4.splat(Y0);
      const w1 = i16x8.splat(<i16>(srcWidth - 1));
      const h1 = i16x8.splat(<i16>(srcHeight - 1));
      for (; x + 8 <= dstWidth; x += 8) {
        const o = <usize>x << 2;
        const X0 = i32x4.shr_s(i32x4.add(vx, v128.load(ad + o)), 5);
        const Y0 = i32x4.shr_s(i32x4.add(vy, v128.load(bd + o)), 5);
        const X1 = i32x4.shr_s(i32x4.add(vx, v128.load(ad + o, 16)), 5);
        const Y1 = i32x4.shr_s(i32x4.add(vy, v128.load(bd + o, 16)), 5);
        eight(src, srcStride, srcWidth, srcHeight, cn, d + <usize>(x * cn), X0, Y0, X1, Y1, w1, h1, border, value);
      }
    }
    for (; x < dstWidth; x++) {
      const o = <usize>x << 2;
      const X = (X0 + load<i32>(ad + o)) >> 5;
      const Y = (Y0 + load<i32>(bd + o)) >> 5;
      pixel(src, srcStride, srcWidth, srcHeight, cn, d + <usize>(x * cn), X, Y, border, value);
    }
  }
}

// std::max(INT_MIN, std::min(INT_MAX, v)) (NaN becomes INT_MAX), then rounded to nearest even.
// @ts-ignore: decorator
@inline function clampRound(v: f64): i32 {
  const a = v < 2147483647.0 ? v : 2147483647.0;
  return <i32>nearest<f64>(-2147483648.0 < a ? a : -2147483648.0);
}

// The same for two lanes, as int32 in the low half of each f64 lane. f64x2.pmin(a, b) is
// b < a ? b : a and pmax(a, b) is a < b ? b : a, std::min / std::max exactly. Then adding
// 1.5 * 2^52 rounds to an integer, to nearest even as IEEE addition does, and leaves it in the low
// 32 bits (two's complement, for |v| < 2^51): cheaper in V8 than nearest + trunc_sat_f64x2_s_zero.
// @ts-ignore: decorator
@inline function clampRound2(v: v128): v128 {
  const a = f64x2.pmin(f64x2.splat(2147483647.0), v);
  return f64x2.add(f64x2.pmax(f64x2.splat(-2147483648.0), a), f64x2.splat(6755399441055744.0));
}

// Positions of two pixels, i and i + 1 into a block: (base + M i) * (W != 0 ? 32 / W : 0).
// @ts-ignore: decorator
@inline function coord2(base: v128, mv: v128, i: v128, w: v128): v128 {
  return clampRound2(f64x2.mul(f64x2.add(base, f64x2.mul(mv, i)), w));
}

// The int32 in the low half of each f64 lane of a, then of b.
// @ts-ignore: decorator
@inline function join(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
}

// @ts-ignore: decorator
@inline function scale2(w0: v128, m6: v128, i: v128): v128 {
  const w = f64x2.add(w0, f64x2.mul(m6, i));
  return v128.and(f64x2.div(f64x2.splat(32.0), w), f64x2.ne(w, f64x2.splat(0.0)));
}

// warpPerspective, in OpenCV's blocks of bw0 = min(1024 / min(16, dstHeight), dstWidth) columns:
// each block's row starts from X0 = M0 x0 + M1 y + M2 (and Y0, W0) and steps by M0 i.
export function warp_perspective(
  src: usize, srcStride: i32, srcWidth: i32, srcHeight: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32,
  cn: i32, m: usize, border: i32, value: u32,
): void {
  warp_perspective_rows(src, srcStride, srcWidth, srcHeight, dst, dstStride, dstWidth, dstHeight, cn, m, border, value, 0, dstHeight);
}

// Rows [y0, y1) of warp_perspective (dst is still the whole destination): each row depends only on
// its own y and the destination's size, so stripes of rows on several threads give the same bytes.
export function warp_perspective_rows(
  src: usize, srcStride: i32, srcWidth: i32, srcHeight: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32,
  cn: i32, m: usize, border: i32, value: u32, y0: i32, y1: i32,
): void {
  const m0 = load<f64>(m);
  const m1 = load<f64>(m, 8);
  const m2 = load<f64>(m, 16);
  const m3 = load<f64>(m, 24);
  const m4 = load<f64>(m, 32);
  const m5 = load<f64>(m, 40);
  const m6 = load<f64>(m, 48);
  const m7 = load<f64>(m, 56);
  const m8 = load<f64>(m, 64);
  const bh = dstHeight < 16 ? dstHeight : 16;
  const bw0 = 1024 / bh < dstWidth ? 1024 / bh : dstWidth;
  for (let y = y0; y < y1; y++) {
    const d = dst + <usize>y * <usize>dstStride;
    for (let x0 = 0; x0 < dstWidth; x0 += bw0) {
      const bw = dstWidth - x0 < bw0 ? dstWidth - x0 : bw0;
      const X0 = m0 * <f64>x0 + m1 * <f64>y + m2;
      const Y0 = m3 * <f64>x0 + m4 * <f64>y + m5;
      const W0 = m6 * <f64>x0 + m7 * <f64>y + m8;
      const db = d + <usize>(x0 * cn);
      let i = 0;
      if (ASC_FEATURE_SIMD && (border == CONSTANT || (srcWidth > 1 && srcHeight > 1))) {
        const vx0 = f64x2.splat(X0);
        const vy0 = f64x2.splat(Y0);
        const vw0 = f64x2.splat(W0);
        const vm0 = f64x2.splat(m0);
        const vm3 = f64x2.splat(m3);
        const vm6 = f64x2.splat(m6);
        const w1 = i16x8.splat(<i16>(srcWidth - 1));
        const h1 = i16x8.splat(<i16>(srcHeight - 1));
        // i, i + 1 ... i + 7 as doubles, stepped by 8 (small integers: exact).
        let ia = f64x2(0.0, 1.0);
        let ib = f64x2(2.0, 3.0);
        let ic = f64x2(4.0, 5.0);
        let id = f64x2(6.0, 7.0);
        const step = f64x2.splat(8.0);
        for (; i + 8 <= bw; i += 8) {
          const wa = scale2(vw0, vm6, ia);
          const wb = scale2(vw0, vm6, ib);
          const wc = scale2(vw0, vm6, ic);
          const wd = scale2(vw0, vm6, id);
          const X0 = join(coord2(vx0, vm0, ia, wa), coord2(vx0, vm0, ib, wb));
          const Y0 = join(coord2(vy0, vm3, ia, wa), coord2(vy0, vm3, ib, wb));
          const X1 = join(coord2(vx0, vm0, ic, wc), coord2(vx0, vm0, id, wd));
          const Y1 = join(coord2(vy0, vm3, ic, wc), coord2(vy0, vm3, id, wd));
          eight(src, srcStride, srcWidth, srcHeight, cn, db + <usize>(i * cn), X0, Y0, X1, Y1, w1, h1, border, value);
          ia = f64x2.add(ia, step);
          ib = f64x2.add(ib, step);
          ic = f64x2.add(ic, step);
          id = f64x2.add(id, step);
        }
      }
      for (; i < bw; i++) {
        let W = W0 + m6 * <f64>i;
        W = W != 0 ? 32.0 / W : 0.0;
        const X = clampRound((X0 + m0 * <f64>i) * W);
        const Y = clampRound((Y0 + m3 * <f64>i) * W);
        pixel(src, srcStride, srcWidth, srcHeight, cn, db + <usize>(i * cn), X, Y, border, value);
      }
    }
  }
}
