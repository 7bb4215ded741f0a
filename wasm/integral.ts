// Integral images of an 8-bit plane, as OpenCV's integral(src, sum, CV_32S) and
// integral(src, sum, sqsum, CV_32S, CV_64F): (w + 1) x (h + 1) tables whose first row and column are
// zero and sum(x + 1, y + 1) = sum of src over [0, x] x [0, y]; sqsum the same over src^2, in f64
// (exact: every value is an integer below 2^53). 32-bit sums wrap as OpenCV's do past 2^31.
//
// Per row: a running prefix sum of the row, plus the row above:
//   s = 0; for x: s += src[x]; sum[y+1][x+1] = sum[y][x+1] + s
// SIMD, 16 pixels a step: widen to two u16x8 and prefix-sum inside each in three shift-and-add steps
// (x += x shifted by 1, 2, 4 lanes; 16 bytes sum to <= 4080, so u16 holds them), carry the first
// half's total into the second, widen to four i32x4 and add the running total of the row so far
// (the last lane of the fourth block, broadcast: one add and one shuffle of serial dependency per
// 16 pixels), add the row above, store. Measured at 1080p: per-i32x4 scans with a carried last lane
// took 1.0 ms (a shuffle-add chain every 4 pixels). The squares keep the per-i32x4 scan (u16 cannot
// hold them), in their own loop so that the plain table pays nothing for them.
// Every lane shift is a shuffle of (zero, v) with consecutive indices (16 - k .. 31 - k): V8 emits
// one palignr for those, where indices 0..k-1 then 16.. cost it two pshufb and a por. With the carry
// kept in a vector (no extract_lane/splat), 1080p went from 1.15 to 0.67 ms (medians, one run).
// At 1080p the table's stores bound it: in the targets bench's order a loop with the same loads and
// stores and no arithmetic took as long as this one on Node and 10% less on Bun, the stores alone
// 75-85%; starting the vector stores 16-byte aligned changed nothing measurable.

// @ts-ignore: decorator
@inline function scan4(v: v128): v128 {
  const z = i32x4.splat(0);
  const a = i32x4.add(v, i8x16.shuffle(z, v, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27));
  return i32x4.add(a, i8x16.shuffle(z, a, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23));
}

// @ts-ignore: decorator
@inline function last(v: v128): v128 {
  return i8x16.shuffle(v, v, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15);
}

// Inclusive prefix sum of eight u16 lanes.
// @ts-ignore: decorator
@inline function scan8(v: v128): v128 {
  const z = i16x8.splat(0);
  let a = i16x8.add(v, i8x16.shuffle(z, v, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29));
  a = i16x8.add(a, i8x16.shuffle(z, a, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27));
  return i16x8.add(a, i8x16.shuffle(z, a, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23));
}

// The same for squares: u32 prefixes (exact: a row of 65536 pixels sums to < 2^32), f64 tables.
// @ts-ignore: decorator
@inline function stepSq(e: v128, carry: v128, up: usize, out: usize): v128 {
  const p = i32x4.add(scan4(i32x4.mul(e, e)), carry);
  v128.store(out, f64x2.add(f64x2.convert_low_i32x4_u(p), v128.load(up)));
  v128.store(out, f64x2.add(f64x2.convert_low_i32x4_u(i8x16.shuffle(p, p, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15)), v128.load(up, 16)), 16);
  return last(p);
}

export function integral(src: usize, srcStride: i32, sum: usize, sumStride: i32, width: i32, height: i32, sq: usize, sqStride: i32): void {
  memory.fill(sum, 0, <usize>(width + 1) << 2);
  if (sq) memory.fill(sq, 0, <usize>(width + 1) << 3);
  for (let y = 0; y < height; y++) {
    const s = src + <usize>y * <usize>srcStride;
    const up = sum + <usize>y * <usize>sumStride;
    const row = up + <usize>sumStride;
    store<i32>(row, 0);
    let x = 0;
    let run: i32 = 0;
    if (ASC_FEATURE_SIMD) {
      let c = i32x4.splat(0);
      for (; x + 16 <= width; x += 16) {
        const v = v128.load(s + <usize>x);
        const lo = scan8(i16x8.extend_low_i8x16_u(v));
        const hi = i16x8.add(scan8(i16x8.extend_high_i8x16_u(v)), i8x16.shuffle(lo, lo, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15, 14, 15));
        const o = (<usize>x + 1) << 2;
        const a = up + o;
        const b = row + o;
        v128.store(b, i32x4.add(i32x4.add(i32x4.extend_low_i16x8_u(lo), c), v128.load(a)));
        v128.store(b, i32x4.add(i32x4.add(i32x4.extend_high_i16x8_u(lo), c), v128.load(a, 16)), 16);
        v128.store(b, i32x4.add(i32x4.add(i32x4.extend_low_i16x8_u(hi), c), v128.load(a, 32)), 32);
        const t = i32x4.add(i32x4.extend_high_i16x8_u(hi), c);
        v128.store(b, i32x4.add(t, v128.load(a, 48)), 48);
        c = last(t);
      }
      run = i32x4.extract_lane(c, 0);
    }
    for (; x < width; x++) {
      run += <i32>load<u8>(s + <usize>x);
      const o = (<usize>x + 1) << 2;
      store<i32>(row + o, load<i32>(up + o) + run);
    }
    if (!sq) continue;
    const sup = sq + <usize>y * <usize>sqStride;
    const srow = sup + <usize>sqStride;
    store<f64>(srow, 0);
    x = 0;
    let srun: u32 = 0;
    if (ASC_FEATURE_SIMD) {
      let c = i32x4.splat(0);
      for (; x + 16 <= width; x += 16) {
        const v = v128.load(s + <usize>x);
        const lo = i16x8.extend_low_i8x16_u(v);
        const hi = i16x8.extend_high_i8x16_u(v);
        const o = (<usize>x + 1) << 3;
        c = stepSq(i32x4.extend_low_i16x8_u(lo), c, sup + o, srow + o);
        c = stepSq(i32x4.extend_high_i16x8_u(lo), c, sup + o + 32, srow + o + 32);
        c = stepSq(i32x4.extend_low_i16x8_u(hi), c, sup + o + 64, srow + o + 64);
        c = stepSq(i32x4.extend_high_i16x8_u(hi), c, sup + o + 96, srow + o + 96);
      }
      srun = <u32>i32x4.extract_lane(c, 0);
    }
    for (; x < width; x++) {
      const p = <u32>load<u8>(s + <usize>x);
      srun += p * p;
      const o = (<usize>x + 1) << 3;
      store<f64>(srow + o, load<f64>(sup + o) + <f64>srun);
    }
  }
}
