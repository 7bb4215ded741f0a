/*
 * OpenCV's INTER_LINEAR tables for one axis (resize.cpp, resizeGeneric_ set-up), in its number types:
 *   scale = 1 / (dstLen / srcLen)                              (double)
 *   f  = (float)((d + 0.5) * scale - 0.5);  s = floor(f);  f -= s   (float)
 *   s < 0: s = 0, f = 0;   s >= srcLen - 1: s = srcLen - 1, f = 0
 *   weights cvRound((1.f - f) * 2048), cvRound(f * 2048)         (INTER_RESIZE_COEF_SCALE)
 * and the second source index clamped to the axis.
 */

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/**
 * Fills one axis's tables: `ofs[o + d]`, `ofs1[o1 + d]` source indices and `w[ow + 2d]`, `w[ow + 2d + 1]`
 * weights, for d in 0..dstLen. Writes into the arrays given (views over the memory, or the
 * reference's own): allocates nothing.
 */
export function linearAxis(
  srcLen: number,
  dstLen: number,
  ofs: Int32Array,
  o: number,
  ofs1: Int32Array,
  o1: number,
  w: Int16Array,
  ow: number,
): void {
  const scale = 1 / (dstLen / srcLen);
  for (let d = 0; d < dstLen; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (s < 0) {
      s = 0;
      f = 0;
    }
    if (s >= srcLen - 1) {
      s = srcLen - 1;
      f = 0;
    }
    ofs[o + d] = s;
    ofs1[o1 + d] = Math.min(s + 1, srcLen - 1);
    w[ow + 2 * d] = roundHalfEven(Math.fround(1 - f) * 2048);
    w[ow + 2 * d + 1] = roundHalfEven(f * 2048);
  }
}

/**
 * The integer block of INTER_AREA's fast path, or 0: OpenCV takes it when both scales (src / dst,
 * double) are integers, and INTER_LINEAR takes it too when both are exactly 2.
 */
export function areaFactor(srcLen: number, dstLen: number): number {
  const scale = srcLen / dstLen;
  const i = Math.round(scale);
  return Math.abs(scale - i) < Number.EPSILON ? i : 0;
}
