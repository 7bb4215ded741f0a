// warpAffine and warpPerspective of 8-bit gray (cn 1) and four-channel (cn 4) images, bilinear,
// byte for byte as OpenCV.js computes them (see ts/kernels/warp/reference.ts for the arithmetic):
// each destination pixel gets a source position X, Y in 1/32 pixel, then
//   out = (S00 (32 - fx)(32 - fy) + S01 fx (32 - fy) + S10 (32 - fx) fy + S11 fx fy + 512) >> 10
// with sx = X >> 5, fx = X & 31 (likewise y), the taps outside the source replicated or replaced by
// the border value. `m` points at the inverse map (destination to source) as 6 or 9 f64s; `border`
// is 0 for BORDER_CONSTANT (`value` holds the channel bytes, channel 0 lowest), 1 for BORDER_REPLICATE.
//
// SIMD, eight pixels a step, in two passes over each run of columns (see plan, gray, rgba below):
// the positions come eight at a time (affine: int32 adds of a per-column table; perspective:
// f64x2 arithmetic, the same IEEE operations OpenCV does one pixel at a time, so the same
// doubles) and become a map of tap offsets and i16 weights; a gather loop then loads the taps and
// blends them with i32x4.dot_i16x8_s. With BORDER_CONSTANT, eight pixels entirely outside the
// source get the border value in one store, and eight near an edge go to the scalar pixel() after
// the gather, as the row tails and the whole image do in the scalar build; warpAffine finds each
// row's run of columns whose taps lie inside once, and plans it without edge tests. The last
// argument picks the gather's forms: 1 those V8 compiles best, 0 those JavaScriptCore does (the
// same bytes either way).

const CONSTANT: i32 = 0;
// plan()'s border for eight pixels whose 2x2 blocks are known to lie inside the source: no tests.
const INSIDE: i32 = 2;

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

// The SIMD build works in two passes over each run of destination pixels (up to CHUNK or TILE
// columns of a row for warpAffine, a block for warpPerspective), as OpenCV does (positions into a table, then remap): plan() turns
// the positions of eight pixels into one record of the map, gray() / rgba() then gather and blend
// a run of records. Each loop stays small enough for V8's and JSC's register allocators, and the
// gather loop takes its addresses with scalar loads instead of lane extracts.
// A record, one per eight pixels (16-byte aligned):
//   gray (GRAY bytes): the eight offsets sy stride + sx (i32), fx (i16 x 8), fy (i16 x 8)
//   four channels (RGBA bytes), pixels 0-3 then 4-7: offsets sy stride + 4 sx (i32 x 4), the
//     weights as i16 pairs, column 0's w00 | w10 << 16 (i32 x 4), then column 1's w01 | w11 << 16
// A record whose first offset is SKIP holds no taps: its pixels have the border value already.
// One whose first offset is SCALAR has taps past an edge: scalar code takes its pixels after the
// gather, so that the planning loops make no calls (a call there has JavaScriptCore keep the
// loop's vectors on the stack).
const GRAY: usize = 128;
const RGBA: usize = 96;
const SKIP: i32 = -1;
const SCALAR: i32 = -2;
const CHUNK: i32 = 256;
// Four-channel warps go by tiles of BAND rows (warpAffine: by TILE columns; see warp_affine).
const BAND: i32 = 16;
const TILE: i32 = 128;

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

// The weights of four pixels as i16 pairs: w00 | w01 << 16 at r, w10 | w11 << 16 at r + 32.
// @ts-ignore: decorator
@inline function weights(r: usize, fx: v128, fy: v128): void {
  const ax = i32x4.sub(i32x4.splat(32), fx);
  const ay = i32x4.sub(i32x4.splat(32), fy);
  v128.store(r, v128.or(i32x4.mul(ax, ay), i32x4.shl(i32x4.mul(fx, ay), 16)));
  v128.store(r, v128.or(i32x4.mul(ax, fy), i32x4.shl(i32x4.mul(fx, fy), 16)), 32);
}

// The gray weights of four pixels as gray() dots them: (32 - fx) | fx << 16 twice over per pixel
// (i32 x 8, once per row) at h, (32 - fy) | fy << 16 (i32 x 4) at v.
// @ts-ignore: decorator
@inline function grayWeights(h: usize, v: usize, fx: v128, fy: v128): void {
  const x = v128.or(i32x4.sub(i32x4.splat(32), fx), i32x4.shl(fx, 16));
  v128.store(h, v128.shuffle<i32>(x, x, 0, 0, 1, 1));
  v128.store(h, v128.shuffle<i32>(x, x, 2, 2, 3, 3), 16);
  v128.store(v, v128.or(i32x4.sub(i32x4.splat(32), fy), i32x4.shl(fy, 16)));
}

// One half (four pixels) of a four-channel record at r: the weights paired by column, as rgba1
// dots them, w00 | w10 << 16 at r + 16 and w01 | w11 << 16 at r + 32.
// @ts-ignore: decorator
@inline function rgbaHalf(r: usize, stride: i32, SX: v128, SY: v128, fx: v128, fy: v128): void {
  // (32 - fy) | fy << 16 times 32 - fx gives w00 | w10 << 16, times fx w01 | w11 << 16: no
  // product passes 1024, so none carries into the high half.
  const y = i32x4.sub(i32x4.add(i32x4.shl(fy, 16), i32x4.splat(32)), fy);
  v128.store(r, i32x4.add(i32x4.mul(SY, i32x4.splat(stride)), i32x4.shl(SX, 2)));
  v128.store(r, i32x4.mul(i32x4.sub(i32x4.splat(32), fx), y), 16);
  v128.store(r, i32x4.mul(fx, y), 32);
}

// The record at r for eight pixels at positions X0, Y0 (pixels 0-3) and X1, Y1 (4-7); w1, h1 are
// i16x8 splats of w - 1 and h - 1. With BORDER_CONSTANT the 2x2 blocks must lie inside the source,
// 0 <= sx < w - 1 and 0 <= sy < h - 1, tested on sx, sy narrowed to i16 (sides are at most 32767,
// and a position that saturates lies outside either way); when all eight lie entirely outside, the
// border value goes straight to the eight pixels at d and the record is marked SKIP; otherwise
// false, nothing written, and the caller takes the eight pixels by scalar code.
// With BORDER_REPLICATE (w, h >= 2) the taps are clamped (clampTaps) and every record is written.
// With INSIDE (every 2x2 block known to lie inside, either border) no test is made.
// @ts-ignore: decorator
@inline function plan(
  r: usize, stride: i32, w: i32, h: i32, cn: i32, X0: v128, Y0: v128, X1: v128, Y1: v128, w1: v128, h1: v128, border: i32, d: usize, value: u32,
): bool {
  let SX0: v128, SY0: v128, FX0: v128, FY0: v128, SX1: v128, SY1: v128, FX1: v128, FY1: v128;
  if (border == INSIDE) {
    SX0 = i32x4.shr_s(X0, 5);
    SY0 = i32x4.shr_s(Y0, 5);
    SX1 = i32x4.shr_s(X1, 5);
    SY1 = i32x4.shr_s(Y1, 5);
    const m = i32x4.splat(31);
    FX0 = v128.and(X0, m);
    FY0 = v128.and(Y0, m);
    FX1 = v128.and(X1, m);
    FY1 = v128.and(Y1, m);
  } else if (border != CONSTANT) {
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
  } else {
    SX0 = i32x4.shr_s(X0, 5);
    SY0 = i32x4.shr_s(Y0, 5);
    SX1 = i32x4.shr_s(X1, 5);
    SY1 = i32x4.shr_s(Y1, 5);
    const sx = i16x8.narrow_i32x4_s(SX0, SX1);
    const sy = i16x8.narrow_i32x4_s(SY0, SY1);
    const neg = i16x8.splat(-1);
    const x = v128.and(i16x8.gt_s(w1, sx), i16x8.gt_s(sx, neg));
    const y = v128.and(i16x8.gt_s(h1, sy), i16x8.gt_s(sy, neg));
    if (!i16x8.all_true(v128.and(x, y))) {
      // Every block entirely outside (sx >= w, sx + 1 < 0, likewise y): the border value.
      const ox = v128.or(i16x8.gt_s(sx, w1), i16x8.lt_s(sx, neg));
      const oy = v128.or(i16x8.gt_s(sy, h1), i16x8.lt_s(sy, neg));
      if (!i16x8.all_true(v128.or(ox, oy))) return false;
      if (cn == 1) store<u64>(d, <u64>(value & 255) * 0x0101010101010101);
      else {
        v128.store(d, i32x4.splat(value));
        v128.store(d, i32x4.splat(value), 16);
      }
      store<i32>(r, SKIP);
      return true;
    }
    const m = i32x4.splat(31);
    FX0 = v128.and(X0, m);
    FY0 = v128.and(Y0, m);
    FX1 = v128.and(X1, m);
    FY1 = v128.and(Y1, m);
  }
  if (cn == 1) {
    const vs = i32x4.splat(stride);
    v128.store(r, i32x4.add(i32x4.mul(SY0, vs), SX0));
    v128.store(r, i32x4.add(i32x4.mul(SY1, vs), SX1), 16);
    grayWeights(r + 32, r + 96, FX0, FY0);
    grayWeights(r + 64, r + 112, FX1, FY1);
  } else {
    rgbaHalf(r, stride, SX0, SY0, FX0, FY0);
    rgbaHalf(r + 48, stride, SX1, SY1, FX1, FY1);
  }
  return true;
}

// The 2x2 block at p (rows s bytes apart) as S00 | S01 << 8 | S10 << 16 | S11 << 24.
// @ts-ignore: decorator
@inline function quad(p: usize, s: usize): i32 {
  return <i32>load<u16>(p) | (<i32>load<u16>(p + s) << 16);
}

// Gray pixels from n records at map into d, eight a record. Lane k of t holds pixel k's row-0
// pair S00 | S01 << 8, of b its row-1 pair. In i16 lanes:
//   h0 = 32 S00 + fx (S01 - S00),  h1 likewise      (= (32 - fx) S00 + fx S01 <= 8160)
//   out = ((32 - fy) h0 + fy h1 + 512) >> 10        (products widened to i32 by extmul)
function gray(src: usize, stride: i32, d: usize, map: usize, n: i32, v8: bool): void {
  const s = <usize>stride;
  const half = i32x4.splat(512);
  for (let g = 0; g < n; g++) {
    const r = map + <usize>g * GRAY;
    const o0 = load<i32>(r);
    if (o0 < 0) continue;
    // Pixel k's 2x2 block as one i32 lane, S00 S01 S10 S11 from the lowest byte.
    let t = i32x4.splat(0);
    let u = i32x4.splat(0);
    if (v8) {
      const p0 = src + <usize>o0;
      const p1 = src + <usize>load<i32>(r, 4);
      const p2 = src + <usize>load<i32>(r, 8);
      const p3 = src + <usize>load<i32>(r, 12);
      const p4 = src + <usize>load<i32>(r, 16);
      const p5 = src + <usize>load<i32>(r, 20);
      const p6 = src + <usize>load<i32>(r, 24);
      const p7 = src + <usize>load<i32>(r, 28);
      t = v128.load16_lane(p0, t, 0);
      t = v128.load16_lane(p0 + s, t, 1);
      t = v128.load16_lane(p1, t, 2);
      t = v128.load16_lane(p1 + s, t, 3);
      t = v128.load16_lane(p2, t, 4);
      t = v128.load16_lane(p2 + s, t, 5);
      t = v128.load16_lane(p3, t, 6);
      t = v128.load16_lane(p3 + s, t, 7);
      u = v128.load16_lane(p4, u, 0);
      u = v128.load16_lane(p4 + s, u, 1);
      u = v128.load16_lane(p5, u, 2);
      u = v128.load16_lane(p5 + s, u, 3);
      u = v128.load16_lane(p6, u, 4);
      u = v128.load16_lane(p6 + s, u, 5);
      u = v128.load16_lane(p7, u, 6);
      u = v128.load16_lane(p7 + s, u, 7);
    } else {
      t = i32x4.splat(quad(src + <usize>o0, s));
      t = i32x4.replace_lane(t, 1, quad(src + <usize>load<i32>(r, 4), s));
      t = i32x4.replace_lane(t, 2, quad(src + <usize>load<i32>(r, 8), s));
      t = i32x4.replace_lane(t, 3, quad(src + <usize>load<i32>(r, 12), s));
      u = i32x4.splat(quad(src + <usize>load<i32>(r, 16), s));
      u = i32x4.replace_lane(u, 1, quad(src + <usize>load<i32>(r, 20), s));
      u = i32x4.replace_lane(u, 2, quad(src + <usize>load<i32>(r, 24), s));
      u = i32x4.replace_lane(u, 3, quad(src + <usize>load<i32>(r, 28), s));
    }
    // Rows blended across (h0, h1 of two pixels an i32x4, at most 8160), narrowed to i16 pairs, blended down.
    const ta = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(t), v128.load(r, 32));
    const tb = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(t), v128.load(r, 48));
    const ua = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(u), v128.load(r, 64));
    const ub = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(u), v128.load(r, 80));
    const sl = i32x4.dot_i16x8_s(i16x8.narrow_i32x4_s(ta, tb), v128.load(r, 96));
    const sh = i32x4.dot_i16x8_s(i16x8.narrow_i32x4_s(ua, ub), v128.load(r, 112));
    const v = i16x8.narrow_i32x4_s(i32x4.shr_u(i32x4.add(sl, half), 10), i32x4.shr_u(i32x4.add(sh, half), 10));
    v128.store64_lane(d + (<usize>g << 3), i8x16.narrow_i16x8_u(v, v), 0);
  }
}

// One four-channel pixel whose 2x2 block lies inside, from p: the 8 bytes of row 0 (S00, S01)
// and of row 1 (S10, S11) as i16, arranged so that r0 holds S00 S10 per channel and r1 S01 S11:
// each channel's two taps of a column are neighbours, dotted with the column's weights (w00, w10)
// in `left` and (w01, w11) in `right`, broadcast to every lane. V8 forms: two widening loads,
// then the i16 unpacks of the two rows (one instruction each; a general shuffle's mask is rebuilt
// at every use there). JavaScriptCore forms: the two rows' bytes in the halves of one vector,
// then two swizzles whose indices past 15 give the zero high bytes (one instruction each there,
// where a two-input shuffle takes three).
// @ts-ignore: decorator
@inline function rgba1(p: usize, stride: usize, left: v128, right: v128, zero: v128, v8: bool): v128 {
  let r0: v128, r1: v128;
  if (v8) {
    const a = v128.load8x8_u(p);
    const b = v128.load8x8_u(p + stride);
    r0 = i8x16.shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23);
    r1 = i8x16.shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31);
  } else {
    const v = i64x2.replace_lane(v128.load64_zero(p), 1, load<u64>(p + stride));
    r0 = i8x16.swizzle(v, v128(0, -1, 8, -1, 1, -1, 9, -1, 2, -1, 10, -1, 3, -1, 11, -1));
    r1 = i8x16.swizzle(v, v128(4, -1, 12, -1, 5, -1, 13, -1, 6, -1, 14, -1, 7, -1, 15, -1));
  }
  return i32x4.add(i32x4.dot_i16x8_s(r0, left), i32x4.dot_i16x8_s(r1, right));
}

// Four four-channel pixels of the record half at r into d. Each sum T is at most 255 * 1024, so
// T >> 9 fits i16, and the rounding average with 0, (T >> 9 + 1) >> 1, is (T + 512) >> 10.
// @ts-ignore: decorator
@inline function rgba4(src: usize, s: usize, r: usize, d: usize, zero: v128, v8: bool): void {
  const L = v128.load(r, 16);
  const R = v128.load(r, 32);
  const r0 = rgba1(src + <usize>load<i32>(r), s, i32x4.shuffle(L, L, 0, 0, 0, 0), i32x4.shuffle(R, R, 0, 0, 0, 0), zero, v8);
  const r1 = rgba1(src + <usize>load<i32>(r, 4), s, i32x4.shuffle(L, L, 1, 1, 1, 1), i32x4.shuffle(R, R, 1, 1, 1, 1), zero, v8);
  const r2 = rgba1(src + <usize>load<i32>(r, 8), s, i32x4.shuffle(L, L, 2, 2, 2, 2), i32x4.shuffle(R, R, 2, 2, 2, 2), zero, v8);
  const r3 = rgba1(src + <usize>load<i32>(r, 12), s, i32x4.shuffle(L, L, 3, 3, 3, 3), i32x4.shuffle(R, R, 3, 3, 3, 3), zero, v8);
  const a = i16x8.avgr_u(i16x8.narrow_i32x4_s(i32x4.shr_u(r0, 9), i32x4.shr_u(r1, 9)), zero);
  const b = i16x8.avgr_u(i16x8.narrow_i32x4_s(i32x4.shr_u(r2, 9), i32x4.shr_u(r3, 9)), zero);
  v128.store(d, i8x16.narrow_i16x8_u(a, b));
}

// Four-channel pixels from n records at map into d, eight a record, in the engine's forms.
// @ts-ignore: decorator
@inline function rgbaRun(src: usize, s: usize, d: usize, map: usize, n: i32, v8: bool): void {
  const zero = i32x4.splat(0);
  for (let g = 0; g < n; g++) {
    const r = map + <usize>g * RGBA;
    if (load<i32>(r) < 0) continue;
    const o = d + (<usize>g << 5);
    rgba4(src, s, r, o, zero, v8);
    rgba4(src, s, r + 48, o + 16, zero, v8);
  }
}

// Four-channel pixels from n records at map into d, eight a record: one function per engine's
// forms, since Binaryen folds two inlined copies of the loop into one that tests v8 at every pixel.
function rgbaV8(src: usize, stride: i32, d: usize, map: usize, n: i32): void {
  rgbaRun(src, <usize>stride, d, map, n, true);
}
function rgbaJsc(src: usize, stride: i32, d: usize, map: usize, n: i32): void {
  rgbaRun(src, <usize>stride, d, map, n, false);
}
// @ts-ignore: decorator
@inline function rgba(src: usize, stride: i32, d: usize, map: usize, n: i32, v8: bool): void {
  if (v8) rgbaV8(src, stride, d, map, n);
  else rgbaJsc(src, stride, d, map, n);
}

// saturate_cast<int>(double): nearest even, saturated (NaN to INT_MIN, as OpenCV.js gives it).
// @ts-ignore: decorator
@inline function saturateInt(v: f64): i32 {
  if (v != v) return i32.MIN_VALUE;
  if (v >= 2147483647.0) return i32.MAX_VALUE;
  if (v <= -2147483648.0) return i32.MIN_VALUE;
  return <i32>nearest<f64>(v);
}

// The first column x of [0, n) with dir ((P + t[x]) >> 10) >= v (n if none), for a table t along
// which that is non-decreasing.
// @ts-ignore: decorator
@inline function lowerBound(t: usize, n: i32, P: i32, dir: i32, v: i32): i32 {
  let a = 0;
  let b = n;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (dir * ((P + load<i32>(t + (<usize>m << 2))) >> 10) < v) a = m + 1;
    else b = m;
  }
  return a;
}

// The columns [a, b) of [0, n) (a in the low half, b in the high half) whose tap column (or row)
// s = (P + t[x]) >> 10 satisfies 0 <= s <= last. t[x] = round(M x 1024) never decreases along x
// when M >= 0 and never increases when M < 0 (IEEE multiplication and rounding are monotonic),
// so neither does s where P + t[x] does not wrap (both ends in the int32 range), and the columns
// form one run; otherwise none are taken (empty run).
function inside(t: usize, n: i32, P: i32, last: i32): i64 {
  if (n <= 0 || last < 0) return 0;
  const f0 = <i64>P + <i64>load<i32>(t);
  const f1 = <i64>P + <i64>load<i32>(t + (<usize>(n - 1) << 2));
  if (f0 < i32.MIN_VALUE || f0 > i32.MAX_VALUE || f1 < i32.MIN_VALUE || f1 > i32.MAX_VALUE) return 0;
  const dir = f0 <= f1 ? 1 : -1;
  const a = lowerBound(t, n, P, dir, dir > 0 ? 0 : -last);
  const b = lowerBound(t, n, P, dir, dir > 0 ? last + 1 : 1);
  return <i64>a | (<i64>(b > a ? b : a) << 32);
}

// The records of n groups of eight pixels of a warpAffine row into map: the positions are
// X0 + ad[x] and Y0 + bd[x] (ad, bd the tables at the first column), in 1/1024 pixel; the 2x2
// blocks of columns [a, b) lie inside the source (see inside()), and their groups skip the tests.
// True when some record is SCALAR.
function planAffine(
  map: usize, ad: usize, bd: usize, n: i32, X0: i32, Y0: i32, stride: i32, w: i32, h: i32, cn: i32, border: i32, d: usize, value: u32,
  a: i32, b: i32,
): bool {
  let scalar = false;
  if (!ASC_FEATURE_SIMD) return scalar;
  const vx = i32x4.splat(X0);
  const vy = i32x4.splat(Y0);
  const w1 = i16x8.splat(<i16>(w - 1));
  const h1 = i16x8.splat(<i16>(h - 1));
  const rec = cn == 1 ? GRAY : RGBA;
  let r = map;
  for (let g = 0; g < n; g++) {
    const o = <usize>g << 5;
    const X0 = i32x4.shr_s(i32x4.add(vx, v128.load(ad + o)), 5);
    const Y0 = i32x4.shr_s(i32x4.add(vy, v128.load(bd + o)), 5);
    const X1 = i32x4.shr_s(i32x4.add(vx, v128.load(ad + o, 16)), 5);
    const Y1 = i32x4.shr_s(i32x4.add(vy, v128.load(bd + o, 16)), 5);
    const k = g << 3;
    const bo = k >= a && k + 8 <= b ? INSIDE : border;
    if (!plan(r, stride, w, h, cn, X0, Y0, X1, Y1, w1, h1, bo, d + <usize>(k * cn), value)) {
      store<i32>(r, SCALAR);
      scalar = true;
    }
    r += rec;
  }
  return scalar;
}

// warpAffine. work (16-byte aligned): two i32 tables of dstWidth, round(M0 x 1024) and
// round(M3 x 1024), each padded to 16 bytes, then BAND records of 16 bytes, X0, Y0 and the run of
// columns inside (see inside()) of each row of a band, then (SIMD) the map of a run of columns: a
// record per 8 pixels, for at most CHUNK (gray) or TILE (four channels) columns.
// Four channels go through the destination in tiles of BAND rows by TILE columns: a row of a
// rotated warp reads its taps from hundreds of source rows, a memory page or more each, and a
// tile reads from few enough pages and cache lines to keep them in the TLB and the caches while
// it runs (the machine measured has no counters to tell which mattered). At 1080p, in V8, the
// RGBA warp rotated by 8 degrees took 6.8 ms by rows, an unrotated one (every tap inside, read
// along the source rows) 3.6 ms, and the rotated one by tiles 4.7 ms.
// Gray, a quarter of the bytes, goes row by row (by tiles it took about 5% longer).
export function warp_affine(
  src: usize, srcStride: i32, srcWidth: i32, srcHeight: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32,
  cn: i32, m: usize, border: i32, value: u32, work: usize, v8: i32,
): void {
  const m0 = load<f64>(m);
  const m1 = load<f64>(m, 8);
  const m2 = load<f64>(m, 16);
  const m3 = load<f64>(m, 24);
  const m4 = load<f64>(m, 32);
  const m5 = load<f64>(m, 40);
  const ad = work;
  const bd = work + ((<usize>dstWidth * 4 + 15) & ~15);
  const rows = bd + ((<usize>dstWidth * 4 + 15) & ~15);
  const map = rows + (<usize>BAND << 4);
  for (let x = 0; x < dstWidth; x++) {
    store<i32>(ad + (<usize>x << 2), saturateInt(m0 * <f64>x * 1024.0));
    store<i32>(bd + (<usize>x << 2), saturateInt(m3 * <f64>x * 1024.0));
  }
  const simd = ASC_FEATURE_SIMD && (border == CONSTANT || (srcWidth > 1 && srcHeight > 1));
  const rec = <usize>(cn == 1 ? GRAY : RGBA);
  const full = simd ? dstWidth & ~7 : 0;
  const band = cn == 1 ? 1 : BAND;
  const chunk = cn == 1 ? CHUNK : TILE;
  for (let y0 = 0; y0 < dstHeight; y0 += band) {
    const y1 = dstHeight - y0 < band ? dstHeight : y0 + band;
    for (let y = y0; y < y1; y++) {
      const q = rows + (<usize>(y - y0) << 4);
      const X0 = saturateInt((m1 * <f64>y + m2) * 1024.0) + 16;
      const Y0 = saturateInt((m4 * <f64>y + m5) * 1024.0) + 16;
      store<i32>(q, X0);
      store<i32>(q, Y0, 4);
      if (ASC_FEATURE_SIMD && full > 0) {
        const sx = inside(ad, full, X0, srcWidth - 2);
        const sy = inside(bd, full, Y0, srcHeight - 2);
        const ax = <i32>sx;
        const ay = <i32>sy;
        const bx = <i32>(sx >> 32);
        const by = <i32>(sy >> 32);
        store<i32>(q, ax > ay ? ax : ay, 8);
        store<i32>(q, bx < by ? bx : by, 12);
      }
    }
    if (ASC_FEATURE_SIMD) {
      for (let x0 = 0; x0 < full; x0 += chunk) {
        const n = ((full - x0 < chunk ? full : x0 + chunk) - x0) >> 3;
        const o = <usize>x0 << 2;
        for (let y = y0; y < y1; y++) {
          const q = rows + (<usize>(y - y0) << 4);
          const X0 = load<i32>(q);
          const Y0 = load<i32>(q, 4);
          const d = dst + <usize>y * <usize>dstStride;
          const db = d + <usize>(x0 * cn);
          const a = load<i32>(q, 8) - x0;
          const b = load<i32>(q, 12) - x0;
          const scalar = planAffine(map, ad + o, bd + o, n, X0, Y0, srcStride, srcWidth, srcHeight, cn, border, db, value, a, b);
          if (cn == 1) gray(src, srcStride, db, map, n, v8 != 0);
          else rgba(src, srcStride, db, map, n, v8 != 0);
          for (let g = 0; scalar && g < n; g++) {
            if (load<i32>(map + <usize>g * rec) != SCALAR) continue;
            for (let k = x0 + (g << 3); k < x0 + (g << 3) + 8; k++) {
              const X = (X0 + load<i32>(ad + (<usize>k << 2))) >> 5;
              const Y = (Y0 + load<i32>(bd + (<usize>k << 2))) >> 5;
              pixel(src, srcStride, srcWidth, srcHeight, cn, d + <usize>(k * cn), X, Y, border, value);
            }
          }
        }
      }
    }
    for (let y = y0; y < y1; y++) {
      const q = rows + (<usize>(y - y0) << 4);
      const X0 = load<i32>(q);
      const Y0 = load<i32>(q, 4);
      const d = dst + <usize>y * <usize>dstStride;
      for (let x = full; x < dstWidth; x++) {
        const o = <usize>x << 2;
        const X = (X0 + load<i32>(ad + o)) >> 5;
        const Y = (Y0 + load<i32>(bd + o)) >> 5;
        pixel(src, srcStride, srcWidth, srcHeight, cn, d + <usize>(x * cn), X, Y, border, value);
      }
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

// The int32 in the low half of each f64 lane of a, then of b.
// @ts-ignore: decorator
@inline function join(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 2, 3, 8, 9, 10, 11, 16, 17, 18, 19, 24, 25, 26, 27);
}

// One destination pixel of warpPerspective by scalar code: i columns into a block that starts at X0, Y0, W0.
// @ts-ignore: decorator
@inline function perspective1(
  src: usize, stride: i32, w: i32, h: i32, cn: i32, d: usize, X0: f64, Y0: f64, W0: f64, m0: f64, m3: f64, m6: f64, i: i32, border: i32, value: u32,
): void {
  let W = W0 + m6 * <f64>i;
  W = W != 0 ? 32.0 / W : 0.0;
  const X = clampRound((X0 + m0 * <f64>i) * W);
  const Y = clampRound((Y0 + m3 * <f64>i) * W);
  pixel(src, stride, w, h, cn, d + <usize>(i * cn), X, Y, border, value);
}

// The records of n groups of eight pixels of a warpPerspective block into map, from the block's
// start X0, Y0, W0 and the products at tab (see warp_perspective); true when some record is SCALAR.
// @ts-ignore: decorator
@inline function planPerspective(
  map: usize, tab: usize, n: i32, X0: f64, Y0: f64, W0: f64, stride: i32, w: i32, h: i32, cn: i32, border: i32, d: usize, value: u32,
): bool {
  let scalar = false;
  if (!ASC_FEATURE_SIMD) return scalar;
  const vx0 = f64x2.splat(X0);
  const vy0 = f64x2.splat(Y0);
  const vw0 = f64x2.splat(W0);
  const c32 = f64x2.splat(32.0);
  const w1 = i16x8.splat(<i16>(w - 1));
  const h1 = i16x8.splat(<i16>(h - 1));
  const rec = cn == 1 ? GRAY : RGBA;
  let r = map;
  for (let g = 0; g < n; g++) {
    const t = tab + <usize>g * 192;
    const qa = f64x2.div(c32, f64x2.add(vw0, v128.load(t, 32)));
    const qb = f64x2.div(c32, f64x2.add(vw0, v128.load(t, 80)));
    const qc = f64x2.div(c32, f64x2.add(vw0, v128.load(t, 128)));
    const qd = f64x2.div(c32, f64x2.add(vw0, v128.load(t, 176)));
    const xa = clampRound2(f64x2.mul(f64x2.add(vx0, v128.load(t)), qa));
    const xb = clampRound2(f64x2.mul(f64x2.add(vx0, v128.load(t, 48)), qb));
    const xc = clampRound2(f64x2.mul(f64x2.add(vx0, v128.load(t, 96)), qc));
    const xd = clampRound2(f64x2.mul(f64x2.add(vx0, v128.load(t, 144)), qd));
    const ya = clampRound2(f64x2.mul(f64x2.add(vy0, v128.load(t, 16)), qa));
    const yb = clampRound2(f64x2.mul(f64x2.add(vy0, v128.load(t, 64)), qb));
    const yc = clampRound2(f64x2.mul(f64x2.add(vy0, v128.load(t, 112)), qc));
    const yd = clampRound2(f64x2.mul(f64x2.add(vy0, v128.load(t, 160)), qd));
    const p = d + <usize>((g << 3) * cn);
    if (!plan(r, stride, w, h, cn, join(xa, xb), join(ya, yb), join(xc, xd), join(yc, yd), w1, h1, border, p, value)) {
      store<i32>(r, SCALAR);
      scalar = true;
    }
    r += rec;
  }
  return scalar;
}

// Row y of warp_perspective_rows's block of columns from x0 (work as warp_perspective says).
// @ts-ignore: decorator
@inline function perspectiveBlock(
  src: usize, srcStride: i32, srcWidth: i32, srcHeight: i32, dst: usize, dstStride: i32, dstWidth: i32,
  cn: i32, m: usize, border: i32, value: u32, v8: i32, simd: bool, work: usize, bw0: i32, y: i32, x0: i32,
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
  const rec = <usize>(cn == 1 ? GRAY : RGBA);
  const tab = work;
  const map = work + ((<usize>bw0 * 24 + 15) & ~15);
  const d = dst + <usize>y * <usize>dstStride;
  const bw = dstWidth - x0 < bw0 ? dstWidth - x0 : bw0;
  const X0 = m0 * <f64>x0 + m1 * <f64>y + m2;
  const Y0 = m3 * <f64>x0 + m4 * <f64>y + m5;
  const W0 = m6 * <f64>x0 + m7 * <f64>y + m8;
  const db = d + <usize>(x0 * cn);
  let i = 0;
  const n = bw & ~7;
  const wa = W0 + m6 * 0.0;
  const wb = W0 + m6 * <f64>(n - 1);
  if (ASC_FEATURE_SIMD && simd && n > 0 && ((wa > 0 && wb > 0) || (wa < 0 && wb < 0))) {
    const scalar = planPerspective(map, tab, n >> 3, X0, Y0, W0, srcStride, srcWidth, srcHeight, cn, border, db, value);
    if (cn == 1) gray(src, srcStride, db, map, n >> 3, v8 != 0);
    else rgba(src, srcStride, db, map, n >> 3, v8 != 0);
    for (let g = 0; scalar && g < n >> 3; g++) {
      if (load<i32>(map + <usize>g * rec) != SCALAR) continue;
      for (let k = g << 3; k < (g << 3) + 8; k++) perspective1(src, srcStride, srcWidth, srcHeight, cn, db, X0, Y0, W0, m0, m3, m6, k, border, value);
    }
    i = n;
  }
  for (; i < bw; i++) perspective1(src, srcStride, srcWidth, srcHeight, cn, db, X0, Y0, W0, m0, m3, m6, i, border, value);
}

// warpPerspective, in OpenCV's blocks of bw0 = min(1024 / min(16, dstHeight), dstWidth) columns:
// each block's row starts from X0 = M0 x0 + M1 y + M2 (and Y0, W0) and steps by M0 i:
//   W = W0 + M6 i;  W = W != 0 ? 32 / W : 0;  X = round(clamp((X0 + M0 i) W))  (likewise Y).
// work (SIMD; 16-byte aligned): the products M0 i, M3 i, M6 i for i < bw0 as f64 pairs (48 bytes
// a pair of columns), padded to 16 bytes, then the map of a block: a record per 8 pixels. The
// SIMD path takes the same IEEE operations two columns at a time, so the same doubles; it leaves
// out the W != 0 test, and so takes a block only when W has one sign all along it (fl(W0 + fl(M6 i))
// is monotonic in i, so its ends tell), else the block goes to scalar code.
export function warp_perspective(
  src: usize, srcStride: i32, srcWidth: i32, srcHeight: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32,
  cn: i32, m: usize, border: i32, value: u32, work: usize, v8: i32,
): void {
  warp_perspective_rows(src, srcStride, srcWidth, srcHeight, dst, dstStride, dstWidth, dstHeight, cn, m, border, value, work, v8, 0, dstHeight);
}

// Rows [y0, y1) of warp_perspective (dst is still the whole destination): each row depends only on
// its own y and the destination's size, so stripes of rows on several threads give the same bytes.
export function warp_perspective_rows(
  src: usize, srcStride: i32, srcWidth: i32, srcHeight: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32,
  cn: i32, m: usize, border: i32, value: u32, work: usize, v8: i32, y0: i32, y1: i32,
): void {
  const m0 = load<f64>(m);
  const m3 = load<f64>(m, 24);
  const m6 = load<f64>(m, 48);
  const bh = dstHeight < 16 ? dstHeight : 16;
  const bw0 = 1024 / bh < dstWidth ? 1024 / bh : dstWidth;
  const simd = ASC_FEATURE_SIMD && (border == CONSTANT || (srcWidth > 1 && srcHeight > 1));
  const tab = work;
  if (ASC_FEATURE_SIMD && simd) {
    for (let i = 0; i + 1 < bw0; i += 2) {
      const t = tab + <usize>i * 24;
      store<f64>(t, m0 * <f64>i);
      store<f64>(t, m0 * <f64>(i + 1), 8);
      store<f64>(t, m3 * <f64>i, 16);
      store<f64>(t, m3 * <f64>(i + 1), 24);
      store<f64>(t, m6 * <f64>i, 32);
      store<f64>(t, m6 * <f64>(i + 1), 40);
    }
  }
  // Four channels by tiles of BAND rows by a block's columns, as warp_affine says; gray
  // row by row. Each block of a row gives the same bytes in either order.
  if (cn == 1) {
    for (let y = y0; y < y1; y++) {
      for (let x0 = 0; x0 < dstWidth; x0 += bw0) {
        perspectiveBlock(src, srcStride, srcWidth, srcHeight, dst, dstStride, dstWidth, cn, m, border, value, v8, simd, work, bw0, y, x0);
      }
    }
  } else {
    for (let yb = y0; yb < y1; yb += BAND) {
      const ye = y1 - yb < BAND ? y1 : yb + BAND;
      for (let x0 = 0; x0 < dstWidth; x0 += bw0) {
        for (let y = yb; y < ye; y++) {
          perspectiveBlock(src, srcStride, srcWidth, srcHeight, dst, dstStride, dstWidth, cn, m, border, value, v8, simd, work, bw0, y, x0);
        }
      }
    }
  }
}
