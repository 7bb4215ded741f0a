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

let server;
let browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  mkdirSync(out, { recursive: true });
  writeClip();
  server = await serve(join(root, 'dist/demo'));
  browser = await launch([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-video-capture=${clip}`,
  ]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('demo: camera frames are processed, points tracked and drawn over the video', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page
    .waitForFunction(() => window.__demo && (window.__demo.frames >= 20 || window.__demo.error), null, { timeout: 60000 })
    .catch((e) => {
      throw new Error(`${e.message}\n${errors.join('\n')}`);
    });
  const s = await page.evaluate(() => window.__demo);
  assert.equal(s.error, null, s.error);
  assert.ok(s.frames >= 20, `frames processed: ${s.frames}`);
  assert.ok(s.keypoints > 50, `keypoints in the last frame: ${s.keypoints}`);
  assert.ok(s.tracked > 100, `points tracked into the last frame: ${s.tracked}`);
  assert.equal(s.backend, 'wasm-simd');
  // Overlay pixels: pure green keypoint marks on a gray video.
  const green = await page.evaluate(() => {
    const c = document.getElementById('view');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 0 && d[i + 1] === 255 && d[i + 2] === 0) n++;
    return n;
  });
  assert.ok(green > 100, `overlay pixels drawn: ${green}`);
  assert.match(await page.textContent('#stats'), /fps/);
  await page.screenshot({ path: join(out, 'demo.png') });
  await page.close();
});
