/*
 * The arithmetic OpenCV does on a 256-bin histogram, in the same number types, shared by every
 * backend (it is 256 steps, not a pixel loop): equalizeHist's table (histogram.cpp, float32) and
 * Otsu's threshold (thresh.cpp getThreshVal_Otsu, float64).
 */

/** cvRound on a float: to nearest, ties to even. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/**
 * equalizeHist's look-up table into `lut` from `hist` of `total` pixels: the first occupied bin maps
 * to 0, each later bin to saturate_cast<uchar>(cumulative * scale) with scale = 255.f / (total -
 * hist[first]), all in float32 as OpenCV computes it. Returns the single value when every pixel has
 * it (OpenCV then fills dst with it), else -1.
 */
export function equalizeLut(lut: Uint8Array, hist: Uint32Array, total: number): number {
  let i = 0;
  while (i < 255 && hist[i] === 0) i++;
  if (hist[i] === total) return i;
  const scale = Math.fround(255 / Math.fround(total - hist[i]!));
  lut.fill(0, 0, i + 1);
  let sum = 0;
  for (i++; i < 256; i++) {
    sum += hist[i]!;
    lut[i] = Math.min(255, Math.max(0, roundHalfEven(Math.fround(Math.fround(sum) * scale))));
  }
  return -1;
}

const FLT_EPSILON = 1.1920928955078125e-7;

/** Otsu's threshold of a histogram of `total` pixels, operation for operation as OpenCV's (float64). */
export function otsuThreshold(hist: Uint32Array, total: number): number {
  const scale = 1 / total;
  let mu = 0;
  for (let i = 0; i < 256; i++) mu += i * hist[i]!;
  mu *= scale;
  let mu1 = 0;
  let q1 = 0;
  let maxSigma = 0;
  let maxVal = 0;
  for (let i = 0; i < 256; i++) {
    const p = hist[i]! * scale;
    mu1 *= q1;
    q1 += p;
    const q2 = 1 - q1;
    if (Math.min(q1, q2) < FLT_EPSILON || Math.max(q1, q2) > 1 - FLT_EPSILON) continue;
    mu1 = (mu1 + i * p) / q1;
    const mu2 = (mu - q1 * mu1) / q2;
    const sigma = q1 * q2 * (mu1 - mu2) * (mu1 - mu2);
    if (sigma > maxSigma) {
      maxSigma = sigma;
      maxVal = i;
    }
  }
  return maxVal;
}
