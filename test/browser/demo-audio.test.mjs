// The live demo's microphone strip in Debian's Chromium, the speech fixture as the fake microphone:
// audio frames flow beside the video, mel columns are drawn, and the speech lamp lights.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, launch, serve } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
let server;
let browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  server = await serve(join(root, 'dist/demo'));
  browser = await launch([
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-audio-capture=${join(root, 'test/fixtures/speech-16k.wav')}`,
    '--autoplay-policy=no-user-gesture-required',
  ]);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('demo: the microphone as a live mel strip with a speech lamp, beside the tracked video', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/`);
  await page
    .waitForFunction(
      () => window.__demo && ((window.__demo.audioFrames >= 120 && window.__demo.frames >= 5) || window.__demo.error),
      null,
      {
        timeout: 90000,
      },
    )
    .catch((e) => {
      throw new Error(`${e.message}\n${errors.join('\n')}`);
    });
  const s = await page.evaluate(() => window.__demo);
  assert.equal(s.error, null, `${s.error}\n${errors.join('\n')}`);
  assert.match(s.audio, /^on, \d+ Hz to 16 kHz$/);
  assert.ok(s.melColumns >= (s.audioFrames * 512) / 160 - 3, `${s.melColumns} columns for ${s.audioFrames} frames`);
  // About 4 s of the clip: its speech starts at 0.6 s, so the energy detector has heard some.
  assert.ok(s.speechFrames > 10, `frames heard as speech: ${s.speechFrames}`);
  // The strip's right edge holds the latest columns: bright pixels where the clip speaks.
  const bright = await page.evaluate(() => {
    const c = document.getElementById('mel');
    const d = c.getContext('2d').getImageData(c.width - 120, 0, 120, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] > 128) n++;
    return n;
  });
  assert.ok(bright > 100, `bright mel pixels: ${bright}`);
  assert.match(await page.textContent('#stats'), /audio frames/);
  await page.close();
});
