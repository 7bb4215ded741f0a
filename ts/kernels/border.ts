/**
 * OpenCV's BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba): the index inside [0, len) that stands for
 * `p`, reflecting as often as needed; one sample reflects onto itself (cv::borderInterpolate).
 */
export function reflect101(p: number, len: number): number {
  if (len === 1) return 0;
  while (p < 0 || p >= len) p = p < 0 ? -p : 2 * len - 2 - p;
  return p;
}
