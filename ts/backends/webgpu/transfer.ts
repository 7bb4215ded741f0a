/// <reference types="@webgpu/types" />
import { FramekitError } from '../../errors.js';
import { bytesPerPixel, type PlaneLike } from '../../image/plane.js';
import { PIXELS_PER_WORD, type GpuPlane, type GpuUpload } from './pass.js';
import type { GpuPool } from './pool.js';
import { withTimeout } from './timeout.js';

/** Bytes a GPU row of `rowBytes` takes: rows start on a word. */
export const gpuRowBytes = (rowBytes: number): number => Math.ceil(rowBytes / 4) * 4;

/** Takes an upload buffer for `width` x `height` pixels of `format` from the pool. Call at setup. */
export function gpuUpload(pool: GpuPool, label: string, width: number, height: number, format: GpuUpload['format']): GpuUpload {
  const strideBytes = gpuRowBytes(width * bytesPerPixel(format));
  return {
    buffer: pool.buffer(label, strideBytes * height, 0x0080 /* STORAGE */ | 0x0008 /* COPY_DST */),
    width,
    height,
    strideBytes,
    format,
  };
}

/**
 * Copies a plane in the shared memory to a GPU buffer whose rows are `gpuStride` bytes (a multiple
 * of 4): one writeBuffer when the strides agree, else one a row. writeBuffer wants sizes in whole
 * words, so a row is sent rounded up to a word: the bytes past it land in the GPU row's padding,
 * which no pass reads. `tail` (gpuStride bytes, made at setup) carries a last row that would read
 * past the end of the memory. No allocation: queue.writeBuffer copies from the view.
 */
export function writeRows(queue: GPUQueue, buffer: GPUBuffer, gpuStride: number, heap: Uint8Array, src: PlaneLike, tail: Uint8Array): void {
  const row = src.width * bytesPerPixel(src.format);
  const send = gpuRowBytes(row);
  const data = heap as Uint8Array<ArrayBuffer>; // a shared memory's view is accepted too (AllowSharedBufferSource)
  if (src.stride === gpuStride && src.ptr + gpuStride * src.height <= heap.length) {
    queue.writeBuffer(buffer, 0, data, src.ptr, gpuStride * src.height);
    return;
  }
  for (let y = 0; y < src.height; y++) {
    const at = src.ptr + y * src.stride;
    if (at + send <= heap.length) queue.writeBuffer(buffer, y * gpuStride, data, at, send);
    else {
      tail.set(heap.subarray(at, at + row));
      queue.writeBuffer(buffer, y * gpuStride, tail as Uint8Array<ArrayBuffer>, 0, send);
    }
  }
}

/** Uploads an 8-bit colour or gray plane from the shared memory into `dst` (sizes must match). */
export function uploadPlane(queue: GPUQueue, dst: GpuUpload | GpuPlane, heap: Uint8Array, src: PlaneLike, tail: Uint8Array): void {
  const stride = 'strideBytes' in dst ? dst.strideBytes : dst.strideWords * 4;
  if (src.width !== dst.width || src.height !== dst.height || tail.length < stride) {
    throw new FramekitError('E_DIMENSION', `upload: ${src.width}x${src.height} into a ${dst.width}x${dst.height} GPU plane`);
  }
  writeRows(queue, dst.buffer, stride, heap, src, tail);
}

/**
 * Reads a GPU plane back into `out` (tightly packed rows; `width` bytes a row for gray, `2 * width`
 * for i16/u16). Allocates a staging buffer and waits: for tests and one-off calls, not for the
 * frame loop (the chain reads back through its ring instead).
 */
export async function readPlane(device: GPUDevice, out: Uint8Array, src: GpuPlane, timeoutMs = 10_000): Promise<Uint8Array> {
  const bytes = src.strideWords * 4 * src.height;
  const staging = device.createBuffer({ label: 'readPlane staging', size: bytes, usage: 0x0001 /* MAP_READ */ | 0x0008 /* COPY_DST */ });
  const enc = device.createCommandEncoder({ label: 'readPlane' });
  enc.copyBufferToBuffer(src.buffer, 0, staging, 0, bytes);
  device.queue.submit([enc.finish()]);
  await withTimeout(staging.mapAsync(0x0001 /* READ */), timeoutMs, 'readPlane mapAsync');
  const all = new Uint8Array(staging.getMappedRange());
  const row = (src.width * 4) / PIXELS_PER_WORD[src.format];
  for (let y = 0; y < src.height; y++) out.set(all.subarray(y * src.strideWords * 4, y * src.strideWords * 4 + row), y * row);
  staging.unmap();
  staging.destroy();
  return out;
}
