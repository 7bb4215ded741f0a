/// <reference types="@webgpu/types" />
import { createFramekit } from '../ts/index.js';
import { GpuBackend } from '../ts/backends/webgpu/backend.js';
import { acquireGpu, type AcquireOptions } from '../ts/backends/webgpu/device.js';
import { GpuChain } from '../ts/backends/webgpu/gpu-chain.js';
import { KeypointChain } from '../ts/backends/webgpu/keypoint-chain.js';
import { gpuPlane, type GpuPlane } from '../ts/backends/webgpu/pass.js';
import { BlurPass } from '../ts/backends/webgpu/passes/blur.js';
import { KEYPOINT_BYTES, KEYPOINT_HEADER_BYTES } from '../ts/core/formats.js';
import { FastPass } from '../ts/backends/webgpu/passes/fast.js';
import { GrayPass } from '../ts/backends/webgpu/passes/gray.js';
import { PyrDownPass, pyrDownSize } from '../ts/backends/webgpu/passes/pyrdown.js';
import { SobelPass } from '../ts/backends/webgpu/passes/sobel.js';
import { withTimeout } from '../ts/backends/webgpu/timeout.js';
import { gpuUpload, uploadPlane } from '../ts/backends/webgpu/transfer.js';
import { readImageFile } from '../ts/io/image.js';
import { fixturePath } from './fixtures.js';
import { tile, type BenchOptions, type BenchRow, type BenchSuite } from './harness.js';

/**
 * The WebGPU path, per pass and for the chain (gray -> blur -> pyramid -> FAST), two rows each:
 * - `webgpu`: time to results on the CPU: upload the input, compute, read the output back (a whole
 *   plane for the plane passes; the counter and keypoint list for FAST and the chain);
 * - `webgpu-compute`: GPU time of the dispatches alone, from timestamp queries where the adapter has
 *   them (`timing: 'timestamp-query'`), else the submit-to-onSubmittedWorkDone round trip
 *   (`timing: 'round-trip'`, which adds the queue's latency: an upper bound).
 * The chain also gets `webgpu-resident` (a frame already on the device: compute + readback),
 * `webgpu-pipelined` (per frame with the readback ring full) and `wasm-simd` (the same chain on the
 * CPU: KeypointChain's WASM twin).
 * Row kernels match the CPU suites' (gray, gaussian5x5, pyrdown, sobel3 dx+dy, fast) so ratios line up.
 */
export const webgpuSuite: BenchSuite = {
  kernel: 'webgpu',
  async run(o) {
    return (await webgpuBench(o)).rows;
  },
};

const THRESHOLD = 20;
const CAPACITY = 1 << 18; // no overflow at 4K on the tiled photograph (about 70k corners at t = 20)

/** Median of `fn`'s samples: its own figure when it returns one (GPU time), else wall time. */
async function sample(o: BenchOptions, fn: () => Promise<number | undefined>): Promise<{ medianMs: number; samples: number }> {
  await fn(); // warm-up: first-use driver work stays out of the samples
  const xs: number[] = [];
  const start = performance.now();
  while ((performance.now() - start < o.timeMs || xs.length < 3) && xs.length < 500) {
    const t0 = performance.now();
    const own = await fn();
    xs.push(own ?? performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return { medianMs: xs[xs.length >> 1]!, samples: xs.length };
}

export interface WebgpuBenchResult {
  adapter: string | null;
  reason: string | null;
  timing: 'timestamp-query' | 'round-trip' | null;
  /** The adapter's optional features (what a reader of the figures may want to know). */
  features: string[];
  rows: BenchRow[];
}

/**
 * Runs every webgpu row at each of `o.sizes`, appending to `rows` as it goes (a caller with a time
 * limit keeps what was measured); no adapter gives no rows and the reason.
 */
export async function webgpuBench(o: BenchOptions, acquire: AcquireOptions = {}, rows: BenchRow[] = []): Promise<WebgpuBenchResult> {
  const got = await acquireGpu(acquire);
  if (!got.ok) {
    o.log(`webgpu: no adapter, rows left out (${got.reason})`);
    return { adapter: null, reason: got.reason, timing: null, features: [], rows: [] };
  }
  const gpu = new GpuBackend(got.gpu, 30_000);
  const device = gpu.device;
  const pool = gpu.pool;
  const timing = gpu.timestamps ? 'timestamp-query' : 'round-trip';
  o.log(`webgpu: ${gpu.adapterName}; compute timed by ${timing}`);
  const photo = await readImageFile(fixturePath('astronaut.png'));
  const query = gpu.timestamps ? device.createQuerySet({ type: 'timestamp', count: 2 }) : null;
  const resolve = pool.buffer('bench timestamps', 16, 0x0200 /* QUERY_RESOLVE */ | 0x0004 /* COPY_SRC */);
  const stamps = pool.buffer('bench timestamps read', 16, 0x0001 /* MAP_READ */ | 0x0008 /* COPY_DST */);

  /** GPU milliseconds of `encode`'s dispatches in one compute pass. */
  const compute = async (encode: (p: GPUComputePassEncoder) => void): Promise<number | undefined> => {
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass(
      query ? { timestampWrites: { querySet: query, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } } : {},
    );
    encode(pass);
    pass.end();
    if (!query) {
      const t0 = performance.now();
      device.queue.submit([enc.finish()]);
      await withTimeout(device.queue.onSubmittedWorkDone(), gpu.timeoutMs, 'onSubmittedWorkDone');
      return performance.now() - t0;
    }
    enc.resolveQuerySet(query, 0, 2, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, stamps, 0, 16);
    device.queue.submit([enc.finish()]);
    await withTimeout(stamps.mapAsync(0x0001), gpu.timeoutMs, 'timestamp readback');
    const t = new BigUint64Array(stamps.getMappedRange(0, 16));
    const ms = Number(t[1]! - t[0]!) / 1e6;
    stamps.unmap();
    return ms;
  };

  try {
    await runSizes();
  } catch (e) {
    // A GPU failure surfaces as an aborted map; say what failed first.
    throw new Error(`${(e as Error).message}${gpu.lostReason ? ` (GPU: ${gpu.lostReason})` : ''}`);
  }
  device.destroy();
  return { adapter: gpu.adapterName, reason: null, timing, features: [...got.gpu.owner.adapter.features], rows };

  async function runSizes(): Promise<void> {
    for (const [w, h] of o.sizes) {
      // The floor under every to-CPU row (the same at every size; a row per size keeps the table regular):
      // an empty submit's round trip, and a 16-byte copy + map.
      const empty = await sample(o, async () => {
        device.queue.submit([device.createCommandEncoder().finish()]);
        await withTimeout(device.queue.onSubmittedWorkDone(), gpu.timeoutMs, 'onSubmittedWorkDone');
        return undefined;
      });
      const tiny = await sample(o, async () => {
        const enc = device.createCommandEncoder();
        enc.copyBufferToBuffer(resolve, 0, stamps, 0, 16);
        device.queue.submit([enc.finish()]);
        await withTimeout(stamps.mapAsync(0x0001), gpu.timeoutMs, 'latency readback');
        stamps.unmap();
        return undefined;
      });
      rows.push({ kernel: 'latency', impl: 'webgpu', width: w, height: h, ...empty, measures: 'empty submit to onSubmittedWorkDone' });
      rows.push({ kernel: 'latency', impl: 'webgpu-map', width: w, height: h, ...tiny, measures: '16-byte copy, submit, mapAsync' });
      o.log(
        `latency        webgpu       ${empty.medianMs.toFixed(3)} ms empty submit round trip, ${tiny.medianMs.toFixed(3)} ms 16-byte readback`,
      );
      const fk = await createFramekit({ arenaBytes: 10 * w * h + (32 << 20), backend: 'wasm-simd' });
      const rgba = fk.allocPlane(w, h, 'rgba', { stride: w * 4 });
      rgba.data.set(tile(new Uint8Array(w * h * 4), w, h, photo, 4));
      const gray = fk.gray(fk.allocPlane(w, h, 'gray', { stride: w }), rgba);
      // Where results land on the CPU: room for the largest readback, Sobel's two int16 planes (rows in whole words).
      const readBytes = Math.max(2 * 4 * Math.ceil(w / 2) * h, KEYPOINT_HEADER_BYTES + CAPACITY * KEYPOINT_BYTES);
      const host = new Uint8Array(readBytes);
      const tail = new Uint8Array(4 * w);
      const up = gpuUpload(pool, 'bench rgba', w, h, 'rgba');
      const g = gpuPlane(pool, 'bench gray', w, h, 'gray');
      const blurred = gpuPlane(pool, 'bench blurred', w, h, 'gray');
      const [hw, hh] = pyrDownSize(w, h);
      const half = gpuPlane(pool, 'bench half', hw, hh, 'gray');
      const dx = gpuPlane(pool, 'bench dx', w, h, 'i16');
      const dy = gpuPlane(pool, 'bench dy', w, h, 'i16');
      const scores = gpuPlane(pool, 'bench scores', w, h, 'u16');
      const kpBytes = KEYPOINT_HEADER_BYTES + CAPACITY * KEYPOINT_BYTES;
      const kp = pool.buffer('bench keypoints', kpBytes, 0x0080 | 0x0004 | 0x0008);
      const readback = pool.buffer('bench readback', readBytes, 0x0001 | 0x0008);
      const passes = {
        gray: new GrayPass(pool, g, up),
        blur: new BlurPass(pool, blurred, g),
        pyrdown: new PyrDownPass(pool, half, g),
        sobelX: new SobelPass(pool, dx, g, 1, 0),
        sobelY: new SobelPass(pool, dy, g, 0, 1),
        fast: new FastPass(pool, kp, CAPACITY, g, scores, { threshold: THRESHOLD, nonmax: true, level: 0 }),
      };

      /** Upload (rgba or the gray plane), compute, copy `outputs` back into `host`. */
      const toCpu =
        (fromRgba: boolean, encode: (p: GPUComputePassEncoder) => void, outputs: Array<GpuPlane | GPUBuffer>, clearKp = false) =>
        async () => {
          if (fromRgba) uploadPlane(device.queue, up, fk.heap, rgba, tail);
          else uploadPlane(device.queue, g, fk.heap, gray, tail);
          const enc = device.createCommandEncoder();
          if (clearKp) enc.clearBuffer(kp, 0, KEYPOINT_HEADER_BYTES);
          const pass = enc.beginComputePass();
          encode(pass);
          pass.end();
          let at = 0;
          for (const out of outputs) {
            const buf = 'buffer' in out ? out.buffer : out;
            const bytes = 'buffer' in out ? out.strideWords * 4 * out.height : kpBytes;
            enc.copyBufferToBuffer(buf, 0, readback, at, bytes);
            at += bytes;
          }
          device.queue.submit([enc.finish()]);
          await withTimeout(readback.mapAsync(0x0001, 0, at), gpu.timeoutMs, 'bench readback');
          host.set(new Uint8Array(readback.getMappedRange(0, at)));
          readback.unmap();
          return undefined;
        };

      const row = async (kernel: string, cpu: () => Promise<undefined>, gpuOnly: (p: GPUComputePassEncoder) => void) => {
        const a = await sample(o, cpu);
        const b = await sample(o, () => compute(gpuOnly));
        rows.push({ kernel, impl: 'webgpu', width: w, height: h, ...a, measures: 'upload + compute + readback' });
        rows.push({ kernel, impl: 'webgpu-compute', width: w, height: h, ...b, timing });
        o.log(
          `${kernel.padEnd(14)} webgpu       ${`${w}x${h}`.padEnd(10)} ${a.medianMs.toFixed(3).padStart(9)} ms to CPU, ${b.medianMs.toFixed(3).padStart(8)} ms compute (${timing})`,
        );
      };

      await row(
        'gray',
        toCpu(true, (p) => passes.gray.encode(p), [g]),
        (p) => passes.gray.encode(p),
      );
      await row(
        'gaussian5x5',
        toCpu(false, (p) => passes.blur.encode(p), [blurred]),
        (p) => passes.blur.encode(p),
      );
      await row(
        'pyrdown',
        toCpu(false, (p) => passes.pyrdown.encode(p), [half]),
        (p) => passes.pyrdown.encode(p),
      );
      const sobel = (p: GPUComputePassEncoder) => (passes.sobelX.encode(p), passes.sobelY.encode(p));
      await row('sobel3 dx+dy', toCpu(false, sobel, [dx, dy]), sobel);
      await row(
        'fast',
        toCpu(false, (p) => passes.fast.encode(p), [kp], true),
        (p) => passes.fast.encode(p),
      );

      // The chain: rgba in, sorted keypoints out, through the ring; and its WASM twin on the CPU.
      const config = {
        width: w,
        height: h,
        format: 'rgba' as const,
        levels: 3,
        threshold: THRESHOLD,
        nonmax: true,
        capacity: CAPACITY,
        ring: 3,
        input: 'buffer' as const,
        sort: true,
      };
      const chain = new GpuChain(gpu, config);
      const twin = await KeypointChain.create(fk, null, config);
      const out = fk.allocKeypoints(CAPACITY);
      // chain.run leaves its input in the chain's upload buffer, so the compute-only samples read a real frame.
      await row(
        'chain',
        async () => (await chain.run(out, fk.heap, rgba), undefined),
        (p) => chain.encodeCompute(p),
      );
      // A frame already on the device (a decoded video frame, a camera texture): compute + readback only.
      const resident = await sample(o, async () => (await chain.run(out, fk.heap, null), undefined));
      rows.push({
        kernel: 'chain',
        impl: 'webgpu-resident',
        width: w,
        height: h,
        ...resident,
        measures: 'compute + readback (frame already on the device)',
      });
      // The same, keypoints left in the GPU's order (no sort on the CPU).
      const unsortedChain = new GpuChain(gpu, { ...config, sort: false });
      await unsortedChain.run(out, fk.heap, rgba);
      const unsorted = await sample(o, async () => (await unsortedChain.run(out, fk.heap, null), undefined));
      rows.push({
        kernel: 'chain',
        impl: 'webgpu-resident-unsorted',
        width: w,
        height: h,
        ...unsorted,
        measures: 'compute + readback, GPU order (no sort)',
      });
      await unsortedChain.destroy();
      // Throughput with the readback ring full: `ring` frames in flight at once, per frame.
      const outs = [out, fk.allocKeypoints(CAPACITY), fk.allocKeypoints(CAPACITY)];
      const piped = await sample(o, async () => {
        const t0 = performance.now();
        await Promise.all(outs.map((k) => chain.run(k, fk.heap, rgba)));
        return (performance.now() - t0) / outs.length;
      });
      rows.push({
        kernel: 'chain',
        impl: 'webgpu-pipelined',
        width: w,
        height: h,
        ...piped,
        measures: `per frame, ${outs.length} frames in flight (upload + compute + readback)`,
      });
      o.log(
        `chain          resident     ${`${w}x${h}`.padEnd(10)} ${resident.medianMs.toFixed(3).padStart(9)} ms to CPU (${unsorted.medianMs.toFixed(3)} unsorted); pipelined ${piped.medianMs.toFixed(3)} ms a frame`,
      );
      const cpu = await sample(o, async () => (twin.runCpu(out, rgba), undefined));
      rows.push({ kernel: 'chain', impl: 'wasm-simd', width: w, height: h, ...cpu });
      o.log(
        `chain          wasm-simd    ${`${w}x${h}`.padEnd(10)} ${cpu.medianMs.toFixed(3).padStart(9)} ms (the WASM twin); ${out.count} keypoints`,
      );

      await chain.destroy();
      await twin.destroy();
      for (const b of [up.buffer, g.buffer, blurred.buffer, half.buffer, dx.buffer, dy.buffer, scores.buffer, kp, readback])
        pool.release(b);
      for (const p of Object.values(passes)) pool.release(p.params);
    }
  }
}
