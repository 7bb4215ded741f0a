// YUV 4:2:0 (I420 planar, NV12 semi-planar) to RGBA, bit-exact with OpenCV's cvtColor
// COLOR_YUV2RGBA_I420 / COLOR_YUV2RGBA_NV12 (BT.601 "video range", 20-bit fixed point):
//   u = U - 128, v = V - 128, y = max(0, Y - 16) * 1220542
//   R = sat((y + 2^19 + 1673527 v) >> 20)
//   G = sat((y + 2^19 - 852492 v - 409993 u) >> 20)
//   B = sat((y + 2^19 + 2116026 u) >> 20),  A = 255
// Every sum fits i32. One chroma sample serves a 2x2 block of luma.
//
// SIMD, 16 pixels a step: the three chroma terms for the 8 chroma samples in 32-bit lanes (two
// vectors each), each lane duplicated to the two pixels it covers; the luma term per pixel; shift,
// narrow with saturation (i32 -> i16 -> u8, which is saturate_cast), then interleave R G B A with
// byte shuffles into four 16-byte stores.
// `uStep` is 1 for planar chroma (u and v point at two planes) and 2 for NV12 (v = u + 1).

const CY: i32 = 1220542;
const CUB: i32 = 2116026;
const CUG: i32 = -409993;
const CVG: i32 = -852492;
const CVR: i32 = 1673527;
const HALF: i32 = 1 << 19;

// @ts-ignore: decorator
@inline function sat(v: i32): u32 {
  return v < 0 ? 0 : v > 255 ? 255 : <u32>v;
}

// @ts-ignore: decorator
@inline function dup(a: v128, first: bool): v128 {
  return first ? i8x16.shuffle(a, a, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 4, 5, 6, 7) : i8x16.shuffle(a, a, 8, 9, 10, 11, 8, 9, 10, 11, 12, 13, 14, 15, 12, 13, 14, 15);
}

// Four pixels' channel from luma terms `y` and chroma terms `c` (already holding the rounding half).
// @ts-ignore: decorator
@inline function chan(y: v128, c: v128): v128 {
  return i32x4.shr_s(i32x4.add(y, c), 20);
}

function rowScalar(y: usize, u: usize, v: usize, uStep: i32, d: usize, x0: i32, width: i32): void {
  for (let x = x0; x < width; x++) {
    const c = <usize>(x >> 1) * <usize>uStep;
    const uu = <i32>load<u8>(u + c) - 128;
    const vv = <i32>load<u8>(v + c) - 128;
    let yy = <i32>load<u8>(y + <usize>x) - 16;
    yy = (yy < 0 ? 0 : yy) * CY;
    const r = sat((yy + HALF + CVR * vv) >> 20);
    const g = sat((yy + HALF + CVG * vv + CUG * uu) >> 20);
    const b = sat((yy + HALF + CUB * uu) >> 20);
    store<u32>(d + (<usize>x << 2), r | (g << 8) | (b << 16) | 0xff000000);
  }
}

export function yuv420_to_rgba(
  y: usize, yStride: i32, u: usize, uStride: i32, v: usize, vStride: i32, uStep: i32,
  dst: usize, dstStride: i32, width: i32, height: i32,
): void {
  for (let row = 0; row < height; row++) {
    const yr = y + <usize>row * <usize>yStride;
    const ur = u + <usize>(row >> 1) * <usize>uStride;
    const vr = v + <usize>(row >> 1) * <usize>vStride;
    const d = dst + <usize>row * <usize>dstStride;
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const k128 = i16x8.splat(128);
      const alpha = i8x16.splat(-1);
      for (; x + 16 <= width; x += 16) {
        // Eight chroma samples as i16 (U - 128, V - 128).
        let cu: v128;
        let cv: v128;
        if (uStep == 1) {
          cu = i16x8.sub(i16x8.extend_low_i8x16_u(v128.load64_zero(ur + <usize>(x >> 1))), k128);
          cv = i16x8.sub(i16x8.extend_low_i8x16_u(v128.load64_zero(vr + <usize>(x >> 1))), k128);
        } else {
          const uv = v128.load(ur + <usize>x); // U0 V0 U1 V1 ... (NV12: ur == vr - 1)
          cu = i16x8.sub(v128.and(uv, i16x8.splat(0xff)), k128);
          cv = i16x8.sub(i16x8.shr_u(uv, 8), k128);
        }
        const u0 = i32x4.extend_low_i16x8_s(cu);
        const u1 = i32x4.extend_high_i16x8_s(cu);
        const v0 = i32x4.extend_low_i16x8_s(cv);
        const v1 = i32x4.extend_high_i16x8_s(cv);
        const h = i32x4.splat(HALF);
        const r0 = i32x4.add(h, i32x4.mul(v0, i32x4.splat(CVR)));
        const r1 = i32x4.add(h, i32x4.mul(v1, i32x4.splat(CVR)));
        const g0 = i32x4.add(h, i32x4.add(i32x4.mul(v0, i32x4.splat(CVG)), i32x4.mul(u0, i32x4.splat(CUG))));
        const g1 = i32x4.add(h, i32x4.add(i32x4.mul(v1, i32x4.splat(CVG)), i32x4.mul(u1, i32x4.splat(CUG))));
        const b0 = i32x4.add(h, i32x4.mul(u0, i32x4.splat(CUB)));
        const b1 = i32x4.add(h, i32x4.mul(u1, i32x4.splat(CUB)));
        // Luma terms: max(0, Y - 16) (saturating byte subtract) * CY.
        const yv = i8x16.sub_sat_u(v128.load(yr + <usize>x), i8x16.splat(16));
        const ylo = i16x8.extend_low_i8x16_u(yv);
        const yhi = i16x8.extend_high_i8x16_u(yv);
        const cy = i32x4.splat(CY);
        const y0 = i32x4.mul(i32x4.extend_low_i16x8_u(ylo), cy);
        const y1 = i32x4.mul(i32x4.extend_high_i16x8_u(ylo), cy);
        const y2 = i32x4.mul(i32x4.extend_low_i16x8_u(yhi), cy);
        const y3 = i32x4.mul(i32x4.extend_high_i16x8_u(yhi), cy);
        const R = i8x16.narrow_i16x8_u(
          i16x8.narrow_i32x4_s(chan(y0, dup(r0, true)), chan(y1, dup(r0, false))),
          i16x8.narrow_i32x4_s(chan(y2, dup(r1, true)), chan(y3, dup(r1, false))),
        );
        const G = i8x16.narrow_i16x8_u(
          i16x8.narrow_i32x4_s(chan(y0, dup(g0, true)), chan(y1, dup(g0, false))),
          i16x8.narrow_i32x4_s(chan(y2, dup(g1, true)), chan(y3, dup(g1, false))),
        );
        const B = i8x16.narrow_i16x8_u(
          i16x8.narrow_i32x4_s(chan(y0, dup(b0, true)), chan(y1, dup(b0, false))),
          i16x8.narrow_i32x4_s(chan(y2, dup(b1, true)), chan(y3, dup(b1, false))),
        );
        // Interleave: RG and BA byte pairs, then the pairs into RGBA.
        const rgLo = i8x16.shuffle(R, G, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        const rgHi = i8x16.shuffle(R, G, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        const baLo = i8x16.shuffle(B, alpha, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
        const baHi = i8x16.shuffle(B, alpha, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
        const o = d + (<usize>x << 2);
        v128.store(o, i8x16.shuffle(rgLo, baLo, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23));
        v128.store(o, i8x16.shuffle(rgLo, baLo, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 16);
        v128.store(o, i8x16.shuffle(rgHi, baHi, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), 32);
        v128.store(o, i8x16.shuffle(rgHi, baHi, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), 48);
      }
    }
    rowScalar(yr, ur, vr, uStep, d, x, width);
  }
}
