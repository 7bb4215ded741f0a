import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CHROMIUM, launch, runPage, serve } from './harness.mjs';

let server;
let browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('Chromium: frames from a real VideoFrame and ImageData, gray once and exact, FrameRing with a Web Worker', async () => {
  const { result, logs } = await runPage(browser, server.url, 'test/browser/frames.html');
  assert.equal(result.error, undefined, `${result.error}\n${logs.join('\n')}`);
  assert.deepEqual(result.failures, []);
  assert.equal(result.videoFrameMaxDiff, 0, `VideoFrame (${result.videoFrameFormat}) copied into the frame as RGBA`);
  assert.equal(result.doubleRelease, 'E_STATE');
  assert.equal(result.ringItems, 50000);
});
