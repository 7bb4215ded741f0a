// Faults in the worker pool under Node's worker_threads, from the built package (the same cases run
// under Bun in test/unit/worker-faults.test.ts): a worker terminated mid-stripe, workers terminated
// at random moments of running jobs, a poisoned input that fails on every thread. Outputs are
// compared byte for byte with the single-threaded kernel, inside guard bytes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFramekit, FramekitError, WorkerPool } from 'framekit';

let fk;
let pool;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  fk = await createFramekit({ maxWidth: 1920, maxHeight: 1080, frames: 3, shared: true });
  pool = await WorkerPool.create(fk, { workers: 2 });
});
after(() => pool.dispose());

async function allReady() {
  for (let i = 0; i < 250 && pool.info().ready < pool.workers; i++) await sleep(20);
  assert.equal(pool.info().ready, pool.workers);
}

/** A gray plane of `w` x `h` inside a region whose other bytes (64 before, 64 after, row padding) hold 0xA5. */
function guarded(w, h, stride = w + 5) {
  const region = fk.arena.alloc(stride * h + 128);
  const heap = fk.heap;
  heap.fill(0xa5, region.ptr, region.ptr + region.size);
  const ptr = region.ptr + 64;
  for (let y = 0; y < h; y++) heap.fill(0, ptr + y * stride, ptr + y * stride + w);
  const plane = { ptr, width: w, height: h, stride, format: 'gray', data: heap.subarray(ptr, ptr + stride * h) };
  return {
    plane,
    intact() {
      for (let i = region.ptr; i < region.ptr + region.size; i++) {
        const rel = i - ptr;
        if (!(rel >= 0 && rel < stride * h && rel % stride < w) && fk.heap[i] !== 0xa5) return false;
      }
      return true;
    },
    rows() {
      const out = Buffer.alloc(w * h);
      for (let y = 0; y < h; y++) out.set(fk.heap.subarray(ptr + y * stride, ptr + y * stride + w), y * w);
      return out;
    },
    free: () => fk.arena.free(region),
  };
}

function randomGray(w, h, seed) {
  const p = fk.allocPlane(w, h, 'gray');
  let a = seed >>> 0;
  for (let i = 0; i < p.data.length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    p.data[i] = a >>> 24;
  }
  return p;
}

async function blurMatches(src, k, during) {
  const ref = fk.allocPlane(src.width, src.height, 'gray');
  fk.gaussianBlur(ref, src, k);
  const out = guarded(src.width, src.height);
  const job = pool.gaussianBlur(out.plane, src, k);
  await during();
  await job;
  const same = Buffer.compare(Buffer.from(fk.readPixels(ref)), out.rows()) === 0 && out.intact();
  fk.freePlane(ref);
  out.free();
  return same;
}

test('a worker terminated mid-stripe is replaced and its stripe re-run: same bytes, guards intact', async () => {
  await allReady();
  const src = randomGray(1920, 1080, 41);
  const before = pool.info();
  pool._injectFault(6, 'stall');
  let killed = -1;
  const same = await blurMatches(src, 15, async () => {
    for (let i = 0; i < 500 && pool._stalled() < 0; i++) await sleep(5);
    killed = pool._stalled();
    assert.equal(pool._killWorker(killed), true);
  });
  assert.ok(killed >= 0);
  assert.equal(same, true);
  const info = pool.info();
  assert.equal(info.crashes, before.crashes + 1);
  assert.equal(info.reruns, before.reruns + 1);
  assert.equal(info.retryRounds, before.retryRounds + 1);
  assert.match(info.lastCrash, new RegExp(`worker ${killed}: exited`));
  await allReady();
  assert.equal(await blurMatches(src, 5, () => undefined), true);
  fk.freePlane(src);
});

test('workers terminated at random moments of running jobs: every output as with no fault', async () => {
  const src = randomGray(1920, 1080, 42);
  const before = pool.info();
  let kills = 0;
  let r = 7;
  const rnd = () => ((r = (Math.imul(r, 1664525) + 1013904223) >>> 0) >>> 8) / (1 << 24);
  for (let i = 0; i < 12; i++) {
    await allReady();
    const same = await blurMatches(src, i % 2 ? 15 : 9, async () => {
      await sleep(rnd() * 6);
      if (pool._killWorker(Math.floor(rnd() * 2))) kills++;
    });
    assert.deepEqual([i, same], [i, true]);
  }
  for (let i = 0; i < 250 && pool.info().crashes - before.crashes < kills; i++) await sleep(20);
  await allReady();
  const info = pool.info();
  assert.equal(info.crashes - before.crashes, kills);
  assert.equal(info.failedJobs, before.failedJobs);
  fk.freePlane(src);
});

test('a poisoned input that fails on every thread: bounded retries, then E_WORKER; no stray write', async () => {
  await allReady();
  const before = pool.info();
  const w = 64;
  const out = guarded(w, 64, w + 3);
  const src = fk.memory.buffer.byteLength - 8 * w * 4;
  await assert.rejects(
    pool.run('gray_rgba', 64, [src, w * 4, out.plane.ptr, out.plane.stride, w]),
    (e) => e instanceof FramekitError && e.code === 'E_WORKER',
  );
  assert.equal(out.intact(), true);
  out.free();
  const info = pool.info();
  assert.equal(info.failedJobs, before.failedJobs + 1);
  assert.ok(info.crashes - before.crashes >= 1 && info.crashes - before.crashes <= 4);
  await allReady();
  const s = randomGray(640, 480, 43);
  assert.equal(await blurMatches(s, 5, () => undefined), true);
  fk.freePlane(s);
});
