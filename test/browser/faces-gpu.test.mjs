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

test("Chromium WebGPU (SwiftShader): face stage with its input on the GPU (WGSL pass -> ORT's WebGPU provider) finds the face the CPU path finds", async () => {
  const { result: r, logs } = await runPage(browser, server.url, 'test/browser/faces-gpu.html', 240000);
  assert.equal(r.error, undefined, `${r.error}\n${logs.join('\n')}`);
  assert.ok(r.adapter, 'a WebGPU adapter');
  assert.equal(r.cpu.length, 1);
  for (const got of [r.gpu, r.gpuFromPlane, r.frame]) {
    assert.equal(got.length, 1, JSON.stringify(r));
    assert.ok(Math.hypot(got[0][0] - r.cpu[0][0], got[0][1] - r.cpu[0][1]) < 1, JSON.stringify(r));
  }
  assert.equal(r.stats.attached, 1);
});
