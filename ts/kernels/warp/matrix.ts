/*
 * The inverse maps warpAffine / warpPerspective sample with when given a forward (src -> dst)
 * matrix, computed in OpenCV's order of double operations so that the fixed-point positions, and so
 * the pixels, come out the same: cv::warpAffine's inline 2x3 inverse, and cv::invert's closed form
 * for 3x3 doubles (DECOMP_LU on n <= 3: the adjugate over det3). Both write into `out`.
 */

/** Inverts a 2x3 affine map; false (out untouched) when its 2x2 part is singular. */
export function invertAffine(m: ArrayLike<number>, out: Float64Array): boolean {
  let d = m[0]! * m[4]! - m[1]! * m[3]!;
  if (d === 0) return false;
  d = 1 / d;
  const a11 = m[4]! * d;
  const a22 = m[0]! * d;
  const a12 = m[1]! * -d;
  const a21 = m[3]! * -d;
  const b1 = -a11 * m[2]! - a12 * m[5]!;
  const b2 = -a21 * m[2]! - a22 * m[5]!;
  out[0] = a11;
  out[1] = a12;
  out[2] = b1;
  out[3] = a21;
  out[4] = a22;
  out[5] = b2;
  return true;
}

/** Inverts a 3x3 homography; false (out untouched) when its determinant is 0. */
export function invertPerspective(m: ArrayLike<number>, out: Float64Array): boolean {
  const [a, b, c, d, e, f, g, h, i] = [m[0]!, m[1]!, m[2]!, m[3]!, m[4]!, m[5]!, m[6]!, m[7]!, m[8]!];
  let det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  if (det === 0) return false;
  det = 1 / det;
  out[0] = (e * i - f * h) * det;
  out[1] = (c * h - b * i) * det;
  out[2] = (b * f - c * e) * det;
  out[3] = (f * g - d * i) * det;
  out[4] = (a * i - c * g) * det;
  out[5] = (c * d - a * f) * det;
  out[6] = (d * h - e * g) * det;
  out[7] = (b * g - a * h) * det;
  out[8] = (a * e - b * d) * det;
  return true;
}
