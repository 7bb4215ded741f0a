import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CHROMIUM, launch, runPage, serve } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
let server;
let browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  server = await serve();
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

test('Chromium: the microphone (speech fixture) through the AudioWorklet and shared memory, resampled to 16 kHz, cut into frames with mel', async () => {
  const { result, logs } = await runPage(browser, server.url, 'test/browser/audio.html');
  assert.equal(result.error, undefined, `${result.error}\n${logs.join('\n')}`);
  assert.deepEqual(result.failures, []);
  assert.equal(result.isolated, true);
  // About 3 s of capture at 31.25 frames per second (the context's rate converted to 16 kHz).
  assert.ok(result.frames >= 50 && result.frames <= 110, `${result.frames} frames in ${result.seconds} s at ${result.sampleRate} Hz`);
  assert.ok(Math.abs(result.columns - (result.frames * 512) / 160) <= 3, `${result.columns} mel columns for ${result.frames} frames`);
  // The clip speaks for 6.5 of its 8.6 s: speech-level frames come through.
  assert.ok(result.maxRms > 0.05 && result.loud >= 10, `max rms ${result.maxRms}, ${result.loud} loud frames`);
  assert.equal(result.dropped, 0);
});
