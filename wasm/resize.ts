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

// Large sources, two passes per row pair: the upper row's pair sums (+ 2) go to a scratch row, then
// the lower row's are added to them, >> 2, narrowed and stored. Each pass reads one source row from
// start to end, so the whole source is read as one forward stream (the upper row of the next pair
// follows the lower row of this one), where reading both rows of a pair side by side restarts two
// streams every row pair. With the source out of the core's caches (the targets bench: 1080p, between
// OpenCV.js and a memcpy), only reading the rows side by side, no arithmetic, took about 2x the
// memcpy, row after row 1.5x. The scratch row is the destination itself: the sums take 2 bytes per
// output, the first half of the vector outputs' in row dy, the second half's in row dy + 1, which
// the next pair then writes for real (the API rejects a destination that overlaps the source). The
// odd bytes of a pair come from a swizzle, not a shift: JavaScriptCore moves a shift's count into a
// vector register at every shift. 9 cheap ops per 8 outputs, as mean4, plus a store and a load of
// the scratch, so a source that sits in the caches is faster in one pass: two passes from
// AREA_TWO_PASS outputs on (4 source bytes each, 512 KiB: a Zen 3 core's L2). SIMD / memcpy, targets
// bench, medians of 6 runs: 1080p one pass Node 2.95x, Bun 3.25x; two passes 2.17x, 2.30x. At
// 640x480, below the threshold, a copy of the bench with both: one pass 2.3x / 2.7-3.0x, two 2.5x / 2.9-3.2x.
const AREA_TWO_PASS: i32 = 1 << 17;

// @ts-ignore: decorator
@inline function pairSums(x: v128): v128 {
  const odd = i8x16.swizzle(x, v128(1, -1, 3, -1, 5, -1, 7, -1, 9, -1, 11, -1, 13, -1, 15, -1));
  return i16x8.add(v128.and(x, i16x8.splat(255)), odd);
}

// Pass 1: pair sums + 2 (u16) of `bytes` (a multiple of 16) source bytes from p into q.
// @ts-ignore: decorator
@inline function upperSums(p: usize, q: usize, bytes: usize): void {
  const two = i16x8.splat(2);
  const e = p + bytes;
  for (; p + 64 <= e; p += 64, q += 64) {
    v128.store(q, i16x8.add(pairSums(v128.load(p)), two));
    v128.store(q, i16x8.add(pairSums(v128.load(p, 16)), two), 16);
    v128.store(q, i16x8.add(pairSums(v128.load(p, 32)), two), 32);
    v128.store(q, i16x8.add(pairSums(v128.load(p, 48)), two), 48);
  }
  for (; p < e; p += 16, q += 16) v128.store(q, i16x8.add(pairSums(v128.load(p)), two));
}

// 8 outputs in u16 lanes: (upper sums + 2 at q + lower pair sums at p) >> 2.
// @ts-ignore: decorator
@inline function lower8(p: usize, q: usize): v128 {
  return i16x8.shr_u(i16x8.add(pairSums(v128.load(p)), v128.load(q)), 2);
}

// Pass 2: `count` (a multiple of 8) outputs into d from the lower row at p and the sums at q. The
// stores never reach sums still to be read: the block at output x reads q + 2x .. 2x + 31 first.
// @ts-ignore: decorator
@inline function lowerMeans(p: usize, q: usize, d: usize, count: usize): void {
  const e = d + count;
  for (; d + 32 <= e; d += 32, p += 64, q += 64) {
    v128.store(d, i8x16.narrow_i16x8_u(lower8(p, q), lower8(p + 16, q + 16)));
    v128.store(d, i8x16.narrow_i16x8_u(lower8(p + 32, q + 32), lower8(p + 48, q + 48)), 16);
  }
  if (d + 16 <= e) {
    v128.store(d, i8x16.narrow_i16x8_u(lower8(p, q), lower8(p + 16, q + 16)));
    d += 16;
    p += 32;
    q += 32;
  }
  if (d < e) {
    const v = lower8(p, q);
    v128.store64_lane(d, i8x16.narrow_i16x8_u(v, v), 0);
  }
}

// INTER_AREA for integer factors (OpenCV's resizeAreaFast_): each output pixel is the mean of its
// kx x ky block. 2x2 (also what INTER_LINEAR does for an exact halving) rounds as OpenCV's
// ResizeAreaFastVec does, (sum + 2) >> 2, which OpenCV.js matches byte for byte; other factors take
// OpenCV's scalar step, sum times scale = 1.f / (kx ky) in float32, rounded to nearest-even.
export function resize_area_fast(src: usize, srcStride: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32, kx: i32, ky: i32, scale: f32): void {
  const twoPass = <i64>dstWidth * <i64>dstHeight >= <i64>AREA_TWO_PASS;
  for (let dy = 0; dy < dstHeight; dy++) {
    const d = dst + <usize>dy * <usize>dstStride;
    const s = src + <usize>(dy * ky) * <usize>srcStride;
    let x = 0;
    if (ASC_FEATURE_SIMD && kx == 2 && ky == 2 && twoPass && dy + 1 < dstHeight) {
      // n vector outputs: the sums of the first n / 2 in row dy, of the rest in row dy + 1.
      const n = <usize>(dstWidth & ~15);
      const half = n >> 1;
      const d1 = d + <usize>dstStride;
      upperSums(s, d, n);
      upperSums(s + n, d1, n);
      const s1 = s + <usize>srcStride;
      lowerMeans(s1, d, d, half);
      lowerMeans(s1 + n, d1, d + half, half);
      x = <i32>n;
    } else if (ASC_FEATURE_SIMD && kx == 2 && ky == 2) {
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
