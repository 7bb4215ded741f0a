// WebGPU in Chromium (navigator.gpu; SwiftShader here): the keypoint chain gray -> blur -> pyramid ->
// FAST on the device equals its WASM twin, frames from a canvas are copied texture to texture, and a
// device destroyed mid-stream hands the next frames to WASM without an error, reported once.
import { createFramekit } from '../../dist/browser/browser.js';

const list = (k) => Array.from({ length: k.count }, (_, i) => `${k.octave[i]},${k.y[i]},${k.x[i]},${k.response[i]}`).join(';');

async function check() {
  const out = { failures: [] };
  const w = 320;
  const h = 240;
  const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 4, scratchBytes: 16 << 20, gpu: 'require' });
  out.info = fk.info();
  // A picture with corners: a gradient and rectangles, drawn on a canvas.
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#202020';
  ctx.fillRect(0, 0, w, h);
  for (let i = 0; i < 40; i++) {
    ctx.fillStyle = `rgb(${(i * 53) % 256},${(i * 97) % 256},${(i * 31) % 256})`;
    ctx.fillRect((i * 37) % (w - 30), (i * 23) % (h - 30), 12 + (i % 5) * 4, 10 + (i % 7) * 3);
  }
  const rgba = fk.allocPlane(w, h, 'rgba');
  fk.writePixels(rgba, ctx.getImageData(0, 0, w, h).data);

  const chain = await fk.createKeypointChain({ width: w, height: h, format: 'rgba', levels: 3, threshold: 20, capacity: 1 << 16 });
  out.where = chain.where;
  const gpuOut = chain.createOutput();
  await chain.run(gpuOut, rgba);
  out.gpuWhere = gpuOut.where;
  const cpu = fk.allocKeypoints(1 << 16);
  chain.runCpu(cpu, rgba);
  out.count = gpuOut.keypoints.count;
  if (list(gpuOut.keypoints) !== list(cpu)) out.failures.push(`GPU and WASM keypoints differ: ${gpuOut.keypoints.count} vs ${cpu.count}`);

  // Device lost mid-stream: the next frames run on WASM, the loss is reported once, no error reaches us.
  let lost = 0;
  fk.gpu.addEventListener('gpulost', () => lost++);
  fk.gpu.device.destroy();
  for (let i = 0; i < 3; i++) {
    const o = chain.createOutput();
    await chain.run(o, rgba);
    out[`afterLoss${i}`] = o.where;
    if (list(o.keypoints) !== list(cpu)) out.failures.push(`frame ${i} after the loss differs`);
  }
  out.lostEvents = lost;
  out.fallback = fk.info().gpuFallback;
  return out;
}

check()
  .then((r) => (window.__result = r))
  .catch((e) => (window.__result = { error: String(e && e.stack ? e.stack : e) }))
  .finally(() => (window.__done = true));
