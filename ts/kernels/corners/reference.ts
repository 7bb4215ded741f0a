import type { PlaneLike } from '../../image/plane.js';

/**
 * Corner responses as OpenCV's cornerMinEigenVal and cornerHarris (imgproc/src/corner.cpp,
 * cornerEigenValsVecs) with ksize 3 on an 8-bit gray plane:
 *
 *   dx, dy = Sobel 3x3 of the image, BORDER_REFLECT_101, times s = 1 / (4 * B * 255)
 *   a, b, c = unnormalised B x B box sums of dx*dx, dx*dy, dy*dy, BORDER_REFLECT_101 (of the
 *             gradient images: a gradient outside the image is the gradient at the reflected pixel)
 *   Shi-Tomasi: (a + c) / 2 - sqrt(((a - c) / 2)^2 + b^2)          (the smaller eigenvalue)
 *   Harris:     a * c - b * b - k * (a + c)^2
 *
 * Rounded to float32 where OpenCV stores float32 (gradients, products, sums). OpenCV's Sobel rounds
 * its scaled smoothing kernel and row sums in float32, its box filter sums in double: the result
 * differs from OpenCV's by float rounding only. Tolerance against OpenCV.js (test/unit/corners.test.ts):
 * |ours - opencv| <= 1e-4 * max |response| of the image, per pixel.
 *
 * Evaluates each pixel's window directly (no temporary images): plain loops, the oracle.
 * Writes `dst[y * width + x]` for the whole plane (packed, at least width * height floats).
 */
export function cornerResponseReference(
  heap: Uint8Array,
  dst: Float32Array,
  src: PlaneLike,
  blockSize: number,
  harrisK: number | null,
): void {
  const { width: w, height: h, stride, ptr } = src;
  const f = Math.fround;
  const scale = f(1 / (4 * blockSize * 255));
  const px = (x: number, y: number) => heap[ptr + reflect101(y, h) * stride + reflect101(x, w)]!;
  const lo = blockSize >> 1; // OpenCV's default anchor: B / 2 pixels before, the rest after
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let a = 0;
      let b = 0;
      let c = 0;
      for (let j = -lo; j < blockSize - lo; j++) {
        const yy = reflect101(y + j, h);
        for (let i = -lo; i < blockSize - lo; i++) {
          const xx = reflect101(x + i, w);
          const gx =
            px(xx + 1, yy - 1) - px(xx - 1, yy - 1) + 2 * (px(xx + 1, yy) - px(xx - 1, yy)) + px(xx + 1, yy + 1) - px(xx - 1, yy + 1);
          const gy =
            px(xx - 1, yy + 1) - px(xx - 1, yy - 1) + 2 * (px(xx, yy + 1) - px(xx, yy - 1)) + px(xx + 1, yy + 1) - px(xx + 1, yy - 1);
          const dx = f(gx * scale);
          const dy = f(gy * scale);
          a += f(dx * dx);
          b += f(dx * dy);
          c += f(dy * dy);
        }
      }
      dst[y * w + x] = harrisK === null ? minEigen(f(a), f(b), f(c)) : harris(f(a), f(b), f(c), harrisK);
    }
  }
}

/** OpenCV's calcMinEigenVal in float32: a, c halved, then (a + c) - sqrt((a - c)^2 + b^2). */
function minEigen(a: number, b: number, c: number): number {
  const f = Math.fround;
  const ha = f(a * 0.5);
  const hc = f(c * 0.5);
  const d = f(ha - hc);
  return f(f(ha + hc) - f(Math.sqrt(f(f(d * d) + f(b * b)))));
}

/** OpenCV's calcHarris scalar path: float inputs, double arithmetic (k is a double), one rounding. */
function harris(a: number, b: number, c: number, k: number): number {
  return Math.fround(a * c - b * b - k * (a + c) * (a + c));
}

/** BORDER_REFLECT_101 index (gfedcb|abcdefgh|gfedcba); 0 for a one-pixel axis, as OpenCV. */
export function reflect101(i: number, n: number): number {
  if (n === 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * n - 2 - i;
  return i;
}
