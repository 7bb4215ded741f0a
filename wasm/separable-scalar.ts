// Scalar twins of the separable engine's unrolled paths (wasm/separable-paths.ts).
import { OUT_I16, OUT_U8_DIV, rowAt } from './separable-paths';

type U = usize;

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
export function vscalar(n: i32, anti: bool, r: U, k: U, o: U, x0: i32, w: i32): void {
  if (anti) {
    if (n == 3) vsymScalar3a(r, k, o, x0, w);
    else if (n == 5) vsymScalar5a(r, k, o, x0, w);
    else vsymScalar7a(r, k, o, x0, w);
  } else if (n == 3) vsymScalar3(r, k, o, x0, w);
  else if (n == 5) vsymScalar5(r, k, o, x0, w);
  else vsymScalar7(r, k, o, x0, w);
}
export function vsymScalar3(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(3, false, r, k, o, x0, w); }
export function vsymScalar5(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(5, false, r, k, o, x0, w); }
export function vsymScalar7(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(7, false, r, k, o, x0, w); }
export function vsymScalar3a(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(3, true, r, k, o, x0, w); }
export function vsymScalar5a(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(5, true, r, k, o, x0, w); }
export function vsymScalar7a(r: U, k: U, o: U, x0: i32, w: i32): void { vsymScalar(7, true, r, k, o, x0, w); }

export function hscalar(n: i32, anti: bool, b: U, k: U, d: U, x0: i32, w: i32, mode: i32, s: i32, v: i32): void {
  if (anti) {
    if (n == 3) hsymScalar(3, true, b, k, d, x0, w, mode, s, v);
    else if (n == 5) hsymScalar(5, true, b, k, d, x0, w, mode, s, v);
    else hsymScalar(7, true, b, k, d, x0, w, mode, s, v);
  } else if (n == 3) hsymScalar3(b, k, d, x0, w, mode, s, v);
  else if (n == 5) hsymScalar5(b, k, d, x0, w, mode, s, v);
  else hsymScalar7(b, k, d, x0, w, mode, s, v);
}
export function hsymScalar3(b: U, k: U, d: U, x0: i32, w: i32, m: i32, s: i32, v: i32): void { hsymScalar(3, false, b, k, d, x0, w, m, s, v); }
export function hsymScalar5(b: U, k: U, d: U, x0: i32, w: i32, m: i32, s: i32, v: i32): void { hsymScalar(5, false, b, k, d, x0, w, m, s, v); }
export function hsymScalar7(b: U, k: U, d: U, x0: i32, w: i32, m: i32, s: i32, v: i32): void { hsymScalar(7, false, b, k, d, x0, w, m, s, v); }

