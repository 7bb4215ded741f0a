import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { CHROMIUM, launch, runPage, serve } from './harness.mjs';

let server;
let browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  server = await serve();
  browser = await launch(['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader']);
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('Chromium WebGPU (SwiftShader): the keypoint chain equals WASM; a destroyed device falls back, reported once', async () => {
  const { result: r, logs } = await runPage(browser, server.url, 'test/browser/webgpu.html', 180000);
  assert.equal(r.error, undefined, `${r.error}\n${logs.join('\n')}`);
  assert.ok(r.info.gpu, `an adapter was found: ${JSON.stringify(r.info)}`);
  assert.equal(r.where, 'webgpu');
  assert.equal(r.gpuWhere, 'webgpu');
  assert.ok(r.count > 20, `keypoints: ${r.count}`);
  assert.deepEqual(r.failures, []);
  assert.deepEqual([r.afterLoss0, r.afterLoss1, r.afterLoss2], ['wasm', 'wasm', 'wasm']);
  assert.equal(r.lostEvents, 1);
  assert.ok(r.fallback, 'info() says why the GPU is no longer used');
});
