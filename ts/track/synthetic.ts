/**
 * The embedded default input of `framekit track`: a photograph on a plane, filmed by a camera moving
 * along a known, smooth path. Each frame comes with its ground truth (the camera's pose relative to
 * the plane, and the plane-to-image homography), so the tracker's output can be scored.
 *
 * Geometry: the plane is Z = 0 with coordinates in photo pixels centred on the photo; a camera with
 * intrinsics K = [f 0 cx; 0 f cy; 0 0 1] at pose (R, t) sees the plane point (X, Y) at
 * K [r1 r2 t] (X, Y, 1)^T, so that 3x3 matrix is the plane-to-image homography P. Rendering inverts
 * it per pixel and samples the photo bilinearly (plain TypeScript: this generates input, it is not
 * part of the measured pipeline).
 */

export type Mat3 = Float64Array; // row-major 3x3

export function mat3Mul(a: Mat3, b: Mat3, out: Mat3 = new Float64Array(9)): Mat3 {
  const r = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) r[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  out.set(r);
  return out;
}

export function mat3Invert(m: Mat3, out: Mat3 = new Float64Array(9)): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m as unknown as number[];
  const A = e! * i! - f! * h!;
  const B = -(d! * i! - f! * g!);
  const C = d! * h! - e! * g!;
  const det = a! * A + b! * B + c! * C;
  const r = [
    A,
    -(b! * i! - c! * h!),
    b! * f! - c! * e!,
    B,
    a! * i! - c! * g!,
    -(a! * f! - c! * d!),
    C,
    -(a! * h! - b! * g!),
    a! * e! - b! * d!,
  ];
  for (let k = 0; k < 9; k++) out[k] = r[k]! / det;
  return out;
}

/** Applies a homography to (x, y); returns [x', y']. */
export function mat3Apply(m: Mat3, x: number, y: number): [number, number] {
  const w = m[6]! * x + m[7]! * y + m[8]!;
  return [(m[0]! * x + m[1]! * y + m[2]!) / w, (m[3]! * x + m[4]! * y + m[5]!) / w];
}

/** Rotation from yaw (about Y), pitch (about X) and roll (about Z), radians: R = Rz Ry Rx. */
export function rotation(yaw: number, pitch: number, roll: number): Mat3 {
  const cx = Math.cos(pitch),
    sx = Math.sin(pitch),
    cy = Math.cos(yaw),
    sy = Math.sin(yaw),
    cz = Math.cos(roll),
    sz = Math.sin(roll);
  const rx = Float64Array.of(1, 0, 0, 0, cx, -sx, 0, sx, cx);
  const ry = Float64Array.of(cy, 0, sy, 0, 1, 0, -sy, 0, cy);
  const rz = Float64Array.of(cz, -sz, 0, sz, cz, 0, 0, 0, 1);
  return mat3Mul(rz, mat3Mul(ry, rx));
}

export interface CameraPose {
  /** Row-major rotation, plane to camera. */
  R: Mat3;
  /** Translation, plane to camera, in photo pixels. */
  t: [number, number, number];
}

export interface SyntheticFrame {
  index: number;
  pose: CameraPose;
  /** Plane (photo pixels, centred) to image homography, row-major. */
  planeToImage: Mat3;
}

export interface SyntheticPath {
  width: number;
  height: number;
  /** Intrinsics, row-major. */
  K: Mat3;
  frame(index: number): SyntheticFrame;
}

/**
 * A smooth path: the camera faces the photo from a distance where it fills about 3/4 of the frame's
 * width, and sways (a few degrees of yaw, pitch and roll, a few percent of translation) with
 * periods of 2 to 5 seconds at 30 fps, so consecutive frames move by a few pixels.
 */
export function cameraPath(width: number, height: number, photoWidth: number): SyntheticPath {
  const f = width;
  const K = Float64Array.of(f, 0, width / 2, 0, f, height / 2, 0, 0, 1);
  const z0 = (f * photoWidth) / (1.35 * width);
  return {
    width,
    height,
    K,
    frame(k: number): SyntheticFrame {
      const s = (period: number, phase = 0) => Math.sin((2 * Math.PI * k) / period + phase);
      const R = rotation(0.05 * s(150), 0.04 * s(110, 1), 0.06 * s(90, 2));
      const t: [number, number, number] = [0.04 * z0 * s(130, 0.5), 0.03 * z0 * s(95, 1.5), z0 * (1 + 0.05 * s(170, 2.5))];
      const rt = Float64Array.of(R[0]!, R[1]!, t[0], R[3]!, R[4]!, t[1], R[6]!, R[7]!, t[2]);
      return { index: k, pose: { R, t }, planeToImage: mat3Mul(K, rt) };
    },
  };
}

/**
 * Renders one frame of the path into a gray plane: for each pixel, the plane point it sees, then the
 * photo sampled bilinearly there (edge pixels repeated outside the photo).
 */
export function renderFrame(
  dst: Uint8Array,
  dstStride: number,
  path: SyntheticPath,
  frame: SyntheticFrame,
  photo: { width: number; height: number; data: Uint8Array },
): void {
  const g = mat3Invert(frame.planeToImage);
  const pw = photo.width;
  const ph = photo.height;
  const ox = pw / 2;
  const oy = ph / 2;
  const src = photo.data;
  for (let y = 0; y < path.height; y++) {
    for (let x = 0; x < path.width; x++) {
      const w = g[6]! * x + g[7]! * y + g[8]!;
      let u = (g[0]! * x + g[1]! * y + g[2]!) / w + ox;
      let v = (g[3]! * x + g[4]! * y + g[5]!) / w + oy;
      u = u < 0 ? 0 : u > pw - 1.001 ? pw - 1.001 : u;
      v = v < 0 ? 0 : v > ph - 1.001 ? ph - 1.001 : v;
      const iu = u | 0;
      const iv = v | 0;
      const fu = u - iu;
      const fv = v - iv;
      const p = iv * pw + iu;
      const top = src[p]! + (src[p + 1]! - src[p]!) * fu;
      const bot = src[p + pw]! + (src[p + pw + 1]! - src[p + pw]!) * fu;
      dst[y * dstStride + x] = (top + (bot - top) * fv + 0.5) | 0;
    }
  }
}

/** Ground-truth homography taking frame a's pixels to frame b's. */
export function frameToFrame(a: SyntheticFrame, b: SyntheticFrame): Mat3 {
  return mat3Mul(b.planeToImage, mat3Invert(a.planeToImage));
}
