// Border handling shared by the filter kernels.

// OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba): the source index that stands for `p` in a
// row or column of `len` samples. Reflects as often as needed, so a kernel wider than the image is
// fine; a single sample reflects onto itself (as cv::borderInterpolate does).
// @ts-ignore: decorator
@inline export function reflect101(p: i32, len: i32): i32 {
  if (len == 1) return 0;
  while (<u32>p >= <u32>len) p = p < 0 ? -p : 2 * len - 2 - p;
  return p;
}

// Fills `pad` 16-bit samples on each side of the row [row, row + 2 len) with their reflections:
// row[-i] = row[reflect101(-i)], row[len - 1 + i] = row[reflect101(len - 1 + i)].
export function padRow16(row: usize, len: i32, pad: i32): void {
  for (let i = 1; i <= pad; i++) {
    store<u16>(row - (<usize>i << 1), load<u16>(row + (<usize>reflect101(-i, len) << 1)));
    store<u16>(row + (<usize>(len - 1 + i) << 1), load<u16>(row + (<usize>reflect101(len - 1 + i, len) << 1)));
  }
}
