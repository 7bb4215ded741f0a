/**
 * The embedded default input of `framekit track`: a photograph on a plane, filmed by a camera moving
 * along a known, smooth path. Each frame comes with its ground truth (the camera's pose relative to
 * the plane, and the plane-to-image homography), so the tracker's output can be scored.
 *
 * Geometry: the plane is Z = 0 with coordinates in photo pixels centred on the photo; a camera with
 * intrinsics K = [f 0 cx; 0 f cy; 0 0 1] at pose (R, t) sees the plane point (X, Y) at
 * K [r1 r2 t] (X, Y, 1)^T, so that 3x3 matrix is the plane-to-image homography P. Rendering maps
 * each pixel back through its inverse and samples the photo bilinearly: framekit's warpPerspective
 * kernel (OpenCV's fixed-point bilinear, BORDER_REPLICATE), or its TypeScript reference for images
 * outside framekit's memory.
 */
import { warpPerspectiveArrays } from '../kernels/warp/reference.js';

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
 * The map that renders a frame: destination pixel to photo pixel (row-major, for warpPerspective
 * with `inverseMap`): the inverse of the plane-to-image homography, then the shift from centred
 * plane coordinates to the photo's pixel grid. Writes into `out`.
 */
export function photoMap(frame: SyntheticFrame, photoWidth: number, photoHeight: number, out: Mat3 = new Float64Array(9)): Mat3 {
  const g = mat3Invert(frame.planeToImage);
  const ox = photoWidth / 2;
  const oy = photoHeight / 2;
  for (let j = 0; j < 3; j++) {
    out[j] = g[j]! + ox * g[6 + j]!;
    out[3 + j] = g[3 + j]! + oy * g[6 + j]!;
    out[6 + j] = g[6 + j]!;
  }
  return out;
}

/**
 * Renders one frame of the path into a gray image: for each pixel, the plane point it sees, then the
 * photo sampled bilinearly there (edge pixels repeated outside the photo). The same bytes as
 * `fk.warpPerspective(dst, photo, photoMap(frame, ...), { inverseMap: true, border: 'replicate' })`,
 * which is what `framekit track` renders its embedded default with; this plain TypeScript version
 * (the kernel's reference) renders into arrays outside framekit's memory. Slow: for tests.
 *
 * The kernel, as OpenCV's, rounds source positions to 1/32 pixel (up to 0.03 px in a frame of the
 * default path, whose photo is magnified about 1.9x), where the float rendering this replaced did
 * not: the tracker's mean corner error against the ground truth over 300 frames at 1280x720 went
 * from 0.859 to 1.138 px (the float renderer with positions rounded to 1/32 gives 1.138 too), and
 * over eight sub-pixel offsets of the photo from 1.28 to 1.68 px. Rendering from the photo magnified
 * 4x first gave 0.93 px on five offsets but lost the track on the other three.
 */
export function renderFrame(
  dst: Uint8Array,
  dstStride: number,
  path: SyntheticPath,
  frame: SyntheticFrame,
  photo: { width: number; height: number; data: Uint8Array },
): void {
  const d = { ptr: 0, width: path.width, height: path.height, stride: dstStride, format: 'gray' as const };
  const s = { ptr: 0, width: photo.width, height: photo.height, stride: photo.width, format: 'gray' as const };
  warpPerspectiveArrays(dst, d, photo.data, s, 1, photoMap(frame, photo.width, photo.height), 'replicate', [0, 0, 0, 0]);
}

/** Ground-truth homography taking frame a's pixels to frame b's. */
export function frameToFrame(a: SyntheticFrame, b: SyntheticFrame): Mat3 {
  return mat3Mul(b.planeToImage, mat3Invert(a.planeToImage));
}
