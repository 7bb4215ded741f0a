// The live demo in Debian's Chromium with a fake camera fed from a real clip: a Y4M made here from
// a photograph filmed along framekit's synthetic camera path.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, openSync, writeSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeImage } from 'framekit';
import { cameraPath, renderFrame } from '../../dist/ts/track/synthetic.js';
import { CHROMIUM, launch, serve } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
const out = join(root, 'test-results');
const clip = join(out, 'camera-clip.y4m');
const faceClip = join(out, 'camera-face-clip.y4m');

/** 90 frames of 640x480 4:2:0: the photograph's luma moving along the path, neutral chroma. */
function writeClip() {
  const img = decodeImage(readFileSync(join(root, 'test/fixtures/astronaut.png')));
  const luma = new Uint8Array(img.width * img.height);
  for (let i = 0; i < luma.length; i++)
    luma[i] = (9798 * img.data[i * 4] + 19235 * img.data[i * 4 + 1] + 3735 * img.data[i * 4 + 2] + 16384) >> 15;
  const w = 640;
  const h = 480;
  const path = cameraPath(w, h, img.width);
  const frame = new Uint8Array(w * h * 1.5).fill(128);
  const fd = openSync(clip, 'w');
  writeSync(fd, `YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\n`);
  for (let k = 0; k < 90; k++) {
    renderFrame(frame, w, path, path.frame(k), { width: img.width, height: img.height, data: luma });
    writeSync(fd, 'FRAME\n');
    writeSync(fd, frame);
  }
  closeSync(fd);
}

/** Where the astronaut's face is in the colour clip (the 512x512 photograph at (64, 0) of 640x480). */
const FACE_AT = { x: 64, y: 0 };

/**
 * 60 frames of 640x480 4:2:0 in colour (BT.601 studio range): the photograph's top 480 rows at x = 64
 * on black, so the camera shows a face.
 */
function writeFaceClip() {
  const img = decodeImage(readFileSync(join(root, 'test/fixtures/astronaut.png')));
  const w = 640;
  const h = 480;
  const frame = new Uint8Array(w * h * 1.5);
  const Y = frame.subarray(0, w * h).fill(16);
  const U = frame.subarray(w * h, w * h * 1.25).fill(128);
  const V = frame.subarray(w * h * 1.25).fill(128);
  const px = (x, y) => {
    const sx = x - FACE_AT.x;
    const sy = y - FACE_AT.y;
    if (sx < 0 || sy < 0 || sx >= img.width || sy >= img.height) return [0, 0, 0];
    const i = (sy * img.width + sx) * 4;
    return [img.data[i], img.data[i + 1], img.data[i + 2]];
  };
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const [r, g, b] = px(x, y);
      Y[y * w + x] = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
      if (!(x & 1) && !(y & 1)) {
        const c = (y >> 1) * (w >> 1) + (x >> 1);
        U[c] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
        V[c] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
      }
    }
  const fd = openSync(faceClip, 'w');
  writeSync(fd, `YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\n`);
  for (let k = 0; k < 60; k++) {
    writeSync(fd, 'FRAME\n');
    writeSync(fd, frame);
  }
  closeSync(fd);
}

let server;
let browser;
let faceBrowser;
let gpuBrowser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  mkdirSync(out, { recursive: true });
  writeClip();
  writeFaceClip();
  server = await serve(join(root, 'dist/demo'));
  const camera = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${clip}`];
  browser = await launch(camera);
  gpuBrowser = await launch([...camera, '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader']);
  faceBrowser = await launch([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${faceClip}`,
  ]);
});
after(async () => {
  await browser?.close();
  await gpuBrowser?.close();
  await faceBrowser?.close();
  await server?.close();
});

/** Opens the demo in `b`, waits for `frames` processed frames, returns its counters and the page. */
async function runDemo(b, query, frames = 20) {
  const page = await b.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}/${query}`);
  await page
    .waitForFunction((n) => window.__demo && (window.__demo.frames >= n || window.__demo.error), frames, { timeout: 90000 })
    .catch((e) => {
      throw new Error(`${e.message}\n${errors.join('\n')}`);
    });
  const s = await page.evaluate(() => window.__demo);
  assert.equal(s.error, null, `${s.error}\n${errors.join('\n')}`);
  return { s, page };
}

/** Pixels of one exact colour on the demo's canvas. */
function countColour(page, rgb) {
  return page.evaluate(([r, g, b]) => {
    const c = document.getElementById('view');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === r && d[i + 1] === g && d[i + 2] === b) n++;
    return n;
  }, rgb);
}

test('demo: camera frames are processed on WASM with the worker pool, points tracked, flow and pose drawn over the video', async () => {
  const { s, page } = await runDemo(browser, '');
  assert.ok(s.frames >= 20, `frames processed: ${s.frames}`);
  assert.ok(s.keypoints > 50, `keypoints in the last frame: ${s.keypoints}`);
  assert.ok(s.tracked > 100, `points tracked into the last frame: ${s.tracked}`);
  assert.equal(s.backend, 'wasm-simd');
  assert.equal(s.features, 'wasm');
  // The demo server sends COOP/COEP: the memory is shared and tracking is split over workers.
  assert.equal(s.workers, 2, s.workersNote);
  assert.ok(s.poses >= 10, `frames with pose axes: ${s.poses}`);
  // Overlay pixels: pure green keypoint marks on a gray video, and the pose axes' red.
  const green = await countColour(page, [0, 255, 0]);
  assert.ok(green > 100, `overlay pixels drawn: ${green}`);
  assert.ok((await countColour(page, [255, 48, 48])) > 20, 'pose axes drawn');
  assert.match(await page.textContent('#stats'), /fps/);
  await page.screenshot({ path: join(out, 'demo.png') });
  await page.close();
});

test('demo: with WebGPU the refill corners come from the GPU chain (SwiftShader), tracking as on WASM', async () => {
  const { s, page } = await runDemo(gpuBrowser, '');
  assert.ok(s.gpu && !s.gpu.startsWith('none'), `GPU adapter: ${s.gpu}`);
  assert.equal(s.features, 'webgpu', JSON.stringify(s));
  assert.ok(s.keypoints > 50, `keypoints in the last frame: ${s.keypoints}`);
  assert.ok(s.tracked > 100, `points tracked into the last frame: ${s.tracked}`);
  assert.ok(s.poses >= 10, `frames with pose axes: ${s.poses}`);
  assert.match(await page.textContent('#stats'), /webgpu/);
  await page.screenshot({ path: join(out, 'demo-webgpu.png') });
  await page.close();
});

test('demo: ?gpu=off&workers=0 runs everything on this thread', async () => {
  const { s, page } = await runDemo(gpuBrowser, '?gpu=off&workers=0', 10);
  assert.equal(s.features, 'wasm');
  assert.equal(s.workers, 0);
  assert.ok(s.tracked > 100, `points tracked into the last frame: ${s.tracked}`);
  await page.close();
});

test('demo ?faces=1: BlazeFace (ONNX Runtime Web) boxes and landmarks drawn over the face the camera shows', async () => {
  const page = await faceBrowser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}/?faces=1&workers=0`);
  await page
    .waitForFunction(
      () => window.__demo && (window.__demo.faceFrames >= 5 || window.__demo.error || window.__demo.faces.startsWith('error')),
      null,
      {
        timeout: 120000,
      },
    )
    .catch((e) => {
      throw new Error(`${e.message}\n${errors.join('\n')}`);
    });
  const s = await page.evaluate(() => window.__demo);
  assert.equal(s.error, null, `${s.error}\n${errors.join('\n')}`);
  assert.equal(s.faces, 'onnxruntime-web (wasm)', JSON.stringify(s));
  assert.ok(s.faceRuns >= 1 && s.faceFrames >= 5, JSON.stringify(s));
  // The face of the photograph (its centre near (230, 120) in the 512x512 image) shifted by FACE_AT.
  const [cx, cy] = s.faceCentre;
  assert.ok(Math.abs(cx - (FACE_AT.x + 230)) < 60 && Math.abs(cy - (FACE_AT.y + 120)) < 60, `face centre ${cx}, ${cy}`);
  // The overlay: the box's magenta and the landmarks' cyan are on the canvas.
  assert.ok((await countColour(page, [255, 0, 200])) > 100, 'face box drawn');
  assert.ok((await countColour(page, [0, 230, 255])) > 30, 'landmarks drawn');
  // The tracker kept running beside the model.
  assert.ok(s.frames >= 10 && s.tracked > 50, JSON.stringify(s));
  await page.screenshot({ path: join(out, 'demo-faces.png') });
  // The context control switches priorities live: in a video call the face stage's inferences run
  // LOW (frames stay CRITICAL); looking at results they run HIGH.
  assert.equal(s.context, 'default');
  assert.deepEqual(s.levels, { frame: 'critical', vision: 'high', chat: 'high' });
  for (const [context, vision, chat] of [
    ['video-call', 'low', 'low'],
    ['results', 'high', 'normal'],
  ]) {
    const before = await page.evaluate(() => ({ ...window.__demo.faceRunsByLevel }));
    await page.selectOption('#context', context);
    await page.waitForFunction(
      ([lvl, n]) => window.__demo.faceRunsByLevel[lvl] >= n + 2 || window.__demo.error,
      [vision, before[vision] ?? 0],
      { timeout: 60000 },
    );
    const t = await page.evaluate(() => window.__demo);
    assert.equal(t.error, null);
    assert.equal(t.context, context);
    assert.deepEqual(t.levels, { frame: 'critical', vision, chat });
    assert.match(await page.textContent('#stats'), new RegExp(`vision ${vision}`));
  }
  await page.close();
});
