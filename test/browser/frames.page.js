// Frames in Chromium: ingest from a real VideoFrame and from ImageData, gray computed once and
// equal to the reference, and a FrameRing between the page and a Web Worker.
import { createFramekit, FrameRing, grayReference, ingestImageData, ingestVideoFrame } from '../../dist/browser/browser.js';

async function check() {
  const out = { failures: [] };
  const fail = (m) => out.failures.push(m);
  const w = 160;
  const h = 90;
  const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 4 });
  const pool = fk.createPool({ width: w, height: h, format: 'rgba', size: 2 });

  // A canvas with a pattern, as a VideoFrame and as ImageData.
  const canvas = new OffscreenCanvas(w, h);
  const ctx = canvas.getContext('2d');
  const grad = ctx.createLinearGradient(0, 0, w, h);
  grad.addColorStop(0, '#102030');
  grad.addColorStop(1, '#f0c080');
  ctx.fillStyle = grad;
  ctx.fillRect(0, 0, w, h);
  ctx.fillStyle = '#3060ff';
  ctx.fillRect(20, 10, 50, 40);
  const image = ctx.getImageData(0, 0, w, h);

  const vf = new VideoFrame(canvas, { timestamp: 0 });
  out.videoFrameFormat = vf.format;
  const f1 = pool.acquire(1);
  await ingestVideoFrame(f1, vf);
  vf.close();
  const f2 = pool.acquire(2);
  ingestImageData(f2, image);
  // The VideoFrame path converts to RGBA exactly as the canvas holds it.
  let diff = 0;
  for (let i = 0; i < image.data.length; i++) diff = Math.max(diff, Math.abs(image.data[i] - f1.data[i]));
  out.videoFrameMaxDiff = diff;
  for (const f of [f1, f2]) {
    const g = f.gray();
    if (f.gray() !== g) fail('gray() recomputed');
    const ref = fk.allocPlane(w, h, 'gray');
    grayReference(fk.heap, ref, f.pixels);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) if (g.data[y * g.stride + x] !== ref.data[y * ref.stride + x]) fail(`gray differs at ${x},${y}`);
    fk.freePlane(ref);
  }
  f1.release();
  f2.release();
  try {
    f1.release();
    fail('double release passed');
  } catch (e) {
    out.doubleRelease = e.code;
  }

  // FrameRing between the page and a Web Worker over SharedArrayBuffer.
  const ring = FrameRing.create(256);
  const back = FrameRing.create(256);
  const N = 50000;
  const worker = new Worker(new URL('./ring-worker.js', import.meta.url), { type: 'module' });
  const done = new Promise((r) => (worker.onmessage = r));
  worker.postMessage({ a: ring.buffer, b: back.buffer, n: N });
  let sent = 0;
  let expect = 0;
  const t0 = performance.now();
  while (expect < N && performance.now() - t0 < 30000) {
    while (sent < N && ring.push(sent)) sent++;
    for (let v = back.pop(); v >= 0; v = back.pop()) {
      if (v !== expect) fail(`ring: got ${v}, expected ${expect}`);
      expect++;
    }
    await new Promise((r) => setTimeout(r, 0));
  }
  await done;
  worker.terminate();
  out.ringItems = expect;
  return out;
}

check()
  .then((r) => (window.__result = r))
  .catch((e) => (window.__result = { error: String(e && e.stack ? e.stack : e) }))
  .finally(() => (window.__done = true));
