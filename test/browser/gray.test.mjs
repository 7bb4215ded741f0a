import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CHROMIUM, launch, runPage, serve } from './harness.mjs';

let server;
let browser;
before(async () => {
  // A missing browser is a failure, not a skip: CI installs Debian's chromium.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('Chromium: the browser bundle loads its .wasm by URL; gray equals the reference in every backend', async () => {
  const { result, logs } = await runPage(browser, server.url, 'test/browser/gray.html');
  assert.equal(result.error, undefined, `${result.error}\n${logs.join('\n')}`);
  assert.deepEqual(result.backends, { reference: 'none', 'wasm-scalar': 'scalar', 'wasm-simd': 'simd' });
  assert.deepEqual(result.failures, []);
  assert.ok(result['wasm-simdCompared'] > 10000);
  assert.equal(result.crossOriginIsolated, true);
  assert.equal(result.sharedBuffer, true);
  assert.equal(result.sharedGray, 200);
  assert.equal(result.sharedSum, String(200 * 120));
});
