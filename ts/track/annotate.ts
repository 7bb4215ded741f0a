/**
 * Drawing for `framekit track -o`: keypoints, flow vectors and pose axes over an RGBA copy of the
 * frame. Runs only when an annotated output is asked for; plain loops are enough at these sizes.
 */

export interface Canvas {
  width: number;
  height: number;
  /** RGBA, rows packed. */
  data: Uint8Array;
}

export type Rgb = readonly [number, number, number];
export const GREEN: Rgb = [0, 255, 0];
export const YELLOW: Rgb = [255, 220, 0];
export const RED: Rgb = [255, 40, 40];
export const BLUE: Rgb = [60, 120, 255];

/** Fills an RGBA canvas from a gray plane. */
export function grayToCanvas(c: Canvas, gray: Uint8Array, stride: number): void {
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const v = gray[y * stride + x]!;
      const o = (y * c.width + x) * 4;
      c.data[o] = c.data[o + 1] = c.data[o + 2] = v;
      c.data[o + 3] = 255;
    }
  }
}

function plot(c: Canvas, x: number, y: number, rgb: Rgb): void {
  if (x < 0 || y < 0 || x >= c.width || y >= c.height) return;
  const o = (y * c.width + x) * 4;
  c.data[o] = rgb[0];
  c.data[o + 1] = rgb[1];
  c.data[o + 2] = rgb[2];
}

/** A 3x3 square centred on (x, y). */
export function dot(c: Canvas, x: number, y: number, rgb: Rgb): void {
  const cx = Math.round(x);
  const cy = Math.round(y);
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) plot(c, cx + dx, cy + dy, rgb);
}

/** Bresenham's line from (x0, y0) to (x1, y1), clipped to the canvas by plot(). */
export function line(c: Canvas, x0: number, y0: number, x1: number, y1: number, rgb: Rgb): void {
  let ax = Math.round(x0);
  let ay = Math.round(y0);
  const bx = Math.round(x1);
  const by = Math.round(y1);
  const dx = Math.abs(bx - ax);
  const dy = -Math.abs(by - ay);
  const sx = ax < bx ? 1 : -1;
  const sy = ay < by ? 1 : -1;
  let err = dx + dy;
  for (let i = 0; i < 4096; i++) {
    plot(c, ax, ay, rgb);
    if (ax === bx && ay === by) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      ax += sx;
    }
    if (e2 <= dx) {
      err += dx;
      ay += sy;
    }
  }
}

/**
 * Pose axes: the plane's origin and the tips of its X, Y (in the plane) and Z (towards the camera)
 * axes of length `len`, projected by K [R | t], drawn red, green and blue.
 */
export function axes(c: Canvas, K: ArrayLike<number>, R: ArrayLike<number>, t: ArrayLike<number>, len: number): void {
  const [o, ...tips] = projectAxes(K, R, t, len);
  const colours = [RED, GREEN, BLUE];
  tips.forEach(([x, y], i) => line(c, o![0], o![1], x, y, colours[i]!));
}

/**
 * Image points of the plane's origin and of the tips of its x, y and z axes (`len` plane units; z
 * towards the camera), seen by a camera with intrinsics `K` at pose (R, t). For drawing pose axes.
 */
export function projectAxes(K: ArrayLike<number>, R: ArrayLike<number>, t: ArrayLike<number>, len: number): Array<[number, number]> {
  const project = (X: number, Y: number, Z: number): [number, number] => {
    const x = R[0]! * X + R[1]! * Y + R[2]! * Z + t[0]!;
    const y = R[3]! * X + R[4]! * Y + R[5]! * Z + t[1]!;
    const z = R[6]! * X + R[7]! * Y + R[8]! * Z + t[2]!;
    return [(K[0]! * x + K[1]! * y + K[2]! * z) / z, (K[4]! * y + K[5]! * z) / z];
  };
  return [project(0, 0, 0), project(len, 0, 0), project(0, len, 0), project(0, 0, -len)];
}
