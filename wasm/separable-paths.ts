// The unrolled SIMD paths of the separable engine (wasm/separable.ts explains the algorithm and the
// output modes): mirrored-tap vertical and horizontal passes for kernels of 3, 5 and 7 taps, the
// 32-bit horizontal passes, and the shared vector helpers.

export const OUT_U8: i32 = 0;
export const OUT_U8_WIDE: i32 = 1;
export const OUT_I16: i32 = 2;
export const OUT_U8_DIV: i32 = 3;
export const OUT_U8_WIDE_PAIRS: i32 = 4;

// Sixteen unsigned 16-bit sums to bytes by ((s + delta) * scale) >> 23 (32-bit lanes: < 2^31).
// @ts-ignore: decorator
@inline export function divide16(a: v128, b: v128, delta: v128, scale: v128): v128 {
  const a0 = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.extend_low_i16x8_u(a), delta), scale), 23);
  const a1 = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.extend_high_i16x8_u(a), delta), scale), 23);
  const b0 = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.extend_low_i16x8_u(b), delta), scale), 23);
  const b1 = i32x4.shr_u(i32x4.mul(i32x4.add(i32x4.extend_high_i16x8_u(b), delta), scale), 23);
  return i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(a0, a1), i16x8.narrow_i32x4_s(b0, b1));
}

// @ts-ignore: decorator
@inline export function lo8(v: v128): v128 {
  return i16x8.extend_low_i8x16_u(v);
}
// @ts-ignore: decorator
@inline export function hi8(v: v128): v128 {
  return i16x8.extend_high_i8x16_u(v);
}
// @ts-ignore: decorator
@inline function mirror(a: v128, b: v128, anti: bool): v128 {
  return anti ? i16x8.sub(a, b) : i16x8.add(a, b);
}
// @ts-ignore: decorator
@inline export function rowAt(rows: usize, j: i32): usize {
  return <usize>load<u32>(rows + (<usize>j << 2));
}
// @ts-ignore: decorator
@inline export function weight(k: usize, i: i32): v128 {
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
export type U = usize;
export function vsym3(r: U, k: U, o: U, w: i32): i32 { return vsym(3, false, r, k, o, w); }
export function vsym5(r: U, k: U, o: U, w: i32): i32 { return vsym(5, false, r, k, o, w); }
export function vsym7(r: U, k: U, o: U, w: i32): i32 { return vsym(7, false, r, k, o, w); }
export function vanti3(r: U, k: U, o: U, w: i32): i32 { return vsym(3, true, r, k, o, w); }
export function vanti5(r: U, k: U, o: U, w: i32): i32 { return vsym(5, true, r, k, o, w); }
export function vanti7(r: U, k: U, o: U, w: i32): i32 { return vsym(7, true, r, k, o, w); }
export function hsymU8_3(b: U, k: U, d: U, w: i32, s: i32): i32 { return hsym(3, false, OUT_U8, b, k, d, w, s, 0); }
export function hsymU8_5(b: U, k: U, d: U, w: i32, s: i32): i32 { return hsym(5, false, OUT_U8, b, k, d, w, s, 0); }
export function hsymU8_7(b: U, k: U, d: U, w: i32, s: i32): i32 { return hsym(7, false, OUT_U8, b, k, d, w, s, 0); }
export function hsymDiv3(b: U, k: U, d: U, w: i32, s: i32, v: i32): i32 { return hsym(3, false, OUT_U8_DIV, b, k, d, w, s, v); }
export function hsymDiv5(b: U, k: U, d: U, w: i32, s: i32, v: i32): i32 { return hsym(5, false, OUT_U8_DIV, b, k, d, w, s, v); }
export function hsymDiv7(b: U, k: U, d: U, w: i32, s: i32, v: i32): i32 { return hsym(7, false, OUT_U8_DIV, b, k, d, w, s, v); }
export function hsymI16_3(b: U, k: U, d: U, w: i32): i32 { return hsym(3, false, OUT_I16, b, k, d, w, 0, 0); }
export function hsymI16_5(b: U, k: U, d: U, w: i32): i32 { return hsym(5, false, OUT_I16, b, k, d, w, 0, 0); }
export function hsymI16_7(b: U, k: U, d: U, w: i32): i32 { return hsym(7, false, OUT_I16, b, k, d, w, 0, 0); }
export function hantiI16_3(b: U, k: U, d: U, w: i32): i32 { return hsym(3, true, OUT_I16, b, k, d, w, 0, 0); }
export function hantiI16_5(b: U, k: U, d: U, w: i32): i32 { return hsym(5, true, OUT_I16, b, k, d, w, 0, 0); }
export function hantiI16_7(b: U, k: U, d: U, w: i32): i32 { return hsym(7, true, OUT_I16, b, k, d, w, 0, 0); }
export function hwideAny(n: i32, b: U, k: U, d: U, w: i32, s: i32): i32 { return hwide(n, b, k, d, w, s); }
export function hwsym3(b: U, k: U, d: U, w: i32, s: i32): i32 { return hwsym(3, b, k, d, w, s); }
export function hwsym5(b: U, k: U, d: U, w: i32, s: i32): i32 { return hwsym(5, b, k, d, w, s); }
export function hwsym7(b: U, k: U, d: U, w: i32, s: i32): i32 { return hwsym(7, b, k, d, w, s); }

