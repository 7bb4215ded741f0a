import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import { CHROMIUM, launch, runPage, serve } from './harness.mjs';
import { MIXED, headerOf, writeSafetensors } from '../../dist/test/helpers/safetensors.js';

const FILE = writeSafetensors(MIXED);
const N = Number(new DataView(FILE.buffer).getBigUint64(0, true));

// A Range server on its own port: the page is cross-origin isolated, so it answers CORS (Range
// allowed, Content-Range exposed) and CORP headers.
const rangeServer = createServer((req, res) => {
  const cors = {
    'access-control-allow-origin': '*',
    'access-control-allow-headers': 'range',
    'access-control-expose-headers': 'content-range',
    'cross-origin-resource-policy': 'cross-origin',
  };
  if (req.method === 'OPTIONS') return res.writeHead(204, cors).end();
  const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
  if (!m) return res.writeHead(200, { ...cors, 'content-length': FILE.length }).end(FILE);
  const a = Number(m[1]);
  const b = Math.min(Number(m[2]), FILE.length - 1);
  res
    .writeHead(206, { ...cors, 'content-range': `bytes ${a}-${b}/${FILE.length}`, 'content-length': b - a + 1 })
    .end(FILE.subarray(a, b + 1));
});

let server;
let browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  await new Promise((r) => rangeServer.listen(0, '127.0.0.1', r));
  server = await serve();
  browser = await launch(['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-webgpu-adapter=swiftshader']);
});
after(async () => {
  await browser?.close();
  await server?.close();
  rangeServer.close();
});

test('Chromium: safetensors over HTTP Range and Blob.slice, read lazily; writeBuffer on SwiftShader', async () => {
  const range = `http://127.0.0.1:${rangeServer.address().port}/mixed.safetensors`;
  const { result: r, logs } = await runPage(browser, server.url, `test/browser/safetensors.html?range=${encodeURIComponent(range)}`);
  assert.equal(r.error, undefined, `${r.error}\n${logs.join('\n')}`);
  assert.equal(r.httpKind, 'http');
  assert.equal(r.httpOpenRead, 8 + N);
  assert.equal(r.httpOpenReads, 3); // the size probe, the length, the header
  assert.deepEqual(
    r.names,
    MIXED.map((t) => t.name),
  );
  const { json, data } = headerOf(FILE);
  const [a] = json['conv.weight'].data_offsets;
  const want = Array.from(new Float32Array(data.slice(a, a + 16).buffer));
  assert.deepEqual(r.weightHead, want);
  assert.equal(r.httpAfterOne, 8 + N + 432);
  assert.deepEqual(r.listed, [['http', 1]]);
  assert.equal(r.blobKind, 'blob');
  assert.deepEqual(r.blobWeightHead, want);
  assert.equal(r.blobAfterOne, 8 + N + 432);
  assert.equal(r.bad, 'E_TENSOR_FILE:header-length');
  assert.equal(r.gpuEqual, true, 'the tensor read back from the GPU buffer equals the file');
  assert.equal(r.gpuSize, 72);
  assert.equal(r.listedAfterClose, 0);
});
