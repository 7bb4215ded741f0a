/// <reference types="@webgpu/types" />
// `--backend webgpu` for the image commands: the image is decoded on the CPU, uploaded once, runs
// through the WebGPU passes (ts/backends/webgpu/passes) in one command buffer, and only the result
// comes back. No WebAssembly memory is made: the GPU path needs none.
import { GpuBackend } from '../backends/webgpu/backend.js';
import { acquireGpu } from '../backends/webgpu/device.js';
import { gpuPlane, type GpuPlane } from '../backends/webgpu/pass.js';
import { FastPass, KEYPOINT_BYTES, KEYPOINTS_HEADER_BYTES } from '../backends/webgpu/passes/fast.js';
import { GrayPass } from '../backends/webgpu/passes/gray.js';
import { withTimeout } from '../backends/webgpu/timeout.js';
import { gpuUpload, readPlane, uploadPlane } from '../backends/webgpu/transfer.js';
import { FramekitError } from '../errors.js';
import { createFramekit, type Framekit, type FramekitOptions } from '../index.js';
import type { DecodedImage } from '../io/image.js';
import type { Values } from './command.js';

/** Milliseconds any one wait on the GPU may take (a CPU adapter is slow on big images). */
const TIMEOUT_MS = 30_000;

/** True when the command was asked for `--backend webgpu`. */
export function wantsWebgpu(values: Values): boolean {
  return values.backend === 'webgpu';
}

/** What to install when Dawn finds no adapter. */
const NO_ADAPTER_HINT =
  "without a GPU driver, Dawn needs Mesa's EGL and its llvmpipe software rasteriser (Debian: libegl1 libegl-mesa0 libgl1-mesa-dri); or use --backend wasm";

/** E_GPU naming the missing optional package, unless Dawn (the `webgpu` package) loads or a navigator.gpu exists. */
async function requireDawn(): Promise<void> {
  if ((globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu) return;
  try {
    const name = 'webgpu'; // a variable, so that bundlers leave the optional dependency out
    await import(name);
  } catch (e) {
    throw new FramekitError(
      'E_GPU',
      `--backend webgpu needs the optional package "webgpu" (Dawn), which could not be loaded (${(e as Error).message.split('\n')[0]}): install it with npm i webgpu, or use --backend wasm`,
      { missing: 'webgpu' },
    );
  }
}

function noAdapter(reason: string): FramekitError {
  return new FramekitError('E_GPU', `--backend webgpu found no WebGPU adapter (${reason}); ${NO_ADAPTER_HINT}`, {
    missing: 'adapter',
    reason,
  });
}

/** The WebGPU device for `--backend webgpu`, or an E_GPU error naming what is missing. Allocates a device: once per command. */
export async function openGpu(): Promise<GpuBackend> {
  await requireDawn();
  const r = await acquireGpu({ timeoutMs: TIMEOUT_MS });
  if (!r.ok) throw noAdapter(r.reason);
  return new GpuBackend(r.gpu, TIMEOUT_MS);
}

/** A framekit holding a WebGPU device (`gpu: 'require'`), or an E_GPU error naming what is missing. */
export async function createGpuFramekit(o: FramekitOptions): Promise<Framekit> {
  await requireDawn();
  try {
    return await createFramekit({ ...o, gpu: 'require', gpuTimeoutMs: TIMEOUT_MS });
  } catch (e) {
    if (e instanceof FramekitError && e.code === 'E_GPU' && typeof e.details.reason === 'string') throw noAdapter(e.details.reason);
    throw e;
  }
}

/** Runs `body` with a device, destroying it afterwards, whatever happens. */
export async function withGpu<T>(body: (gpu: GpuBackend) => Promise<T>): Promise<T> {
  const gpu = await openGpu();
  try {
    return await body(gpu);
  } finally {
    gpu.device.destroy();
  }
}

/** Anything that records dispatches into a compute pass. */
export interface Encodable {
  encode(pass: GPUComputePassEncoder): void;
}

/**
 * The luma of a decoded image on the GPU: a gray image is uploaded as it is; a colour one is uploaded
 * and turned to gray by the gray pass, which `passes` gets (run it first). Allocates GPU buffers.
 */
export function grayOnGpu(gpu: GpuBackend, image: DecodedImage, passes: Encodable[]): GpuPlane {
  const { width, height, format, data } = image;
  const src = { ptr: 0, width, height, stride: data.length / height, format };
  const queue = gpu.device.queue;
  const gray = gpuPlane(gpu.pool, 'cli gray', width, height, 'gray');
  if (format === 'gray') {
    uploadPlane(queue, gray, data, src, new Uint8Array(gray.strideWords * 4));
    return gray;
  }
  const up = gpuUpload(gpu.pool, 'cli upload', width, height, format);
  uploadPlane(queue, up, data, src, new Uint8Array(up.strideBytes));
  passes.push(new GrayPass(gpu.pool, gray, up));
  return gray;
}

/**
 * Submits `passes` in one compute pass (after `before`, e.g. buffer clears) and waits for the queue.
 * Any validation or out-of-memory error inside becomes E_GPU, so a result is never read from a
 * failed submission.
 */
export async function runPasses(gpu: GpuBackend, passes: Encodable[], before?: (enc: GPUCommandEncoder) => void): Promise<void> {
  const device = gpu.device;
  device.pushErrorScope('validation');
  device.pushErrorScope('out-of-memory');
  const enc = device.createCommandEncoder({ label: 'cli' });
  before?.(enc);
  const pass = enc.beginComputePass({ label: 'cli' });
  for (const p of passes) p.encode(pass);
  pass.end();
  device.queue.submit([enc.finish()]);
  const oom = await withTimeout(device.popErrorScope(), TIMEOUT_MS, 'popErrorScope');
  const invalid = await withTimeout(device.popErrorScope(), TIMEOUT_MS, 'popErrorScope');
  const err = oom ?? invalid;
  if (err) throw new FramekitError('E_GPU', `the GPU rejected the work: ${err.message}`);
  if (!gpu.alive) throw new FramekitError('E_GPU', `the GPU failed: ${gpu.lostReason}`);
  await withTimeout(device.queue.onSubmittedWorkDone(), TIMEOUT_MS, 'onSubmittedWorkDone');
}

/** A GPU plane's pixels, tightly packed (`width` bytes a row for gray, `2 * width` for i16). Allocates. */
export function readGpuPlane(gpu: GpuBackend, plane: GpuPlane): Promise<Uint8Array> {
  const bpp = plane.format === 'gray' ? 1 : 2;
  return readPlane(gpu.device, new Uint8Array(plane.width * plane.height * bpp), plane, TIMEOUT_MS);
}

/** FAST corners as the CLI prints them, in OpenCV's order (by y, then x). */
export interface CliKeypoints {
  x: Uint16Array;
  y: Uint16Array;
  response: Uint8Array;
}

/**
 * FAST-9 of a gray plane on the GPU (shaders/fast.wgsl), every corner: when the list overflows its
 * first guess, it runs again with room for all it found. Sorted by (y, x) as the WASM kernel lists
 * them; the GPU appends in no fixed order. Allocates: for the CLI.
 */
export async function fastOnGpu(
  gpu: GpuBackend,
  gray: GpuPlane,
  before: Encodable[],
  o: { threshold: number; nonmax: boolean },
): Promise<CliKeypoints> {
  const scores = gpuPlane(gpu.pool, 'cli fast scores', gray.width, gray.height, 'u16');
  let capacity = Math.max(1024, (gray.width * gray.height) >> 2);
  let passes = before;
  for (;;) {
    const bytes = KEYPOINTS_HEADER_BYTES + capacity * KEYPOINT_BYTES;
    const list = gpu.pool.buffer('cli keypoints', bytes, 0x0080 /* STORAGE */ | 0x0004 /* COPY_SRC */ | 0x0008 /* COPY_DST */);
    const fast = new FastPass(gpu.pool, list, capacity, gray, scores, { ...o, level: 0 });
    await runPasses(gpu, [...passes, fast], (enc) => enc.clearBuffer(list, 0, KEYPOINTS_HEADER_BYTES));
    const words = await readWords(gpu, list, bytes);
    const found = words[0]!;
    if (found > capacity) {
      // The gray pass (if any) already ran: its plane stays on the device.
      passes = [];
      capacity = found;
      continue;
    }
    const order = Array.from({ length: found }, (_, i) => i).sort((a, b) => {
      const pa = words[4 + 2 * a]!;
      const pb = words[4 + 2 * b]!;
      return (pa >>> 16) - (pb >>> 16) || (pa & 0xffff) - (pb & 0xffff);
    });
    const out: CliKeypoints = { x: new Uint16Array(found), y: new Uint16Array(found), response: new Uint8Array(found) };
    order.forEach((i, k) => {
      out.x[k] = words[4 + 2 * i]! & 0xffff;
      out.y[k] = words[4 + 2 * i]! >>> 16;
      out.response[k] = words[5 + 2 * i]! & 0xff;
    });
    return out;
  }
}

/** Copies a GPU buffer's first `bytes` to the CPU. Allocates a staging buffer and waits. */
async function readWords(gpu: GpuBackend, src: GPUBuffer, bytes: number): Promise<Uint32Array> {
  const device = gpu.device;
  const staging = device.createBuffer({ label: 'cli readback', size: bytes, usage: 0x0001 /* MAP_READ */ | 0x0008 /* COPY_DST */ });
  try {
    const enc = device.createCommandEncoder({ label: 'cli readback' });
    enc.copyBufferToBuffer(src, 0, staging, 0, bytes);
    device.queue.submit([enc.finish()]);
    await withTimeout(staging.mapAsync(0x0001 /* READ */), TIMEOUT_MS, 'readback mapAsync');
    const words = new Uint32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return words;
  } finally {
    staging.destroy();
  }
}
