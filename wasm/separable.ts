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
//
// `separableRows` computes any range of output rows of the whole filter (the border still the whole
// image's), for threads that split one image into stripes; `separable` is the range 0..height.
//
// Files: this one (the passes and their dispatch), separable-paths.ts (the unrolled SIMD paths),
// separable-scalar.ts (their scalar twins).

import { padRow16, reflect101 } from './border';
import {
  OUT_I16, OUT_U8, OUT_U8_DIV, OUT_U8_WIDE, OUT_U8_WIDE_PAIRS,
  divide16, hi8, lo8, rowAt, weight,
  vsym3, vsym5, vsym7, vanti3, vanti5, vanti7,
  hsymU8_3, hsymU8_5, hsymU8_7, hsymDiv3, hsymDiv5, hsymDiv7,
  hsymI16_3, hsymI16_5, hsymI16_7, hantiI16_3, hantiI16_5, hantiI16_7,
  hwideAny, hwsym3, hwsym5, hwsym7,
} from './separable-paths';
import { hscalar, vscalar } from './separable-scalar';

export { OUT_I16, OUT_U8, OUT_U8_DIV, OUT_U8_WIDE, OUT_U8_WIDE_PAIRS } from './separable-paths';

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
  separableRows(src, srcStride, dst, dstStride, width, height, 0, height, kx, nx, symX, ky, ny, symY, mode, shift, div, work);
}

// Output rows [y0, y1) of the whole filter over the `height`-row image at `src`, written to the same
// rows of the image at `dst` (both pointers are row 0; the caller checks 0 <= y0 <= y1 <= height).
// Output row y reads source rows reflect101(y - ry .. y + ry, height): the image's own border at its
// real top and bottom, real rows everywhere else. So each row is bit-identical to the whole filter's
// and no byte of dst outside rows [y0, y1) is written: threads can each run a range of one image
// straight into its destination.
export function separableRows(
  src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32, y0: i32, y1: i32,
  kx: usize, nx: i32, symX: i32, ky: usize, ny: i32, symY: i32, mode: i32, shift: i32, div: i32, work: usize,
): void {
  const rx = nx >> 1;
  const ry = ny >> 1;
  const pad = (rx + 7) & ~7;
  const rows = work;
  const v = work + ((<usize>ny * 4 + 15) & ~15) + (<usize>pad << 1);
  for (let y = y0; y < y1; y++) {
    for (let j = 0; j < ny; j++) store<u32>(rows + (<usize>j << 2), <u32>(src + <usize>reflect101(y + j - ry, height) * <usize>srcStride));
    vpass(rows, ky, ny, symY, v, width);
    padRow16(v, width, rx);
    hpass(v, kx, nx, symX, dst + <usize>y * <usize>dstStride, width, mode, shift, div);
  }
}
