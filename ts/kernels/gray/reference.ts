import type { PlaneLike } from '../../image/plane.js';

/** Byte offsets of R, G, B inside a pixel, and the pixel's size, per colour format. */
const CHANNELS = {
  rgba: [0, 1, 2, 4],
  bgra: [2, 1, 0, 4],
  rgb: [0, 1, 2, 3],
  bgr: [2, 1, 0, 3],
  gray: [0, 0, 0, 1],
} as const;

/**
 * The oracle: OpenCV's 8-bit RGB->gray, Y = (9798 R + 19235 G + 3735 B + 2^14) >> 15, one pixel at
 * a time. Plain on purpose; every other implementation is tested against it.
 */
export function grayReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike): void {
  const [r, g, b, bpp] = CHANNELS[src.format as keyof typeof CHANNELS];
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      const p = src.ptr + y * src.stride + x * bpp;
      heap[dst.ptr + y * dst.stride + x] = (9798 * heap[p + r]! + 19235 * heap[p + g]! + 3735 * heap[p + b]! + 16384) >> 15;
    }
  }
}
