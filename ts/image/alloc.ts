import { FramekitError, checkDimension } from '../errors.js';
import type { KernelContext } from '../core/context.js';
import { alignUp, LAYOUT } from '../memory/layout.js';
import { Plane, bytesPerPixel, type PixelFormat, type PlaneLike } from './plane.js';

/**
 * Reserves a plane in the context's arena. `stride` defaults to the row size rounded up to 16 bytes.
 * Allocates arena space: call it when setting up, not per frame.
 */
export function allocPlane(ctx: KernelContext, width: number, height: number, format: PixelFormat, opts: { stride?: number } = {}): Plane {
  const bpp = bytesPerPixel(format);
  checkDimension('width', width);
  checkDimension('height', height);
  const stride = opts.stride ?? alignUp(width * bpp, LAYOUT.alignment);
  if (!Number.isInteger(stride) || stride < width * bpp) {
    throw new FramekitError('E_STRIDE', `stride ${stride} is less than a row of ${width * bpp} bytes`, { stride });
  }
  const region = ctx.arena.alloc(stride * height, `${width}x${height} ${format} plane`);
  return new Plane(ctx.heap, region.ptr, width, height, stride, format, region);
}

/** Returns a plane's region to the arena. */
export function freePlane(ctx: KernelContext, plane: Plane): void {
  if (!plane.region) throw new FramekitError('E_STATE', 'this plane does not own an arena region');
  ctx.arena.free(plane.region);
}

/**
 * Copies tightly packed (or `srcStride`-spaced) pixels into a plane: the one copy from a JS buffer
 * into the shared memory. Throws E_BUFFER_SIZE, and writes nothing, when `pixels` is too short.
 */
export function writePixels(ctx: KernelContext, plane: Plane, pixels: Uint8Array | Uint8ClampedArray, srcStride?: number): Plane {
  const row = plane.width * plane.bytesPerPixel;
  const s = srcStride ?? row;
  if (!Number.isInteger(s) || s < row) throw new FramekitError('E_STRIDE', `source stride ${s} is less than a row of ${row} bytes`);
  const need = (plane.height - 1) * s + row;
  if (pixels.length < need) {
    throw new FramekitError('E_BUFFER_SIZE', `${plane.width}x${plane.height} ${plane.format} needs ${need} bytes, got ${pixels.length}`, {
      expected: need,
      actual: pixels.length,
    });
  }
  const heap = ctx.heap;
  if (s === row && plane.stride === row) heap.set(pixels.subarray(0, need), plane.ptr);
  else for (let y = 0; y < plane.height; y++) heap.set(pixels.subarray(y * s, y * s + row), plane.ptr + y * plane.stride);
  return plane;
}

/** Copies a plane's pixels out, tightly packed, into `out` (allocated when omitted: not for the frame loop). */
export function readPixels(ctx: KernelContext, plane: PlaneLike, out?: Uint8Array): Uint8Array {
  const row = plane.width * bytesPerPixel(plane.format);
  const need = row * plane.height;
  const o = out ?? new Uint8Array(need);
  if (o.length < need)
    throw new FramekitError('E_BUFFER_SIZE', `output needs ${need} bytes, got ${o.length}`, { expected: need, actual: o.length });
  const heap = ctx.heap;
  for (let y = 0; y < plane.height; y++) o.set(heap.subarray(plane.ptr + y * plane.stride, plane.ptr + y * plane.stride + row), y * row);
  return o;
}
