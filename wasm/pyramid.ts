// One Gaussian pyramid level down, bit-exact with OpenCV's pyrDown on CV_8U (pyramids.cpp):
//   dst(x, y) = (sum_ij w[i] w[j] src(2x + i - 2, 2y + j - 2) + 128) >> 8,  w = [1 4 6 4 1],
// sources outside the image taken by BORDER_REFLECT_101, dst sized ((w + 1) / 2, (h + 1) / 2).
//
// Per output row: V[x] = r0 + 4 r1 + 6 r2 + 4 r3 + r4 over the five source rows (u16, <= 4080),
// padded by reflection, then the row filter at even x only:
//   out[x] = V[2x-2] + 4 (V[2x-1] + V[2x+1]) + 6 V[2x] + V[2x+2]   (<= 65280: fits u16 lanes)
// SIMD splits V into even and odd samples with shuffles, so eight outputs come from loads at
// 2x-2, 2x and 2x+2 without any per-sample gather.
// Scratch at `work` (16-byte aligned): 16 bytes, then the V row (srcWidth + 16 samples).
import { padRow16, reflect101 } from './border';

// @ts-ignore: decorator
@inline function evens(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
}
// @ts-ignore: decorator
@inline function odds(a: v128, b: v128): v128 {
  return i8x16.shuffle(a, b, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
}

function vpass(r0: usize, r1: usize, r2: usize, r3: usize, r4: usize, out: usize, width: i32): void {
  let x = 0;
  if (ASC_FEATURE_SIMD) {
    for (; x + 16 <= width; x += 16) {
      const o = <usize>x;
      const a = v128.load(r0 + o);
      const b = v128.load(r1 + o);
      const c = v128.load(r2 + o);
      const d = v128.load(r3 + o);
      const e = v128.load(r4 + o);
      const lo = i16x8.add(
        i16x8.add(i16x8.extend_low_i8x16_u(a), i16x8.extend_low_i8x16_u(e)),
        i16x8.add(i16x8.shl(i16x8.add(i16x8.extend_low_i8x16_u(b), i16x8.extend_low_i8x16_u(d)), 2), i16x8.mul(i16x8.extend_low_i8x16_u(c), i16x8.splat(6))),
      );
      const hi = i16x8.add(
        i16x8.add(i16x8.extend_high_i8x16_u(a), i16x8.extend_high_i8x16_u(e)),
        i16x8.add(i16x8.shl(i16x8.add(i16x8.extend_high_i8x16_u(b), i16x8.extend_high_i8x16_u(d)), 2), i16x8.mul(i16x8.extend_high_i8x16_u(c), i16x8.splat(6))),
      );
      v128.store(out + (o << 1), lo);
      v128.store(out + (o << 1), hi, 16);
    }
  }
  for (; x < width; x++) {
    const o = <usize>x;
    const s = <i32>load<u8>(r0 + o) + <i32>load<u8>(r4 + o) + 4 * (<i32>load<u8>(r1 + o) + <i32>load<u8>(r3 + o)) + 6 * <i32>load<u8>(r2 + o);
    store<u16>(out + (o << 1), <u16>s);
  }
}

// Eight outputs from V at 2x-2 .. 2x+15 (p points at V[2x]).
// @ts-ignore: decorator
@inline function row8(p: usize): v128 {
  const em = evens(v128.load(p - 4), v128.load(p + 12)); // V[2x-2], V[2x], ...
  const om = odds(v128.load(p - 4), v128.load(p + 12)); //  V[2x-1], V[2x+1], ...
  const e0 = evens(v128.load(p), v128.load(p + 16)); //      V[2x], V[2x+2], ...
  const o0 = odds(v128.load(p), v128.load(p + 16)); //       V[2x+1], V[2x+3], ...
  const ep = evens(v128.load(p + 4), v128.load(p + 20)); //  V[2x+2], V[2x+4], ...
  const s = i16x8.add(i16x8.add(em, ep), i16x8.add(i16x8.shl(i16x8.add(om, o0), 2), i16x8.mul(e0, i16x8.splat(6))));
  return i16x8.shr_u(i16x8.add(s, i16x8.splat(128)), 8);
}

function hpass(v: usize, dst: usize, dstWidth: i32): void {
  let x = 0;
  if (ASC_FEATURE_SIMD) {
    for (; x + 16 <= dstWidth; x += 16) {
      const p = v + (<usize>x << 2);
      v128.store(dst + <usize>x, i8x16.narrow_i16x8_u(row8(p), row8(p + 32)));
    }
  }
  for (; x < dstWidth; x++) {
    const p = v + (<usize>x << 2);
    const s = <i32>load<u16>(p - 4) + <i32>load<u16>(p + 4) + 4 * (<i32>load<u16>(p - 2) + <i32>load<u16>(p + 2)) + 6 * <i32>load<u16>(p);
    store<u8>(dst + <usize>x, <u8>((s + 128) >> 8));
  }
}

export function pyr_down(src: usize, srcStride: i32, srcWidth: i32, srcHeight: i32, dst: usize, dstStride: i32, dstWidth: i32, dstHeight: i32, work: usize): void {
  const v = work + 16;
  const s = <usize>srcStride;
  for (let y = 0; y < dstHeight; y++) {
    const y2 = 2 * y;
    vpass(
      src + <usize>reflect101(y2 - 2, srcHeight) * s,
      src + <usize>reflect101(y2 - 1, srcHeight) * s,
      src + <usize>reflect101(y2, srcHeight) * s,
      src + <usize>reflect101(y2 + 1, srcHeight) * s,
      src + <usize>reflect101(y2 + 2, srcHeight) * s,
      v, srcWidth,
    );
    padRow16(v, srcWidth, 8);
    hpass(v, dst + <usize>y * <usize>dstStride, dstWidth);
  }
}
