// Shared by the WebGPU suites: one device for the whole file, and one-off pass runners that upload a
// plane, record one pass and read the result back (they allocate: test code, not frame-loop code).
import { acquireGpu } from '../../ts/backends/webgpu/device.js';
import { GpuBackend } from '../../ts/backends/webgpu/backend.js';
import { gpuPlane, type GpuPlane } from '../../ts/backends/webgpu/pass.js';
import { readPlane, uploadPlane } from '../../ts/backends/webgpu/transfer.js';
import type { PlaneLike } from '../../ts/index.js';

export async function testGpu(): Promise<{ gpu: GpuBackend | null; reason: string | null }> {
  const r = await acquireGpu();
  return r.ok ? { gpu: new GpuBackend(r.gpu, 10_000), reason: null } : { gpu: null, reason: r.reason };
}

/** Uploads a gray plane from the shared memory into a new GPU plane (released with `done`). */
export function uploadGray(gpu: GpuBackend, heap: Uint8Array, src: PlaneLike): GpuPlane {
  const p = gpuPlane(gpu.pool, 'test src', src.width, src.height, 'gray');
  uploadPlane(gpu.device.queue, p, heap, src, new Uint8Array(p.strideWords * 4));
  return p;
}

/** Records `encode` in one compute pass, submits, and reads `out` back tightly packed. */
export async function runAndRead(gpu: GpuBackend, out: GpuPlane, encode: (pass: GPUComputePassEncoder) => void): Promise<Uint8Array> {
  const enc = gpu.device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encode(pass);
  pass.end();
  gpu.device.queue.submit([enc.finish()]);
  const bpp = out.format === 'gray' ? 1 : 2;
  return readPlane(gpu.device, new Uint8Array(out.width * out.height * bpp), out);
}

/** Packs a plane's pixels tightly (allocates). */
export function packed(heap: Uint8Array, p: PlaneLike, bpp = 1): Uint8Array {
  const row = p.width * bpp;
  const out = new Uint8Array(row * p.height);
  for (let y = 0; y < p.height; y++) out.set(heap.subarray(p.ptr + y * p.stride, p.ptr + y * p.stride + row), y * row);
  return out;
}

export function firstMismatch(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}
