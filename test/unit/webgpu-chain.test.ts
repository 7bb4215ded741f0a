// The device-resident chain (gray -> blur -> pyramid -> FAST): the same keypoints as its WASM twin,
// no GPU object created per frame, several frames in flight through the readback ring, and every
// way the GPU can go away ending on WASM without an error, reported once, with no frame lost.
import { describe, expect, test } from 'bun:test';
import { createFramekit, type Framekit, type Plane } from '../../ts/index.js';
import { GpuBackend, type GpuLostDetail } from '../../ts/backends/webgpu/backend.js';
import { acquireGpu, gpuForMode } from '../../ts/backends/webgpu/device.js';
import { KeypointChain, type ChainOutput } from '../../ts/backends/webgpu/keypoint-chain.js';
import type { Keypoints } from '../../ts/features/keypoints.js';
import { PHOTOS, fillRandom, fixture } from '../helpers/index.js';

const fk = await createFramekit({ arenaBytes: 256 << 20, backend: 'wasm-simd' });

async function backend(timeoutMs = 10_000): Promise<GpuBackend> {
  const r = await acquireGpu();
  if (!r.ok) throw new Error(`no WebGPU adapter: ${r.reason}`);
  return new GpuBackend(r.gpu, timeoutMs);
}

/** A frame: a photograph (tiled or cut to size) or seeded noise, in an arena plane of `format`. */
async function frame(w: number, h: number, i: number, format: 'rgba' | 'gray' = 'rgba'): Promise<Plane> {
  const p = fk.allocPlane(w, h, format);
  const img = await fixture(PHOTOS[i % PHOTOS.length]!);
  if (i % 3 === 2) return fillRandom(p, i);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const s = ((y % img.height) * img.width + (x % img.width)) * 4;
      if (format === 'gray') p.data[y * p.stride + x] = img.data[s + 1]!;
      else p.data.set(img.data.subarray(s, s + 4), y * p.stride + 4 * x);
    }
  }
  return p;
}

const list = (k: Keypoints) => Array.from({ length: k.count }, (_, i) => [k.octave[i], k.y[i], k.x[i], k.response[i]].join(','));

/** Equal lists; both must be complete (found <= capacity: on overflow the GPU keeps an unspecified subset). */
function expectSame(a: Keypoints, b: Keypoints, what: string) {
  expect([what, a.found, a.count]).toEqual([what, b.found, b.count]);
  expect([what, b.found <= b.capacity]).toEqual([what, true]);
  expect(list(a)).toEqual(list(b));
}

describe('webgpu keypoint chain', () => {
  test('same keypoints, same order, as the WASM twin: photographs and noise, rgba and gray, odd sizes', async () => {
    const gpu = await backend();
    for (const [w, h, format, levels, threshold] of [
      [640, 480, 'rgba', 3, 20],
      [513, 391, 'rgba', 4, 12],
      [97, 61, 'gray', 2, 30],
      [1280, 720, 'rgba', 3, 20],
    ] as const) {
      const chain = await KeypointChain.create(fk, gpu, { width: w, height: h, format, levels, threshold, capacity: 1 << 18 });
      expect(chain.where).toBe('webgpu');
      const out = chain.createOutput();
      const ref = fk.allocKeypoints(1 << 18);
      let total = 0;
      for (let i = 0; i < 3; i++) {
        const src = await frame(w, h, i, format);
        await chain.run(out, src);
        expect(out.where).toBe('webgpu');
        chain.runCpu(ref, src);
        total += ref.count;
        expectSame(out.keypoints, ref, `${w}x${h} ${format} frame ${i}`);
        fk.freePlane(src);
      }
      expect(total).toBeGreaterThan(0); // the comparison is not of empty lists
      await chain.destroy();
      fk.arena.free(ref.region);
      fk.arena.free(out.keypoints.region);
    }
    gpu.device.destroy();
  }, 120_000);

  test('texture input (writeTexture here, copyExternalImageToTexture in a browser): same keypoints, rgba and bgra', async () => {
    const gpu = await backend();
    for (const format of ['rgba', 'bgra'] as const) {
      const chain = await KeypointChain.create(fk, gpu, { width: 333, height: 251, format, input: 'texture', capacity: 1 << 16 });
      const out = chain.createOutput();
      const ref = fk.allocKeypoints(1 << 16);
      for (let i = 0; i < 3; i++) {
        const src = await frame(333, 251, i); // rgba bytes; read as bgra they are another valid picture
        const s = format === 'rgba' ? src : { ptr: src.ptr, width: src.width, height: src.height, stride: src.stride, format };
        await chain.run(out, s);
        expect(out.where).toBe('webgpu');
        expectSame(out.keypoints, chain.runCpu(ref, s), `${format} texture frame ${i}`);
        expect(ref.count).toBeGreaterThan(0);
        fk.freePlane(src);
      }
      await chain.destroy();
    }
    gpu.device.destroy();
  }, 60_000);

  test('runFrame: a pool frame gets its keypoints attached, saying where they were computed', async () => {
    const g = await createFramekit({ arenaBytes: 32 << 20, gpu: 'require' });
    const pool = g.createPool({ width: 160, height: 120, size: 2 });
    const chain = await g.createKeypointChain({ width: 160, height: 120, format: 'rgba' });
    const f = pool.acquire();
    fillRandom(f.pixels, 3);
    const out = await chain.runFrame(chain.createOutput(), f);
    expect(f.get('keypoints')).toBe(out);
    expect(out.where).toBe('webgpu');
    expectSame(out.keypoints, chain.runCpu(g.allocKeypoints(8192), f.pixels), 'pool frame');
    g.gpu!.device.destroy();
  });

  test('sort: false leaves the GPU order, with the same set of keypoints', async () => {
    const gpu = await backend();
    const chain = await KeypointChain.create(fk, gpu, { width: 300, height: 200, format: 'rgba', sort: false, capacity: 1 << 15 });
    const src = await frame(300, 200, 1);
    const out = await chain.run(chain.createOutput(), src);
    const ref = chain.runCpu(fk.allocKeypoints(1 << 15), src);
    expect(out.where).toBe('webgpu');
    expect(out.keypoints.count).toBe(ref.count);
    expect(list(out.keypoints).sort()).toEqual(list(ref).sort());
    await chain.destroy();
    gpu.device.destroy();
  });

  test('steady state: no buffer, bind group, pipeline or shader module created per frame', async () => {
    const gpu = await backend();
    const counts = {
      createBuffer: 0,
      createBindGroup: 0,
      createComputePipeline: 0,
      createShaderModule: 0,
      createBindGroupLayout: 0,
      createQuerySet: 0,
      createTexture: 0,
    };
    const dev = gpu.device as unknown as Record<string, (...a: unknown[]) => unknown>;
    for (const name of Object.keys(counts) as Array<keyof typeof counts>) {
      const orig = dev[name]!.bind(dev);
      dev[name] = (...a: unknown[]) => (counts[name]++, orig(...a));
    }
    const chain = await KeypointChain.create(fk, gpu, { width: 320, height: 240, format: 'rgba' });
    const out = chain.createOutput();
    const src = await frame(320, 240, 0);
    await chain.run(out, src); // first frame: lazily created driver state may appear; none of ours
    const made = { ...counts };
    const pool = gpu.pool.stats();
    expect(made.createBuffer).toBeGreaterThan(0); // the counting works
    for (let i = 0; i < 12; i++) await chain.run(out, src);
    await Promise.all([chain.run(out, src), chain.run(out, src), chain.run(out, src), chain.run(out, src)]);
    expect(counts).toEqual(made);
    expect(gpu.pool.stats()).toEqual(pool);
    expect(out.where).toBe('webgpu');
    gpu.device.destroy();
  }, 60_000);

  test('overflow: the count says how many were found, the list keeps `capacity` of them, all real', async () => {
    const gpu = await backend();
    const chain = await KeypointChain.create(fk, gpu, { width: 320, height: 240, format: 'rgba', capacity: 500 });
    const src = await frame(320, 240, 2); // noise: thousands of corners
    const out = await chain.run(chain.createOutput(), src);
    const all = fk.allocKeypoints(1 << 16);
    const full = await KeypointChain.create(fk, null, { width: 320, height: 240, format: 'rgba', capacity: 1 << 16 });
    full.runCpu(all, src);
    expect(out.where).toBe('webgpu');
    expect(out.keypoints.found).toBe(all.found);
    expect(out.keypoints.count).toBe(500);
    const set = new Set(list(all));
    expect(list(out.keypoints).filter((k) => !set.has(k))).toEqual([]);
    gpu.device.destroy();
  }, 60_000);

  test("frames in flight through the readback ring: each output holds its own frame's keypoints", async () => {
    const gpu = await backend();
    const chain = await KeypointChain.create(fk, gpu, { width: 400, height: 300, format: 'rgba', ring: 3, capacity: 1 << 16 });
    const n = 8;
    const srcs = await Promise.all(Array.from({ length: n }, (_, i) => frame(400, 300, i)));
    const outs = srcs.map(() => chain.createOutput());
    await Promise.all(srcs.map((s, i) => chain.run(outs[i]!, s)));
    const ref = fk.allocKeypoints(1 << 16);
    for (let i = 0; i < n; i++) {
      expect(outs[i]!.where).toBe('webgpu');
      expectSame(outs[i]!.keypoints, chain.runCpu(ref, srcs[i]!), `frame ${i}`);
    }
    gpu.device.destroy();
  }, 60_000);
});

describe('webgpu fallback to WASM', () => {
  /** Runs `n` frames, calling `hurt` after `at` of them are started; returns outputs and events seen. */
  async function stream(gpu: GpuBackend, hurt: () => void, at: number, n = 8) {
    const chain = await KeypointChain.create(fk, gpu, { width: 320, height: 240, format: 'rgba', capacity: 1 << 15 });
    const events: GpuLostDetail[] = [];
    gpu.addEventListener('gpulost', (e) => events.push((e as CustomEvent<GpuLostDetail>).detail));
    const srcs = await Promise.all(Array.from({ length: n }, (_, i) => frame(320, 240, i)));
    const outs = srcs.map(() => chain.createOutput());
    const runs: Array<Promise<ChainOutput>> = [];
    for (let i = 0; i < n; i++) {
      if (i === at) hurt();
      runs.push(chain.run(outs[i]!, srcs[i]!));
    }
    await Promise.all(runs); // never rejects
    const ref = fk.allocKeypoints(1 << 15);
    for (let i = 0; i < n; i++) expectSame(outs[i]!.keypoints, chain.runCpu(ref, srcs[i]!), `frame ${i}`);
    // after the loss, a later frame runs on WASM straight away
    const later = await chain.run(chain.createOutput(), srcs[0]!);
    return { chain, events, outs, later };
  }

  test('device.destroy() mid-stream: every frame answered, in-flight ones on WASM, one report', async () => {
    const gpu = await backend();
    const fk2 = fk as Framekit & { gpu: GpuBackend | null };
    const { chain, events, outs, later } = await stream(gpu, () => gpu.device.destroy(), 3);
    expect(events.length).toBe(1);
    expect(events[0]!.reason).toContain('destroyed');
    expect(outs.slice(0, 3).every((o) => o.where === 'webgpu' || o.where === 'wasm')).toBe(true);
    expect(outs.slice(3).every((o) => o.where === 'wasm')).toBe(true);
    expect(later.where).toBe('wasm');
    expect(chain.where).toBe('wasm');
    expect(chain.fallbackReason).toContain('destroyed');
    expect(gpu.alive).toBe(false);
    void fk2;
  }, 60_000);

  test('a failing adapter (an uncaptured GPU error) hands over to WASM, reported once', async () => {
    const gpu = await backend();
    const { events, later } = await stream(
      gpu,
      () => {
        gpu.device.createBuffer({ size: 16, usage: 0x1 | 0x80 }); // MAP_READ | STORAGE: invalid, raises an uncaptured error
      },
      2,
    );
    expect(events.length).toBe(1);
    expect(events[0]!.reason).toContain('GPU error');
    expect(later.where).toBe('wasm');
  }, 60_000);

  test('a readback past its timeout counts as a failure, and the frame is still answered', async () => {
    const gpu = await backend(100);
    // A driver that never answers: from the first frame on, every map stays pending forever.
    const proto = (globalThis as unknown as { GPUBuffer: { prototype: { mapAsync: unknown } } }).GPUBuffer.prototype;
    const mapAsync = proto.mapAsync;
    let outs: ChainOutput[] = [];
    let events: GpuLostDetail[] = [];
    try {
      ({ events, outs } = await stream(gpu, () => (proto.mapAsync = () => new Promise(() => undefined)), 0, 3));
    } finally {
      proto.mapAsync = mapAsync;
    }
    expect(events.length).toBe(1);
    expect(events[0]!.reason).toContain('did not finish within 100 ms');
    expect(outs.every((o) => o.where === 'wasm')).toBe(true);
  }, 60_000);

  test('a shader that fails to compile: the chain is made on WASM and says why', async () => {
    const gpu = await backend();
    const dev = gpu.device as unknown as { createShaderModule: (d: GPUShaderModuleDescriptor) => GPUShaderModule };
    const orig = dev.createShaderModule.bind(dev);
    dev.createShaderModule = (d) => orig({ ...d, code: d.code.replace('fn main', 'fn main(') }); // a syntax error
    const chain = await KeypointChain.create(fk, gpu, { width: 64, height: 48, format: 'rgba' });
    expect(chain.where).toBe('wasm');
    expect(chain.fallbackReason).toContain('GPU chain not built');
    const src = await frame(64, 48, 2);
    const out = await chain.run(chain.createOutput(), src);
    expect(out.where).toBe('wasm');
    expectSame(out.keypoints, chain.runCpu(fk.allocKeypoints(8192), src), 'after a failed compile');
    await chain.destroy();
    gpu.device.destroy();
  });

  test('a frame larger than the adapter allows, or a format its textures cannot hold: WASM, with the reason', async () => {
    const gpu = await backend();
    const rgb = await KeypointChain.create(fk, gpu, { width: 64, height: 48, format: 'rgb', input: 'texture' });
    expect(rgb.where).toBe('wasm');
    expect(rgb.fallbackReason).toContain('texture input takes rgba or bgra');
    await rgb.destroy();
    const limit = gpu.device.limits.maxStorageBufferBindingSize;
    const width = 8192;
    const height = Math.floor(limit / (4 * width)) + 8; // one upload buffer past the limit
    if (height <= 8192) {
      const big = await KeypointChain.create(fk, gpu, { width, height, format: 'rgba', levels: 1 });
      expect(big.where).toBe('wasm');
      expect(big.fallbackReason).toContain('exceeds this adapter');
      await big.destroy();
    }
    expect(gpu.alive).toBe(true); // a chain the device cannot hold does not count as losing the device
    gpu.device.destroy();
  }, 60_000);

  test('no adapter: auto falls back and says why, require throws E_GPU, a chain runs on WASM', async () => {
    const none = { dawnFlags: [['backend=null-does-not-exist']] };
    const auto = await gpuForMode('auto', none);
    expect(auto.gpu).toBeNull();
    expect(auto.reason).toBeTruthy();
    await expect(gpuForMode('require', none)).rejects.toMatchObject({ code: 'E_GPU' });
    const off = await createFramekit({ arenaBytes: 32 << 20 });
    expect(off.info().gpu).toBeNull();
    expect(off.info().gpuFallback).toContain('off');
    const chain = await off.createKeypointChain({ width: 64, height: 48, format: 'gray' });
    expect(chain.where).toBe('wasm');
    const out = await chain.run(chain.createOutput(), fillRandom(off.allocPlane(64, 48, 'gray'), 5));
    expect(out.where).toBe('wasm');
  });

  test('createFramekit({ gpu: "auto" }) names the adapter in info(), and the loss there too', async () => {
    const g = await createFramekit({ arenaBytes: 32 << 20, gpu: 'auto' });
    expect(g.info().gpu).toContain('(webgpu');
    expect(g.info().gpuFallback).toBeNull();
    const chain = await g.createKeypointChain({ width: 64, height: 48, format: 'gray' });
    const src = fillRandom(g.allocPlane(64, 48, 'gray'), 9);
    expect((await chain.run(chain.createOutput(), src)).where).toBe('webgpu');
    g.gpu!.device.destroy();
    expect((await chain.run(chain.createOutput(), src)).where).toBe('wasm');
    expect(g.info().gpu).toBeNull();
    expect(g.info().gpuFallback).toContain('destroyed');
  });
});
