import type { PlaneLike } from '../image/plane.js';

/**
 * Photometric refinement of matched points under a homography: where, near H(p), view B shows what
 * view A shows around p. ORB places a keypoint of pyramid level l on that level's pixel grid, so its
 * level-0 position is off by up to s^l / 2 per axis (1.8 px on level 7 at s = 1.2), and the corner a
 * detector finds in a foreshortened view is not exactly the same point of the scene. Under strong
 * viewpoint changes these errors, not the matching or the estimator, decide how far the homography's
 * corners land from the truth: on the registration test pairs a least-squares fit on the true
 * inliers alone averages 1.0 px of corner error, about what RANSAC reaches. Aligning a window of A
 * around p with B, the window carried over by the homography so that it has B's foreshortening,
 * measures the correspondence to a fraction of a pixel whatever level the keypoints came from.
 *
 * The translation t minimises the sum over the window of (B(H(p + d) + t) - A(p + d) - beta)^2,
 * beta a brightness offset (eliminated by centring the sums), by Gauss-Newton on bilinear samples
 * (Lucas-Kanade, forward additive) with step halving. Allocates its sample buffers once, at
 * construction: a one-shot helper of registration, not for the frame loop.
 */
/**
 * Whether a window's centred gradient matrix [gxx gxy; gxy gyy] over n samples has a smallest
 * eigenvalue of at least PatchAligner.MIN_EIGENVALUE per sample.
 */
function textured(gxx: number, gxy: number, gyy: number, n: number): boolean {
  const half = (gxx + gyy) / 2;
  const minEig = half - Math.sqrt(Math.max(0, half * half - (gxx * gyy - gxy * gxy)));
  return minEig >= PatchAligner.MIN_EIGENVALUE * n;
}

export class PatchAligner {
  readonly #heap: Uint8Array;
  readonly #a: PlaneLike;
  readonly #b: PlaneLike;
  readonly #maxRadius: number;
  /** A's window (bilinear values) and where H takes each of its samples in B. */
  readonly #tpl: Float64Array;
  readonly #qx: Float64Array;
  readonly #qy: Float64Array;

  /** Gauss-Newton steps at most, and the step length (px) that ends them. */
  static readonly MAX_STEPS = 20;
  static readonly EPSILON = 0.01;
  /**
   * Smallest eigenvalue of a window's gradient matrix per sample (gray levels^2 / px^2), in A and in
   * B, below which a point is not refined: a window with no gradient in some direction (a flat patch
   * or a straight edge) does not fix a position along it.
   */
  static readonly MIN_EIGENVALUE = 1;

  /** For gray planes `a` and `b` in `heap`, windows of radius at most `maxRadius` px. Allocates. */
  constructor(heap: Uint8Array, a: PlaneLike, b: PlaneLike, maxRadius: number) {
    this.#heap = heap;
    this.#a = a;
    this.#b = b;
    this.#maxRadius = maxRadius;
    const n = (2 * maxRadius + 1) ** 2;
    this.#tpl = new Float64Array(n);
    this.#qx = new Float64Array(n);
    this.#qy = new Float64Array(n);
  }

  /**
   * Refines where A's point (x, y) lies in B under the homography `h` (row-major, A to B), with a
   * window of radius `radius` px (clamped to the constructor's maxRadius). Writes B's point to
   * `out[0]`, `out[1]` and returns true; returns false (out untouched) when the window leaves A or B,
   * has too little texture, or the point moves more than `maxShift` px from H(x, y). The search starts
   * at H(x, y), or at `start` (B's point found earlier, as with a previous model) when given.
   */
  align(
    h: ArrayLike<number>,
    x: number,
    y: number,
    radius: number,
    maxShift: number,
    out: Float64Array | Float32Array,
    start?: ArrayLike<number>,
  ): boolean {
    const r = Math.min(this.#maxRadius, Math.max(1, Math.round(radius)));
    const a = this.#a;
    if (!(x - r >= 0 && y - r >= 0 && x + r < a.width - 1 && y + r < a.height - 1)) return false;
    const [tpl, qx, qy] = [this.#tpl, this.#qx, this.#qy];
    const heap = this.#heap;
    let k = 0;
    let [sgx, sgy, gxx, gxy, gyy] = [0, 0, 0, 0, 0];
    for (let dy = -r; dy <= r; dy++) {
      for (let dx = -r; dx <= r; dx++) {
        const [sx, sy] = [x + dx, y + dy];
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const [fx, fy] = [sx - x0, sy - y0];
        const i = a.ptr + y0 * a.stride + x0;
        const [p00, p01, p10, p11] = [heap[i]!, heap[i + 1]!, heap[i + a.stride]!, heap[i + a.stride + 1]!];
        const top = p00 + fx * (p01 - p00);
        const bot = p10 + fx * (p11 - p10);
        tpl[k] = top + fy * (bot - top);
        const gx = p01 - p00 + fy * (p11 - p10 - (p01 - p00));
        const gy = bot - top;
        [sgx, sgy, gxx, gxy, gyy] = [sgx + gx, sgy + gy, gxx + gx * gx, gxy + gx * gy, gyy + gy * gy];
        const iw = 1 / (h[6]! * sx + h[7]! * sy + h[8]!);
        qx[k] = (h[0]! * sx + h[1]! * sy + h[2]!) * iw;
        qy[k] = (h[3]! * sx + h[4]! * sy + h[5]!) * iw;
        k++;
      }
    }
    const n = k;
    // A's window must fix a position too: one with no texture would align with B's flattest spot.
    if (!textured(gxx - (sgx * sgx) / n, gxy - (sgx * sgy) / n, gyy - (sgy * sgy) / n, n)) return false;
    const b = this.#b;
    const [bw, bh, bs, bp] = [b.width - 1, b.height - 1, b.stride, b.ptr];
    // Gauss-Newton with step halving: a step that raises the cost is halved from the best point so
    // far (plain Gauss-Newton can jump back and forth across a minimum, as between two ridges).
    const iw = 1 / (h[6]! * x + h[7]! * y + h[8]!);
    const [hx, hy] = [(h[0]! * x + h[1]! * y + h[2]!) * iw, (h[3]! * x + h[4]! * y + h[5]!) * iw];
    let [tx, ty, sx, sy] = start ? [start[0]! - hx, start[1]! - hy, 0, 0] : [0, 0, 0, 0];
    let [bestX, bestY, bestCost] = [tx, ty, Infinity];
    for (let step = 0; step < PatchAligner.MAX_STEPS; step++) {
      // One pass: sums of g, e, e^2, g g^T and g e, with e = A - B; centring them eliminates beta.
      [sgx, sgy, gxx, gxy, gyy] = [0, 0, 0, 0, 0];
      let [se, see, bx, by] = [0, 0, 0, 0];
      for (let j = 0; j < n; j++) {
        const [u, v] = [qx[j]! + tx, qy[j]! + ty];
        if (!(u >= 0 && v >= 0 && u < bw && v < bh)) return false;
        const x0 = Math.floor(u);
        const y0 = Math.floor(v);
        const [fx, fy] = [u - x0, v - y0];
        const i = bp + y0 * bs + x0;
        const [p00, p01, p10, p11] = [heap[i]!, heap[i + 1]!, heap[i + bs]!, heap[i + bs + 1]!];
        const top = p00 + fx * (p01 - p00);
        const bot = p10 + fx * (p11 - p10);
        // The gradient of the bilinear interpolant itself, so that the steps descend the cost sampled.
        const gx = p01 - p00 + fy * (p11 - p10 - (p01 - p00));
        const gy = bot - top;
        const e = tpl[j]! - (top + fy * (bot - top));
        sgx += gx;
        sgy += gy;
        se += e;
        see += e * e;
        gxx += gx * gx;
        gxy += gx * gy;
        gyy += gy * gy;
        bx += gx * e;
        by += gy * e;
      }
      const cost = see - (se * se) / n;
      if (!(cost < bestCost)) {
        // Worse than the best point: halve the step taken from it, unless it is already tiny.
        [sx, sy] = [sx / 2, sy / 2];
        if (sx * sx + sy * sy < PatchAligner.EPSILON * PatchAligner.EPSILON) break;
        [tx, ty] = [bestX + sx, bestY + sy];
        continue;
      }
      [bestX, bestY, bestCost] = [tx, ty, cost];
      [gxx, gxy, gyy] = [gxx - (sgx * sgx) / n, gxy - (sgx * sgy) / n, gyy - (sgy * sgy) / n];
      [bx, by] = [bx - (sgx * se) / n, by - (sgy * se) / n];
      if (!textured(gxx, gxy, gyy, n)) return false;
      const det = gxx * gyy - gxy * gxy;
      [sx, sy] = [(gyy * bx - gxy * by) / det, (gxx * by - gxy * bx) / det];
      if (sx * sx + sy * sy < PatchAligner.EPSILON * PatchAligner.EPSILON) break;
      [tx, ty] = [bestX + sx, bestY + sy];
    }
    [tx, ty] = [bestX, bestY];
    if (!(tx * tx + ty * ty <= maxShift * maxShift)) return false;
    out[0] = hx + tx;
    out[1] = hy + ty;
    return true;
  }
}
