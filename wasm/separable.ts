// The separable-filter engine shared by Gaussian blur (wasm/blur.ts) and the Sobel family
// (wasm/gradients.ts): an 8-bit plane filtered by a column kernel `ky` then a row kernel `kx`.
//
// Vertical pass first, one output row at a time, so the only scratch is one row of 16-bit sums:
//   for each output row y:
//     rows[j] = src row reflect101(y + j - ry)                     (ny row pointers)
//     V[x]    = sum_j ky[j] * rows[j][x]                            (16-bit lanes, x in 0..w)
//     V[-i], V[w-1+i] = reflections, for i in 1..rx                (BORDER_REFLECT_101)
//     out[x]  = sum_i kx[i] * V[x + i - rx]                         (then per output mode)
// The ny source rows of one output row stay in L1, so reading each source byte ny times costs
// cache bandwidth, not memory bandwidth.
//
// Arithmetic is exact integer arithmetic. 16-bit lanes wrap, which is exact as long as the true
// result fits in 16 bits; the caller picks the output mode that guarantees it:
//   OUT_U8       (sum + round) >> shift to u8, the sum < 2^16 (unsigned)
//   OUT_U8_WIDE  the same with 32-bit sums (V as u16, kx >= 0)
//   OUT_U8_WIDE_PAIRS  the same, and V + V < 2^15, so a symmetric kernel adds mirrored samples and
//                multiplies two terms per i32x4.dot_i16x8_s (7x7 at 1080p on V8: 10.9 ms with a
//                multiply per tap in a loop, 5.8 ms with unrolled 16x16->32 multiplies of pairs)
//   OUT_I16      the sum itself as i16 (|sum| < 2^15)
//   OUT_U8_DIV   ((sum + shift) * div) >> 23 to u8, the sum < 2^16: OpenCV's normalised box filter
//                (`shift` carries its divDelta, `div` its divScale)
// Weights: ky in -255..255, kx any i16.
//
// Kernels of 3, 5 or 7 taps that are symmetric (k[i] = k[n-1-i]: Gaussian, Sobel smoothing) or
// antisymmetric (k[i] = -k[n-1-i], centre 0: first derivatives) take unrolled paths that add or
// subtract mirrored taps before multiplying: 3 multiplies instead of 5 for a 5-tap kernel, no
// per-tap loop. Measured on V8 at 1080p 5x5: the tap loop took 3.4 ms, the unrolled path 1.x ms.
// `symX`/`symY`: 0 any kernel (tap loops), 1 symmetric, 2 antisymmetric.
//
// Scratch at `work` (16-byte aligned): ny u32 row pointers, then the V row with `pad` (a multiple of
// 8, >= rx) samples of border on each side. See ts/kernels/separable.ts.

import { padRow16, reflect101 } from './border';

export const OUT_U8: i32 = 0;
export const OUT_U8_WIDE: i32 = 1;
export const OUT_I16: i32 = 2;
export const OUT_U8_DIV: i32 = 3;
export const OUT_U8_WIDE_PAIRS: i32 = 4;

// Sixteen unsigned 16-bit sums to bytes by ((s + delta) * scale) >> 23 (32-bit lanes: < 2^31).
// @ts-ignore: decorator
@inline function divide16(a: v128, b: v128, delta: v128, scale: v128): v128 {
  const a0 = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.extend_low_i16x8_u(a), delta), scale), 23);
  const a1 = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.extend_high_i16x8_u(a), delta), scale), 23);
  const b0 = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.extend_low_i16x8_u(b), delta), scale), 23);
  const b1 = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.extend_high_i16x8_u(b), delta), scale), 23);
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a0, a1), i16x8.narrow_i32x4_s(b0, b1));
}

// @ts-ignore: decorator
@inline function lo8(v: v128): v128 {
  return i16x8.extend_low_i8x16_u(v);
}
// @ts-ignore: decorator
@inline function hi8(v: v128): v128 {
  return i16x8.extend_high_i8x16_u(v);
}
// @ts-ignore: decorator
@inline function mirror(a: v128, b: v128, anti: bool): v128 {
  return anti ? i16x8.sub(a, b) : i16x8.add(a, b);
}
// @ts-ignore: decorator
@inline function rowAt(rows: usize, j: i32): usize {
  return <usize>load<u32>(rows + (<usize>j << 2));
}
// @ts-ignore: decorator
@inline function weight(k: usize, i: i32): v128 {
  return i16x8.splat(load<i16>(k + (<usize>i << 1)));
}

// Unrolled vertical pass for n in {3, 5, 7} (constant after inlining), 16 pixels per step:
//   V = sum_{j < n/2} k[j] (row[j] +- row[n-1-j]) + k[n/2] row[n/2]
// Returns the first x it did not do.
// @ts-ignore: decorator
@inline function vsym(n: i32, anti: bool, rows: usize, ky: usize, out: usize, width: i32): i32 {
  const c = n >> 1;
  const k0 = weight(ky, 0);
  const k1 = weight(ky, 1);
  const k2 = weight(ky, 2);
  const kc = weight(ky, c);
  const a0 = rowAt(rows, 0);
  const b0 = rowAt(rows, n - 1);
  const a1 = rowAt(rows, 1);
  const b1 = rowAt(rows, n - 2);
  const a2 = rowAt(rows, 2);
  const b2 = rowAt(rows, n - 3);
  const rc = rowAt(rows, c);
  let x = 0;
  for (; x + 16 <= width; x += 16) {
    const o = <usize>x;
    let s = v128.load(a0 + o);
    let t = v128.load(b0 + o);
    let l = i16x8.mul(mirror(lo8(s), lo8(t), anti), k0);
    let h = i16x8.mul(mirror(hi8(s), hi8(t), anti), k0);
    if (n >= 5) {
      s = v128.load(a1 + o);
      t = v128.load(b1 + o);
      l = i16x8.add(l, i16x8.mul(mirror(lo8(s), lo8(t), anti), k1));
      h = i16x8.add(h, i16x8.mul(mirror(hi8(s), hi8(t), anti), k1));
    }
    if (n >= 7) {
      s = v128.load(a2 + o);
      t = v128.load(b2 + o);
      l = i16x8.add(l, i16x8.mul(mirror(lo8(s), lo8(t), anti), k2));
      h = i16x8.add(h, i16x8.mul(mirror(hi8(s), hi8(t), anti), k2));
    }
    if (!anti) {
      s = v128.load(rc + o);
      l = i16x8.add(l, i16x8.mul(lo8(s), kc));
      h = i16x8.add(h, i16x8.mul(hi8(s), kc));
    }
    v128.store(out + (o << 1), l);
    v128.store(out + (o << 1), h, 16);
  }
  return x;
}

// Unrolled horizontal pass, 16-bit sums, 8 outputs: the same mirrored sums over V at p.
// @ts-ignore: decorator
@inline function hsym8(n: i32, anti: bool, p: usize, k0: v128, k1: v128, k2: v128, kc: v128): v128 {
  const e = <usize>(n - 1) << 1;
  let a = i16x8.mul(mirror(v128.load(p), v128.load(p + e), anti), k0);
  if (n >= 5) a = i16x8.add(a, i16x8.mul(mirror(v128.load(p, 2), v128.load(p + e - 2), anti), k1));
  if (n >= 7) a = i16x8.add(a, i16x8.mul(mirror(v128.load(p, 4), v128.load(p + e - 4), anti), k2));
  if (!anti) a = i16x8.add(a, i16x8.mul(v128.load(p + (<usize>(n >> 1) << 1)), kc));
  return a;
}

// @ts-ignore: decorator
@inline function hsym(n: i32, anti: bool, mode: i32, base: usize, kx: usize, dst: usize, width: i32, shift: i32, div: i32): i32 {
  const k0 = weight(kx, 0);
  const k1 = weight(kx, 1);
  const k2 = weight(kx, 2);
  const kc = weight(kx, n >> 1);
  const half: i32 = shift > 0 ? 1 << (shift - 1) : 0;
  const rv = i16x8.splat(<i16>half);
  const dv = i32x4.splat(shift);
  const sv = i32x4.splat(div);
  let x = 0;
  for (; x + 16 <= width; x += 16) {
    const p = base + (<usize>x << 1);
    let a = hsym8(n, anti, p, k0, k1, k2, kc);
    let b = hsym8(n, anti, p + 16, k0, k1, k2, kc);
    if (mode == OUT_I16) {
      v128.store(dst + (<usize>x << 1), a);
      v128.store(dst + (<usize>x << 1), b, 16);
    } else if (mode == OUT_U8_DIV) {
      v128.store(dst + <usize>x, divide16(a, b, dv, sv));
    } else {
      a = i16x8.shr_u(i16x8.add(a, rv), shift);
      b = i16x8.shr_u(i16x8.add(b, rv), shift);
      v128.store(dst + <usize>x, i8x16.narrow_i16x8_u(a, b));
    }
  }
  return x;
}

// Horizontal pass with 32-bit sums (OUT_U8_WIDE): per tap, u16 x u16 -> u32 multiplies.
// @ts-ignore: decorator
@inline function hwide(n: i32, base: usize, kx: usize, dst: usize, width: i32, shift: i32): i32 {
  const rv = i32x4.splat(shift > 0 ? 1 << (shift - 1) : 0);
  let x = 0;
  for (; x + 16 <= width; x += 16) {
    let a0 = i32x4.splat(0);
    let a1 = a0;
    let a2 = a0;
    let a3 = a0;
    for (let i = 0; i < n; i++) {
      const kv = weight(kx, i);
      const p = base + (<usize>(x + i) << 1);
      const s0 = v128.load(p);
      const s1 = v128.load(p, 16);
      a0 = i32x4.add(a0, i32x4.extmul_low_i16x8_u(s0, kv));
      a1 = i32x4.add(a1, i32x4.extmul_high_i16x8_u(s0, kv));
      a2 = i32x4.add(a2, i32x4.extmul_low_i16x8_u(s1, kv));
      a3 = i32x4.add(a3, i32x4.extmul_high_i16x8_u(s1, kv));
    }
    a0 = i32x4.shr_u(i32x4.add(a0, rv), shift);
    a1 = i32x4.shr_u(i32x4.add(a1, rv), shift);
    a2 = i32x4.shr_u(i32x4.add(a2, rv), shift);
    a3 = i32x4.shr_u(i32x4.add(a3, rv), shift);
    v128.store(dst + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a0, a1), i16x8.narrow_i32x4_s(a2, a3)));
  }
  return x;
}

// 32-bit sums over mirrored pairs for a symmetric kernel of n in {3, 5, 7} (constant after inlining);
// the caller guarantees V[a] + V[b] < 2^15, so the terms (pairs, then the centre) are i16 and two
// terms with their two weights make one i32x4.dot_i16x8_s once interleaved lane by lane:
//   lanes (Ta[x], Tb[x], Ta[x+1], Tb[x+1], ...) . (ka, kb, ka, kb, ...) = ka Ta[x] + kb Tb[x], ...
// Sixteen outputs a step.
// @ts-ignore: decorator
@inline function dot2(a: v128, b: v128, k: v128, lo: bool): v128 {
  return lo
    ? i32x4.dot_i16x8_s(i8x16.shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23), k)
    : i32x4.dot_i16x8_s(i8x16.shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31), k);
}

// @ts-ignore: decorator
@inline function hwsym(n: i32, base: usize, kx: usize, dst: usize, width: i32, shift: i32): i32 {
  const rv = i32x4.splat(shift > 0 ? 1 << (shift - 1) : 0);
  const e = <usize>(n - 1) << 1;
  const c = <usize>(n >> 1) << 1;
  const w0 = <i32>load<u16>(kx);
  const w1 = <i32>load<u16>(kx, 2);
  const w2 = <i32>load<u16>(kx, 4);
  const wc = <i32>load<u16>(kx + c);
  // Weight pairs for the term pairs: n = 3 (P0, C); 5 (P0, P1), (C, 0); 7 (P0, P1), (P2, C).
  const ka = i32x4.splat(n == 3 ? w0 | (wc << 16) : w0 | (w1 << 16));
  const kb = i32x4.splat(n == 5 ? wc : w2 | (wc << 16));
  const z = i16x8.splat(0);
  let x = 0;
  for (; x + 16 <= width; x += 16) {
    const p = base + (<usize>x << 1);
    const p0a = i16x8.add(v128.load(p), v128.load(p + e));
    const p0b = i16x8.add(v128.load(p, 16), v128.load(p + e, 16));
    const ca = v128.load(p + c);
    const cb = v128.load(p + c, 16);
    let a0: v128, a1: v128, a2: v128, a3: v128;
    if (n == 3) {
      a0 = dot2(p0a, ca, ka, true);
      a1 = dot2(p0a, ca, ka, false);
      a2 = dot2(p0b, cb, ka, true);
      a3 = dot2(p0b, cb, ka, false);
    } else {
      const p1a = i16x8.add(v128.load(p, 2), v128.load(p + e - 2));
      const p1b = i16x8.add(v128.load(p, 18), v128.load(p + e - 2, 16));
      // Second term pair: (C, 0) for n = 5, (P2, C) for n = 7.
      const qa = n == 5 ? ca : i16x8.add(v128.load(p, 4), v128.load(p + e - 4));
      const qb = n == 5 ? cb : i16x8.add(v128.load(p, 20), v128.load(p + e - 4, 16));
      const ra = n == 5 ? z : ca;
      const rb = n == 5 ? z : cb;
      a0 = i32x4.add(dot2(p0a, p1a, ka, true), dot2(qa, ra, kb, true));
      a1 = i32x4.add(dot2(p0a, p1a, ka, false), dot2(qa, ra, kb, false));
      a2 = i32x4.add(dot2(p0b, p1b, ka, true), dot2(qb, rb, kb, true));
      a3 = i32x4.add(dot2(p0b, p1b, ka, false), dot2(qb, rb, kb, false));
    }
    a0 = i32x4.shr_u(i32x4.add(a0, rv), shift);
    a1 = i32x4.shr_u(i32x4.add(a1, rv), shift);
    a2 = i32x4.shr_u(i32x4.add(a2, rv), shift);
    a3 = i32x4.shr_u(i32x4.add(a3, rv), shift);
    v128.store(dst + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a0, a1), i16x8.narrow_i32x4_s(a2, a3)));
  }
  return x;
}

// One function per unrolled variant: inlined into vpass/hpass, these loops ran several times
// slower on V8 (7x7 at 1080p: 5.7 ms inlined, 2.0 ms as its own function; its register allocator
// over one very large function).
type U = usize;
function vsym3(r: U, k: U, o: U, w: i32): i32 { return vsym(3, false, r, k, o, w); }
function vsym5(r: U, k: U, o: U, w: i32): i32 { return vsym(5, false, r, k, o, w); }
function vsym7(r: U, k: U, o: U, w: i32): i32 { return vsym(7, false, r, k, o, w); }
function vanti3(r: U, k: U, o: U, w: i32): i32 { return vsym(3, true, r, k, o, w); }
function vanti5(r: U, k: U, o: U, w: i32): i32 { return vsym(5, true, r, k, o, w); }
function vanti7(r: U, k: U, o: U, w: i32): i32 { return vsym(7, true, r, k, o, w); }
function hsymU8_3(b: U, k: U, d: U, w: i32, s: i32): i32 { return hsym(3, false, OUT_U8, b, k, d, w, s, 0); }
function hsymU8_5(b: U, k: U, d: U, w: i32, s: i32): i32 { return hsym(5, false, OUT_U8, b, k, d, w, s, 0); }
function hsymU8_7(b: U, k: U, d: U, w: i32, s: i32): i32 { return hsym(7, false, OUT_U8, b, k, d, w, s, 0); }
function hsymDiv3(b: U, k: U, d: U, w: i32, s: i32, v: i32): i32 { return hsym(3, false, OUT_U8_DIV, b, k, d, w, s, v); }
function hsymDiv5(b: U, k: U, d: U, w: i32, s: i32, v: i32): i32 { return hsym(5, false, OUT_U8_DIV, b, k, d, w, s, v); }
function hsymDiv7(b: U, k: U, d: U, w: i32, s: i32, v: i32): i32 { return hsym(7, false, OUT_U8_DIV, b, k, d, w, s, v); }
function hsymI16_3(b: U, k: U, d: U, w: i32): i32 { return hsym(3, false, OUT_I16, b, k, d, w, 0, 0); }
function hsymI16_5(b: U, k: U, d: U, w: i32): i32 { return hsym(5, false, OUT_I16, b, k, d, w, 0, 0); }
function hsymI16_7(b: U, k: U, d: U, w: i32): i32 { return hsym(7, false, OUT_I16, b, k, d, w, 0, 0); }
function hantiI16_3(b: U, k: U, d: U, w: i32): i32 { return hsym(3, true, OUT_I16, b, k, d, w, 0, 0); }
function hantiI16_5(b: U, k: U, d: U, w: i32): i32 { return hsym(5, true, OUT_I16, b, k, d, w, 0, 0); }
function hantiI16_7(b: U, k: U, d: U, w: i32): i32 { return hsym(7, true, OUT_I16, b, k, d, w, 0, 0); }
function hwideAny(n: i32, b: U, k: U, d: U, w: i32, s: i32): i32 { return hwide(n, b, k, d, w, s); }
function hwsym3(b: U, k: U, d: U, w: i32, s: i32): i32 { return hwsym(3, b, k, d, w, s); }
function hwsym5(b: U, k: U, d: U, w: i32, s: i32): i32 { return hwsym(5, b, k, d, w, s); }
function hwsym7(b: U, k: U, d: U, w: i32, s: i32): i32 { return hwsym(7, b, k, d, w, s); }

// Scalar twins of the unrolled paths, for the scalar build and the SIMD build's row tails: the same
// mirrored sums with every tap written out (the tap loops cost the scalar build 3-5x at 1080p).
// @ts-ignore: decorator
@inline function vsymScalar(n: i32, anti: bool, rows: usize, ky: usize, out: usize, x0: i32, width: i32): void {
  const c = n >> 1;
  const k0 = <i32>load<i16>(ky);
  const k1 = <i32>load<i16>(ky, 2);
  const k2 = <i32>load<i16>(ky, 4);
  const kc = <i32>load<i16>(ky + (<usize>c << 1));
  const a0 = rowAt(rows, 0);
  const b0 = rowAt(rows, n - 1);
  const a1 = rowAt(rows, 1);
  const b1 = rowAt(rows, n - 2);
  const a2 = rowAt(rows, 2);
  const b2 = rowAt(rows, n - 3);
  const rc = rowAt(rows, c);
  for (let x = x0; x < width; x++) {
    const o = <usize>x;
    let s = k0 * (anti ? <i32>load<u8>(a0 + o) - <i32>load<u8>(b0 + o) : <i32>load<u8>(a0 + o) + <i32>load<u8>(b0 + o));
    if (n >= 5) s += k1 * (anti ? <i32>load<u8>(a1 + o) - <i32>load<u8>(b1 + o) : <i32>load<u8>(a1 + o) + <i32>load<u8>(b1 + o));
    if (n >= 7) s += k2 * (anti ? <i32>load<u8>(a2 + o) - <i32>load<u8>(b2 + o) : <i32>load<u8>(a2 + o) + <i32>load<u8>(b2 + o));
    if (!anti) s += kc * <i32>load<u8>(rc + o);
    store<u16>(out + (o << 1), <u16>s);
  }
}

// @ts-ignore: decorator
@inline function hsymScalar(n: i32, anti: bool, base: usize, kx: usize, dst: usize, x0: i32, width: i32, mode: i32, shift: i32, div: i32): void {
  const e = <usize>(n - 1) << 1;
  const k0 = <i32>load<i16>(kx);
  const k1 = <i32>load<i16>(kx, 2);
  const k2 = <i32>load<i16>(kx, 4);
  const kc = <i32>load<i16>(kx + (<usize>(n >> 1) << 1));
  const round = shift > 0 ? 1 << (shift - 1) : 0;
  for (let x = x0; x < width; x++) {
    const p = base + (<usize>x << 1);
    let s = k0 * (anti ? <i32>load<u16>(p) - <i32>load<u16>(p + e) : <i32>load<u16>(p) + <i32>load<u16>(p + e));
    if (n >= 5) s += k1 * (anti ? <i32>load<u16>(p, 2) - <i32>load<u16>(p + e - 2) : <i32>load<u16>(p, 2) + <i32>load<u16>(p + e - 2));
    if (n >= 7) s += k2 * (anti ? <i32>load<u16>(p, 4) - <i32>load<u16>(p + e - 4) : <i32>load<u16>(p, 4) + <i32>load<u16>(p + e - 4));
    if (!anti) s += kc * <i32>load<u16>(p + (<usize>(n >> 1) << 1));
    if (mode == OUT_I16) store<i16>(dst + (<usize>x << 1), <i16>s);
    else if (mode == OUT_U8_DIV) store<u8>(dst + <usize>x, <u8>(<u32>((s + shift) * div) >> 23));
    else store<u8>(dst + <usize>x, <u8>(<u32>(s + round) >> shift));
  }
}

// Dispatch to one function per variant (see the note on V8 above).
function vscalar(n: i32, anti: bool, r: U, k: U, o: U, x0: i32, w: i32): void {
  if (anti) {
    if (n == 3) vsymScalar3a(r, k, o, x0, w);
    else if (n == 5) vsymScalar5a(r, k, o, x0, w);
    else vsymScalar7a(r, k, o, x0, w);
  } else if (n == 3) vsymScalar3(r, k, o, x0, w);
  else if (n == 5) vsymScalar5(r, k, o, x0, w);
  else vsymScalar7(r, k, o, x0, w);
}
function vsymScalar3(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(3, false, r, k, o, x0, w); }
function vsymScalar5(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(5, false, r, k, o, x0, w); }
function vsymScalar7(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(7, false, r, k, o, x0, w); }
function vsymScalar3a(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(3, true, r, k, o, x0, w); }
function vsymScalar5a(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(5, true, r, k, o, x0, w); }
function vsymScalar7a(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(7, true, r, k, o, x0, w); }

function hscalar(n: i32, anti: bool, b: U, k: U, d: U, x0: i32, w: i32, mode: i32, s: i32, v: i32): void {
  if (anti) {
    if (n == 3) hsymScalar(3, true, b, k, d, x0, w, mode, s, v);
    else if (n == 5) hsymScalar(5, true, b, k, d, x0, w, mode, s, v);
    else hsymScalar(7, true, b, k, d, x0, w, mode, s, v);
  } else if (n == 3) hsymScalar3(b, k, d, x0, w, mode, s, v);
  else if (n == 5) hsymScalar5(b, k, d, x0, w, mode, s, v);
  else hsymScalar7(b, k, d, x0, w, mode, s, v);
}
function hsymScalar3(b: U, k: U, d: U, x0: i32, w: i32, m: i32, s: i32, v: i32): void { hsymScalar(3, false, b, k, d, x0, w, m, s, v); }
function hsymScalar5(b: U, k: U, d: U, x0: i32, w: i32, m: i32, s: i32, v: i32): void { hsymScalar(5, false, b, k, d, x0, w, m, s, v); }
function hsymScalar7(b: U, k: U, d: U, x0: i32, w: i32, m: i32, s: i32, v: i32): void { hsymScalar(7, false, b, k, d, x0, w, m, s, v); }

// Vertical pass: SIMD where an unrolled path fits, then plain loops for the rest of the row.
function vpass(rows: usize, ky: usize, ny: i32, sym: i32, out: usize, width: i32): void {
  let x = 0;
  if (ASC_FEATURE_SIMD) {
    if (sym == 1) {
      if (ny == 3) x = vsym3(rows, ky, out, width);
      else if (ny == 5) x = vsym5(rows, ky, out, width);
      else if (ny == 7) x = vsym7(rows, ky, out, width);
    } else if (sym == 2) {
      if (ny == 3) x = vanti3(rows, ky, out, width);
      else if (ny == 5) x = vanti5(rows, ky, out, width);
      else if (ny == 7) x = vanti7(rows, ky, out, width);
    }
    // Any other kernel: 16 pixels per step, taps in a loop.
    for (; x + 16 <= width; x += 16) {
      let l = i16x8.splat(0);
      let h = l;
      for (let j = 0; j < ny; j++) {
        const s = v128.load(rowAt(rows, j) + <usize>x);
        const k = weight(ky, j);
        l = i16x8.add(l, i16x8.mul(lo8(s), k));
        h = i16x8.add(h, i16x8.mul(hi8(s), k));
      }
      v128.store(out + (<usize>x << 1), l);
      v128.store(out + (<usize>x << 1), h, 16);
    }
  }
  if (sym != 0 && (ny == 3 || ny == 5 || ny == 7)) {
    vscalar(ny, sym == 2, rows, ky, out, x, width);
    return;
  }
  for (; x < width; x++) {
    let s = 0;
    for (let j = 0; j < ny; j++) s += <i32>load<i16>(ky + (<usize>j << 1)) * <i32>load<u8>(rowAt(rows, j) + <usize>x);
    store<u16>(out + (<usize>x << 1), <u16>s);
  }
}

// Horizontal pass: out[x] = sum_i kx[i] V[x + i - rx], then per mode.
function hpass(v: usize, kx: usize, nx: i32, sym: i32, dst: usize, width: i32, mode: i32, shift: i32, div: i32): void {
  const base = v - (<usize>(nx >> 1) << 1);
  const round = shift > 0 ? 1 << (shift - 1) : 0;
  let x = 0;
  if (ASC_FEATURE_SIMD) {
    if (mode == OUT_U8_WIDE_PAIRS && sym == 1 && (nx == 3 || nx == 5 || nx == 7)) {
      if (nx == 3) x = hwsym3(base, kx, dst, width, shift);
      else if (nx == 5) x = hwsym5(base, kx, dst, width, shift);
      else x = hwsym7(base, kx, dst, width, shift);
    } else if (mode == OUT_U8_WIDE || mode == OUT_U8_WIDE_PAIRS) {
      x = hwideAny(nx, base, kx, dst, width, shift);
    } else if (sym == 1 && mode == OUT_U8) {
      if (nx == 3) x = hsymU8_3(base, kx, dst, width, shift);
      else if (nx == 5) x = hsymU8_5(base, kx, dst, width, shift);
      else if (nx == 7) x = hsymU8_7(base, kx, dst, width, shift);
    } else if (sym == 1 && mode == OUT_U8_DIV) {
      if (nx == 3) x = hsymDiv3(base, kx, dst, width, shift, div);
      else if (nx == 5) x = hsymDiv5(base, kx, dst, width, shift, div);
      else if (nx == 7) x = hsymDiv7(base, kx, dst, width, shift, div);
    } else if (sym == 1 && mode == OUT_I16) {
      if (nx == 3) x = hsymI16_3(base, kx, dst, width);
      else if (nx == 5) x = hsymI16_5(base, kx, dst, width);
      else if (nx == 7) x = hsymI16_7(base, kx, dst, width);
    } else if (sym == 2 && mode == OUT_I16) {
      if (nx == 3) x = hantiI16_3(base, kx, dst, width);
      else if (nx == 5) x = hantiI16_5(base, kx, dst, width);
      else if (nx == 7) x = hantiI16_7(base, kx, dst, width);
    }
    // Any other kernel with 16-bit sums: 16 outputs per step, taps in a loop.
    const rv = i16x8.splat(<i16>round);
    if (mode == OUT_U8_DIV) {
      const dv = i32x4.splat(shift);
      const sv = i32x4.splat(div);
      for (; x + 16 <= width; x += 16) {
        let a = i16x8.splat(0);
        let b = a;
        for (let i = 0; i < nx; i++) {
          const p = base + (<usize>(x + i) << 1);
          a = i16x8.add(a, i16x8.mul(v128.load(p), weight(kx, i)));
          b = i16x8.add(b, i16x8.mul(v128.load(p, 16), weight(kx, i)));
        }
        v128.store(dst + <usize>x, divide16(a, b, dv, sv));
      }
    }
    if (mode == OUT_U8 || mode == OUT_I16) for (; x + 8 <= width; x += 8) {
      let a = i16x8.splat(0);
      for (let i = 0; i < nx; i++) a = i16x8.add(a, i16x8.mul(v128.load(base + (<usize>(x + i) << 1)), weight(kx, i)));
      if (mode == OUT_I16) v128.store(dst + (<usize>x << 1), a);
      else v128.store64_lane(dst + <usize>x, i8x16.narrow_i16x8_u(i16x8.shr_u(i16x8.add(a, rv), shift), a), 0);
    }
  }
  if (sym != 0 && (nx == 3 || nx == 5 || nx == 7)) {
    hscalar(nx, sym == 2, base, kx, dst, x, width, mode, shift, div);
    return;
  }
  for (; x < width; x++) {
    let s = 0;
    for (let i = 0; i < nx; i++) s += <i32>load<i16>(kx + (<usize>i << 1)) * <i32>load<u16>(base + (<usize>(x + i) << 1));
    if (mode == OUT_I16) store<i16>(dst + (<usize>x << 1), <i16>s);
    else if (mode == OUT_U8_DIV) store<u8>(dst + <usize>x, <u8>(<u32>((s + shift) * div) >> 23));
    else store<u8>(dst + <usize>x, <u8>(<u32>(s + round) >> shift));
  }
}

// The whole filter. `ky`, `kx` point at i16 weights; see the header for modes, symmetry and scratch.
export function separable(
  src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32,
  kx: usize, nx: i32, symX: i32, ky: usize, ny: i32, symY: i32, mode: i32, shift: i32, div: i32, work: usize,
): void {
  const rx = nx >> 1;
  const ry = ny >> 1;
  const pad = (rx + 7) & ~7;
  const rows = work;
  const v = work + ((<usize>ny * 4 + 15) & ~15) + (<usize>pad << 1);
  for (let y = 0; y < height; y++) {
    for (let j = 0; j < ny; j++) store<u32>(rows + (<usize>j << 2), <u32>(src + <usize>reflect101(y + j - ry, height) * <usize>srcStride));
    vpass(rows, ky, ny, symY, v, width);
    padRow16(v, width, rx);
    hpass(v, kx, nx, symX, dst + <usize>y * <usize>dstStride, width, mode, shift, div);
  }
}
