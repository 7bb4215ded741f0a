// The WGSL twin of the tensor-prep kernel (shaders/tensor-prep.wgsl) against its TypeScript
// reference, on Dawn (the `webgpu` package) as the other WebGPU suites run.
import { afterAll, describe, expect, test } from 'bun:test';
import { createFramekit, type PixelFormat } from '../../ts/index.js';
import { TENSOR_USAGE, TensorPrepPass } from '../../ts/backends/webgpu/passes/tensor-prep.js';
import { toTensorReference } from '../../ts/kernels/tensor-prep/reference.js';
import { tensorGeometry, type FitMode } from '../../ts/kernels/tensor-prep/tables.js';
import { fillRandom, fixture } from '../helpers/index.js';
import { testGpu } from './webgpu-helpers.js';

const { gpu, reason } = await testGpu();
const fk = await createFramekit({ arenaBytes: 32 << 20, backend: 'wasm-simd' });
afterAll(() => gpu?.device.destroy());

/** Largest difference the GPU's f32 sampling positions make against the CPU's f64 tables (values in [-1, 1]). */
const TOLERANCE = 2e-5;

test('a WebGPU adapter is available', () => expect(reason).toBeNull());

describe.skipIf(!gpu)('tensor-prep pass', () => {
  const g = gpu!;

  async function run(
    w: number,
    h: number,
    format: PixelFormat,
    S: number,
    fit: FitMode,
    fill: (p: ReturnType<typeof fk.allocPlane>) => void,
  ) {
    const src = fk.allocPlane(w, h, format, { stride: w * 4 + 4 * (w % 3) });
    fill(src);
    const tex = g.pool.texture('src', w, h, `${format}8unorm` as GPUTextureFormat, 0x04 | 0x02);
    g.device.queue.writeTexture(
      { texture: tex },
      fk.heap as Uint8Array<ArrayBuffer>,
      { offset: src.ptr, bytesPerRow: src.stride, rowsPerImage: h },
      [w, h],
    );
    const geo = tensorGeometry(w, h, S, S, fit);
    const out = g.pool.buffer('tensor', S * S * 12, TENSOR_USAGE);
    const pass = new TensorPrepPass(g.pool, tex, out, geo, 1 / 127.5, -1);
    const read = g.device.createBuffer({ size: S * S * 12, usage: 0x0001 /* MAP_READ */ | 0x0008 /* COPY_DST */ });
    const enc = g.device.createCommandEncoder();
    const cp = enc.beginComputePass();
    pass.encode(cp);
    cp.end();
    enc.copyBufferToBuffer(out, 0, read, 0, S * S * 12);
    g.device.queue.submit([enc.finish()]);
    await read.mapAsync(0x0001);
    const got = new Float32Array(read.getMappedRange().slice(0));
    read.unmap();
    read.destroy();
    const ref = new Float32Array(S * S * 3);
    toTensorReference(fk.heap, ref, 0, src, geo, 1 / 127.5, -1);
    let worst = 0;
    for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(got[i]! - ref[i]!));
    for (const b of [out, pass.params]) g.pool.release(b);
    tex.destroy();
    fk.freePlane(src);
    return worst;
  }

  test('random pixels: sizes, letterbox and stretch, rgba and bgra textures: within 2e-5 of the reference', async () => {
    let seed = 3;
    for (const [w, h, S] of [
      [17, 9, 16],
      [64, 48, 32],
      [33, 65, 24],
      [1, 1, 8],
      [200, 3, 9],
    ] as const) {
      for (const fit of ['letterbox', 'stretch'] as FitMode[]) {
        for (const format of ['rgba', 'bgra'] as PixelFormat[]) {
          const s = seed++;
          const worst = await run(w, h, format, S, fit, (p) => fillRandom(p, s));
          expect({ w, h, S, fit, format, ok: worst <= TOLERANCE }).toEqual({ w, h, S, fit, format, ok: true });
        }
      }
    }
  }, 60_000);

  test('the astronaut to 128x128: within 2e-5 of the reference', async () => {
    const img = await fixture('astronaut.png');
    const worst = await run(img.width, img.height, 'rgba', 128, 'letterbox', (p) => {
      for (let y = 0; y < img.height; y++) p.data.set(img.data.subarray(y * img.width * 4, (y + 1) * img.width * 4), y * p.stride);
    });
    expect(worst).toBeLessThanOrEqual(TOLERANCE);
  }, 60_000);
});
