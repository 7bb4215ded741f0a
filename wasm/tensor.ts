// RGBA (or BGRA) 8-bit pixels to a float32 NHWC RGB tensor, the input most image models take:
// bilinear resize of the source into a content rectangle of the tensor (letterbox), every value
// mapped v * scale + bias, and the rest of the tensor filled with `bias` (a black border).
//
// Per output pixel (x, y) of the content rectangle, with tables from TypeScript
// (ts/kernels/tensor-prep/tables.ts): xtab[x] = (left byte offset, right byte offset, fx, 0),
// ytab[y] = (top row, bottom row, fy, 0), and per channel c, all in float32, in this order:
//   top = p00 * (1 - fx) + p01 * fx;   bot = p10 * (1 - fx) + p11 * fx
//   v   = top * (1 - fy) + bot * fy;   out = v * scale + bias
// The SIMD build computes the four channels of a pixel in the four lanes of one f32x4 with the same
// operations in the same order (no fused multiply-add in wasm SIMD), so both builds and the
// TypeScript reference agree bit for bit.
// A pixel's three floats go out as one 16-byte store whose fourth lane the next pixel overwrites;
// the last pixel of each content row is stored lane by lane so no store passes the row.

// @ts-ignore: decorator
@inline function padRun(d: usize, n: i32, bias: f32): void {
  for (let i = 0; i < n; i++) store<f32>(d + (<usize>i << 2), bias);
}

// @ts-ignore: decorator
@inline function px4(p: usize): v128 {
  return f32x4.convert_i32x4_u(i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(p))));
}

// @ts-ignore: decorator
@inline function lerp(a: f32, b: f32, wa: f32, wb: f32): f32 {
  return a * wa + b * wb;
}

export function to_tensor_rgba(
  src: usize, srcStride: i32, dst: usize, dstWidth: i32, dstHeight: i32,
  ox: i32, oy: i32, cw: i32, ch: i32, xtab: usize, ytab: usize, scale: f32, bias: f32, swapRB: i32,
): void {
  const rowFloats = dstWidth * 3;
  const r = swapRB ? 2 : 0;
  const b = swapRB ? 0 : 2;
  // Border rows above and below the content.
  padRun(dst, oy * rowFloats, bias);
  padRun(dst + (<usize>((oy + ch) * rowFloats) << 2), (dstHeight - oy - ch) * rowFloats, bias);
  for (let y = 0; y < ch; y++) {
    const yt = ytab + (<usize>y << 4);
    const r0 = src + <usize>load<i32>(yt) * <usize>srcStride;
    const r1 = src + <usize>load<i32>(yt, 4) * <usize>srcStride;
    const fy = load<f32>(yt, 8);
    const gy: f32 = 1 - fy;
    const row = dst + (<usize>((oy + y) * rowFloats) << 2);
    padRun(row, ox * 3, bias);
    padRun(row + (<usize>((ox + cw) * 3) << 2), (dstWidth - ox - cw) * 3, bias);
    let d = row + (<usize>(ox * 3) << 2);
    let x = 0;
    if (ASC_FEATURE_SIMD) {
      const vy0 = f32x4.splat(gy);
      const vy1 = f32x4.splat(fy);
      const vs = f32x4.splat(scale);
      const vb = f32x4.splat(bias);
      for (; x < cw - 1; x++) {
        const xt = xtab + (<usize>x << 4);
        const a = <usize>load<i32>(xt);
        const c = <usize>load<i32>(xt, 4);
        const fx = f32x4.splat(load<f32>(xt, 8));
        const gx = f32x4.splat(<f32>1 - load<f32>(xt, 8));
        const top = f32x4.add(f32x4.mul(px4(r0 + a), gx), f32x4.mul(px4(r0 + c), fx));
        const bot = f32x4.add(f32x4.mul(px4(r1 + a), gx), f32x4.mul(px4(r1 + c), fx));
        let v = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(top, vy0), f32x4.mul(bot, vy1)), vs), vb);
        if (swapRB) v = v128.shuffle<f32>(v, v, 2, 1, 0, 3);
        v128.store(d, v);
        d += 12;
      }
    }
    for (; x < cw; x++) {
      const xt = xtab + (<usize>x << 4);
      const a = <usize>load<i32>(xt);
      const c = <usize>load<i32>(xt, 4);
      const fx = load<f32>(xt, 8);
      const gx: f32 = 1 - fx;
      for (let k = 0; k < 3; k++) {
        const o = <usize>k;
        const top = lerp(<f32>load<u8>(r0 + a + o), <f32>load<u8>(r0 + c + o), gx, fx);
        const bot = lerp(<f32>load<u8>(r1 + a + o), <f32>load<u8>(r1 + c + o), gx, fx);
        const slot = k == 0 ? r : k == 2 ? b : 1;
        store<f32>(d + (<usize>slot << 2), lerp(top, bot, gy, fy) * scale + bias);
      }
      d += 12;
    }
  }
}
