// The safetensors reader in Chromium, from the browser bundle: a URL opens over HTTP Range requests
// (a Range server on another port, named in ?range=), a Blob over Blob.slice; tensors read on first
// access; a malformed file refused with E_TENSOR_FILE; one tensor written to a GPU buffer with
// writeBuffer (SwiftShader) and read back.
import { SafetensorsFile, loadedModels } from '../../dist/browser/models/index.js';

async function check() {
  const out = {};
  const url = new URLSearchParams(location.search).get('range');
  const http = await SafetensorsFile.open(url);
  out.httpKind = http.source.kind;
  out.httpOpenRead = http.bytesRead;
  out.httpOpenReads = http.source.reads;
  out.names = http.tensors.map((t) => t.name);
  const w = await http.array('conv.weight');
  out.weightHead = Array.from(w.subarray(0, 4));
  out.httpAfterOne = http.bytesRead;
  out.listed = loadedModels().map((m) => [m.via, m.tensorsLoaded]);

  const whole = await (await fetch(url)).blob();
  const blob = await SafetensorsFile.open(whole);
  out.blobKind = blob.source.kind;
  const w2 = await blob.array('conv.weight');
  out.blobWeightHead = Array.from(w2.subarray(0, 4));
  out.blobAfterOne = blob.bytesRead;

  const bad = new Uint8Array(await whole.arrayBuffer());
  new DataView(bad.buffer).setUint32(0, bad.length, true);
  try {
    await SafetensorsFile.open(new Blob([bad]));
    out.bad = 'accepted';
  } catch (e) {
    out.bad = `${e.code}:${e.details?.reason}`;
  }

  const adapter = await navigator.gpu?.requestAdapter();
  if (adapter) {
    const device = await adapter.requestDevice();
    const t = http.info('embed');
    const buf = await http.toGpu(device, 'embed');
    const read = device.createBuffer({ size: buf.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const enc = device.createCommandEncoder();
    enc.copyBufferToBuffer(buf, 0, read, 0, buf.size);
    device.queue.submit([enc.finish()]);
    await read.mapAsync(GPUMapMode.READ);
    const got = new Uint8Array(read.getMappedRange().slice(0, t.byteLength));
    read.unmap();
    const want = await blob.bytes('embed');
    out.gpuEqual = got.length === want.length && got.every((v, i) => v === want[i]);
    out.gpuSize = buf.size;
  }
  await http.close();
  await blob.close();
  out.listedAfterClose = loadedModels().length;
  return out;
}

check()
  .then((r) => (window.__result = r))
  .catch((e) => (window.__result = { error: `${e && e.stack ? e.stack : e}` }))
  .finally(() => (window.__done = true));
