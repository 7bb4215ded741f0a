// Frames, pool, rings and ingest from the built package under Node, with a real worker thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { createFramekit, FrameRing, FramekitError, SampleRing, grayReference, ingestPixels } from 'framekit';

const isCode = (code) => (e) => e instanceof FramekitError && e.code === code;

test('pool: acquire, retain, release; gray computed once and attached; accounting unchanged after 1,000 frames', async () => {
  const fk = await createFramekit({ maxWidth: 96, maxHeight: 64, frames: 4 });
  const pool = fk.createPool({ width: 96, height: 64, format: 'rgba', size: 3 });
  const before = { arena: fk.arena.stats(), pool: pool.stats() };
  const px = new Uint8Array(96 * 64 * 4);
  for (let i = 0; i < 1000; i++) {
    px.fill(i & 255);
    const f = pool.acquire(i);
    ingestPixels(f, px);
    const g = f.gray();
    assert.equal(f.gray(), g, 'the second call returns the attached plane');
    assert.equal(f.get('gray'), g);
    if (i % 97 === 0) {
      const ref = fk.allocPlane(96, 64, 'gray');
      grayReference(fk.heap, ref, f.pixels);
      assert.deepEqual(fk.readPixels(g), fk.readPixels(ref));
      fk.freePlane(ref);
    }
    f.retain();
    f.release();
    assert.equal(f.live, true);
    f.release();
    assert.throws(() => f.release(), isCode('E_STATE'));
    assert.throws(() => f.pixels, isCode('E_STATE'));
  }
  assert.deepEqual(fk.arena.stats().bytesInUse, before.arena.bytesInUse);
  assert.equal(pool.stats().live, 0);
  assert.throws(() => ingestPixels(pool.acquire(), new Uint8Array(10)), isCode('E_BUFFER_SIZE'));
});

test('attachAsync: a result that arrives after the frame was reused is discarded', async () => {
  const fk = await createFramekit({ maxWidth: 32, maxHeight: 32, frames: 2 });
  const pool = fk.createPool({ width: 32, height: 32, format: 'gray', size: 1, slots: { label: { length: 4 } } });
  const f = pool.acquire();
  let resolveLate;
  const late = f.attachAsync('label', new Promise((r) => (resolveLate = r)));
  f.release();
  const again = pool.acquire(); // same slot, next generation
  const onTime = again.attachAsync('label', Promise.resolve('mine'));
  resolveLate('stale');
  assert.equal(await late, false);
  assert.equal(await onTime, true);
  assert.equal(again.get('label'), 'mine');
  again.release();
});

test('FrameRing: 200,000 handles through a real worker thread, no loss, duplication or reordering', async () => {
  assert.throws(() => FrameRing.create(3), isCode('E_ARGUMENT'));
  assert.throws(() => FrameRing.create(0), isCode('E_ARGUMENT'));
  const ring = FrameRing.create(1024);
  const back = FrameRing.create(1024);
  const N = 200000;
  const worker = new Worker(new URL('./ring-worker.mjs', import.meta.url), { workerData: { a: ring.buffer, b: back.buffer, n: N } });
  const failed = new Promise((_, reject) => worker.once('error', reject));
  const done = new Promise((r) => worker.once('message', r));
  let sent = 0;
  let expect = 0;
  while (expect < N) {
    while (sent < N && ring.push(sent)) sent++;
    for (let v = back.pop(); v >= 0; v = back.pop()) {
      assert.equal(v, expect);
      expect++;
    }
    await Promise.race([new Promise((r) => setImmediate(r)), failed]);
  }
  await Promise.race([done, failed]);
  await worker.terminate();
  assert.equal(back.pop(), -1);
});

test('SampleRing: blocks that wrap come back in order (WASM copies)', async () => {
  const fk = await createFramekit({ arenaBytes: 1 << 20 });
  assert.throws(() => new SampleRing(fk, 1000), isCode('E_ARGUMENT'));
  const ring = new SampleRing(fk, 256);
  const block = new Float32Array(100);
  const out = new Float32Array(100);
  let next = 0;
  let expect = 0;
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 100; i++) block[i] = next++;
    assert.equal(ring.push(block), true);
    assert.equal(ring.pop(out), true);
    for (let i = 0; i < 100; i++) assert.equal(out[i], expect++);
  }
  assert.equal(ring.pop(out), false);
});
