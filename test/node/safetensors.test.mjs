// The built safetensors reader (dist/) under Node, where there is no Bun.mmap: a path opens with
// positional reads (FileHandle.read at an offset), which land straight in the arena for toArena, also
// when the memory is a SharedArrayBuffer; an http URL opens over Range requests to a node:http server.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFramekit } from 'framekit';
import { SafetensorsFile, canMmap, loadedModels } from 'framekit/models';
import { MIXED, headerOf, writeSafetensors } from '../../dist/test/helpers/safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'fk-st-node-'));
const FILE = writeSafetensors(MIXED, { metadata: { format: 'pt' } });
const path = join(dir, 'mixed.safetensors');
writeFileSync(path, FILE);
const N = Number(new DataView(FILE.buffer).getBigUint64(0, true));
const expected = (name) => {
  const { json, data } = headerOf(FILE);
  const [a, b] = json[name].data_offsets;
  return data.subarray(a, b);
};

// A minimal Range server: "bytes=a-b" answered 206 with Content-Range; anything else 200 (whole file).
const server = createServer((req, res) => {
  if (req.url !== '/mixed.safetensors') return res.writeHead(404).end();
  const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
  if (!m) return res.writeHead(200, { 'content-length': FILE.length }).end(FILE);
  const a = Number(m[1]);
  const b = Math.min(Number(m[2]), FILE.length - 1);
  res.writeHead(206, { 'content-range': `bytes ${a}-${b}/${FILE.length}`, 'content-length': b - a + 1 }).end(FILE.subarray(a, b + 1));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
after(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('Node has no Bun.mmap: a path opens with positional reads, the header only', async () => {
  assert.equal(canMmap(), false);
  const f = await SafetensorsFile.open(path);
  assert.equal(f.source.kind, 'file');
  assert.equal(f.bytesRead, 8 + N);
  assert.deepEqual({ ...f.metadata }, { format: 'pt' }); // a null-prototype map: a key named __proto__ stays a key
  const w = await f.array('conv.weight');
  assert.ok(w instanceof Float32Array);
  assert.deepEqual(new Uint8Array(w.buffer, w.byteOffset, w.byteLength), expected('conv.weight'));
  assert.equal(f.bytesRead, 8 + N + 432);
  assert.equal(loadedModels().filter((m) => m.name === path).length, 1);
  await f.close();
  assert.equal(loadedModels().filter((m) => m.name === path).length, 0);
});

for (const shared of [false, true]) {
  test(`toArena reads straight into the ${shared ? 'shared' : 'unshared'} memory, nothing outside the tensor written`, async () => {
    const fk = await createFramekit({ arenaBytes: 1 << 18, shared });
    const ctx = fk.context;
    const lo = ctx.arena.base;
    const hi = lo + ctx.arena.capacity;
    ctx.heap.fill(0xa5, lo, hi);
    const f = await SafetensorsFile.open(path);
    const t = await f.toArena(ctx, 'embed');
    assert.equal(f.bytesRead, 8 + N + 70);
    assert.deepEqual(ctx.heap.subarray(t.region.ptr, t.region.ptr + 70), expected('embed'));
    let stray = 0;
    for (let i = lo; i < hi; i++) if ((i < t.region.ptr || i >= t.region.ptr + 70) && ctx.heap[i] !== 0xa5) stray++;
    assert.equal(stray, 0);
    f.free(ctx, t);
    assert.equal(ctx.arena.stats().regions, 0);
    await f.close();
  });
}

test('HTTP Range: one probe, then one request per tensor', async () => {
  const f = await SafetensorsFile.open(`http://127.0.0.1:${server.address().port}/mixed.safetensors`);
  assert.equal(f.source.kind, 'http');
  assert.equal(f.source.reads, 3); // probe, length, header
  const b = await f.bytes('ids');
  assert.deepEqual(b, expected('ids'));
  assert.equal(f.source.reads, 4);
  assert.equal(f.bytesRead, 8 + N + 48);
  await f.close();
});

test('a malformed file: E_TENSOR_FILE; a missing one: E_IO', async () => {
  const bad = new Uint8Array(FILE);
  new DataView(bad.buffer).setBigUint64(0, BigInt(FILE.length), true);
  writeFileSync(join(dir, 'bad.safetensors'), bad);
  await assert.rejects(
    SafetensorsFile.open(join(dir, 'bad.safetensors')),
    (e) => e.code === 'E_TENSOR_FILE' && e.details.reason === 'header-length',
  );
  await assert.rejects(SafetensorsFile.open(join(dir, 'nope.safetensors')), (e) => e.code === 'E_IO');
});
