// Histogram, look-up table and threshold kernels for 8-bit planes (OpenCV's calcHist over 256 bins,
// the LUT step of equalizeHist, threshold THRESH_BINARY / THRESH_BINARY_INV).

// 256 u32 counts of `src` into `out`. Four sub-histograms (out and three in `work`, 3 KiB) take
// pixels in turn, so consecutive equal pixels do not wait on each other's increment (a store-to-
// load dependency), as OpenCV's unrolled loop does; they are summed into `out` at the end.
export function histogram(src: usize, srcStride: i32, width: i32, height: i32, out: usize, work: usize): void {
  memory.fill(out, 0, 1024);
  memory.fill(work, 0, 3072);
  const h1 = work;
  const h2 = work + 1024;
  const h3 = work + 2048;
  for (let y = 0; y < height; y++) {
    const s = src + <usize>y * <usize>srcStride;
    let x = 0;
    for (; x + 4 <= width; x += 4) {
      const v = load<u32>(s + <usize>x);
      const a = out + ((<usize>v & 255) << 2);
      const b = h1 + (((<usize>v >> 8) & 255) << 2);
      const c = h2 + (((<usize>v >> 16) & 255) << 2);
      const d = h3 + ((<usize>v >> 24) << 2);
      store<u32>(a, load<u32>(a) + 1);
      store<u32>(b, load<u32>(b) + 1);
      store<u32>(c, load<u32>(c) + 1);
      store<u32>(d, load<u32>(d) + 1);
    }
    for (; x < width; x++) {
      const a = out + (<usize>load<u8>(s + <usize>x) << 2);
      store<u32>(a, load<u32>(a) + 1);
    }
  }
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i < 1024; i += 16) {
      v128.store(out + i, i32x4.add(i32x4.add(v128.load(out + i), v128.load(h1 + i)), i32x4.add(v128.load(h2 + i), v128.load(h3 + i))));
    }
  }
  for (; i < 1024; i += 4) store<u32>(out + i, load<u32>(out + i) + load<u32>(h1 + i) + load<u32>(h2 + i) + load<u32>(h3 + i));
}

// dst[x] = lut[src[x]] with a 256-byte table. Plain loads: a 256-entry table does not fit one
// swizzle (16 entries), and 16 swizzles per 16 pixels measured no faster than the scalar loop.
export function lut_u8(src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32, lut: usize): void {
  for (let y = 0; y < height; y++) {
    const s = src + <usize>y * <usize>srcStride;
    const d = dst + <usize>y * <usize>dstStride;
    let x = 0;
    for (; x + 4 <= width; x += 4) {
      const v = load<u32>(s + <usize>x);
      const r =
        <u32>load<u8>(lut + (<usize>v & 255)) |
        (<u32>load<u8>(lut + ((<usize>v >> 8) & 255)) << 8) |
        (<u32>load<u8>(lut + ((<usize>v >> 16) & 255)) << 16) |
        (<u32>load<u8>(lut + (<usize>v >> 24)) << 24);
      store<u32>(d + <usize>x, r);
    }
    for (; x < width; x++) store<u8>(d + <usize>x, load<u8>(lut + <usize>load<u8>(s + <usize>x)));
  }
}

// dst = src > thresh ? hi : lo (OpenCV THRESH_BINARY: hi = maxval, lo = 0; BINARY_INV swaps them).
// `thresh` is an integer in -1..255 (the caller folds OpenCV's cvFloor and out-of-range cases).
export function threshold_u8(src: usize, srcStride: i32, dst: usize, dstStride: i32, width: i32, height: i32, thresh: i32, hi: i32, lo: i32): void {
  for (let y = 0; y < height; y++) {
    const s = src + <usize>y * <usize>srcStride;
    const d = dst + <usize>y * <usize>dstStride;
    let x = 0;
    if (ASC_FEATURE_SIMD && thresh >= 0 && thresh < 255) {
      const t = i8x16.splat(<i8>thresh);
      const h = i8x16.splat(<i8>hi);
      const l = i8x16.splat(<i8>lo);
      // Four vectors a step: the loop's own overhead was a third of the time for this two-op body.
      for (; x + 64 <= width; x += 64) {
        const p = s + <usize>x;
        const q = d + <usize>x;
        v128.store(q, v128.bitselect(h, l, i8x16.gt_u(v128.load(p), t)));
        v128.store(q, v128.bitselect(h, l, i8x16.gt_u(v128.load(p, 16), t)), 16);
        v128.store(q, v128.bitselect(h, l, i8x16.gt_u(v128.load(p, 32), t)), 32);
        v128.store(q, v128.bitselect(h, l, i8x16.gt_u(v128.load(p, 48), t)), 48);
      }
      for (; x + 16 <= width; x += 16) v128.store(d + <usize>x, v128.bitselect(h, l, i8x16.gt_u(v128.load(s + <usize>x), t)));
    }
    for (; x < width; x++) store<u8>(d + <usize>x, <i32>load<u8>(s + <usize>x) > thresh ? <u8>hi : <u8>lo);
  }
}
