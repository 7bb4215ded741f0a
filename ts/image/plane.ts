import { FramekitError, checkDimension } from '../errors.js';
import type { Arena, Region } from '../memory/arena.js';
import { BYTES_PER_PIXEL } from '../memory/layout.js';

/** Pixel formats framekit stores: interleaved 8-bit colour, or one 8-bit plane. */
export type PixelFormat = keyof typeof BYTES_PER_PIXEL;
export const PIXEL_FORMATS = Object.keys(BYTES_PER_PIXEL) as PixelFormat[];

/** What a kernel needs to know about an image in the shared memory. */
export interface PlaneLike {
  /** Byte offset of the first pixel in the shared memory. */
  readonly ptr: number;
  readonly width: number;
  readonly height: number;
  /** Bytes from the start of one row to the start of the next (>= width x bytes per pixel). */
  readonly stride: number;
  readonly format: PixelFormat;
}

export function bytesPerPixel(format: PixelFormat): number {
  const bpp = (BYTES_PER_PIXEL as Record<string, number>)[format];
  if (bpp === undefined) {
    throw new FramekitError('E_FORMAT', `unknown pixel format ${JSON.stringify(format)}; expected one of ${PIXEL_FORMATS.join(', ')}`, {
      format,
    });
  }
  return bpp;
}

/** Bytes an image spans in memory: every row but the last at full stride, the last one only its pixels. */
export function planeSpan(width: number, height: number, stride: number, format: PixelFormat): number {
  return (height - 1) * stride + width * bytesPerPixel(format);
}

/**
 * Checks a plane's numbers and that it lies inside the arena, so a kernel given it cannot read or
 * write anywhere else. Throws E_DIMENSION, E_STRIDE, E_FORMAT or E_OUT_OF_BOUNDS.
 */
export function checkPlane(p: PlaneLike, arena: Arena, name = 'plane'): void {
  const bpp = bytesPerPixel(p.format);
  checkDimension(`${name}.width`, p.width);
  checkDimension(`${name}.height`, p.height);
  if (!Number.isInteger(p.stride) || p.stride < p.width * bpp) {
    throw new FramekitError('E_STRIDE', `${name}.stride ${String(p.stride)} is less than a row of ${p.width * bpp} bytes`, {
      stride: p.stride,
      rowBytes: p.width * bpp,
    });
  }
  const span = planeSpan(p.width, p.height, p.stride, p.format);
  if (!Number.isInteger(p.ptr) || !arena.contains(p.ptr, span)) {
    throw new FramekitError('E_OUT_OF_BOUNDS', `${name} [${p.ptr}, ${p.ptr + span}) is not inside the arena`, {
      ptr: p.ptr,
      span,
    });
  }
}

/** True when the byte ranges two planes span intersect. */
export function planesOverlap(a: PlaneLike, b: PlaneLike): boolean {
  const ae = a.ptr + planeSpan(a.width, a.height, a.stride, a.format);
  const be = b.ptr + planeSpan(b.width, b.height, b.stride, b.format);
  return a.ptr < be && b.ptr < ae;
}

/**
 * An image in the shared memory. `data` is a view over exactly the bytes it spans (rows with their
 * padding), made once when the plane is made: a decoder can write into it directly.
 */
export class Plane implements PlaneLike {
  readonly data: Uint8Array;
  constructor(
    heap: Uint8Array,
    readonly ptr: number,
    readonly width: number,
    readonly height: number,
    readonly stride: number,
    readonly format: PixelFormat,
    /** The arena region backing this plane, when the plane owns one. */
    readonly region: Region | null = null,
  ) {
    this.data = heap.subarray(ptr, ptr + planeSpan(width, height, stride, format));
  }

  get bytesPerPixel(): number {
    return bytesPerPixel(this.format);
  }
}
