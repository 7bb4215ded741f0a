// Faults in the worker pool under Bun's workers (node:worker_threads as Bun implements it; the same
// cases run under Node's in test/node/worker-faults.test.mjs): a worker terminated mid-stripe, workers
// terminated at random moments of running jobs, a worker that throws, and a poisoned input that
// makes every thread fail on the same stripe. Each output is compared byte for byte with the
// single-threaded kernel, inside guard bytes.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createFramekit, FramekitError, LAYOUT, type Framekit } from '../../ts/index.js';
import { WorkerPool } from '../../ts/workers/pool.js';
import { fillRandom, guarded, mulberry32 } from '../helpers/index.js';

let fk: Framekit;
let pool: WorkerPool;

beforeAll(async () => {
  fk = await createFramekit({ maxWidth: 1920, maxHeight: 1080, frames: 3, shared: true });
  pool = await WorkerPool.create(fk, { workers: 2 });
});

afterAll(async () => {
  await pool.dispose();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function allReady(p: WorkerPool): Promise<void> {
  for (let i = 0; i < 250 && p.info().ready < p.workers; i++) await sleep(20);
  expect(p.info().ready).toBe(p.workers);
}

/** Blur `src` through the pool into a guarded plane while `during` runs; returns whether the bytes equal fk.gaussianBlur's. */
async function blurMatches(src: ReturnType<typeof fk.allocPlane>, k: number, during: () => Promise<void> | void): Promise<boolean> {
  const w = src.width;
  const h = src.height;
  const ref = fk.allocPlane(w, h, 'gray');
  fk.gaussianBlur(ref, src, k);
  const out = guarded(fk, w, h, 'gray', { stride: w + 5, offset: 3 });
  const job = pool.gaussianBlur(out.plane, src, k);
  await during();
  await job;
  out.check();
  const same = Buffer.compare(fk.readPixels(ref), fk.readPixels(out.plane)) === 0;
  fk.freePlane(ref);
  out.free();
  return same;
}

describe('worker pool faults', () => {
  test('a worker terminated mid-stripe is replaced and its stripe re-run on another: same bytes, guards intact', async () => {
    await allReady(pool);
    const src = fillRandom(fk.allocPlane(1920, 1080, 'gray'), 31);
    const before = pool.info();
    pool._injectFault(5, 'stall');
    let killed = -1;
    const same = await blurMatches(src, 15, async () => {
      // The worker that claims stripe 5 writes half its rows and stops there; kill it then.
      for (let i = 0; i < 500 && pool._stalled() < 0; i++) await sleep(5);
      killed = pool._stalled();
      expect(pool._killWorker(killed)).toBe(true);
    });
    expect(killed).toBeGreaterThanOrEqual(0);
    expect(same).toBe(true);
    const after = pool.info();
    expect(after.crashes).toBe(before.crashes + 1);
    expect(after.reruns).toBe(before.reruns + 1);
    expect(after.retryRounds).toBe(before.retryRounds + 1);
    expect(after.failedJobs).toBe(before.failedJobs);
    expect(after.lastCrash).toContain(`worker ${killed}: exited`);
    // A fresh worker takes the dead one's place and takes part in later jobs.
    await allReady(pool);
    expect(await blurMatches(src, 5, () => undefined)).toBe(true);
    fk.freePlane(src);
  });

  test('workers terminated at random moments of running jobs: every output the bytes of a run with no fault, no job lost', async () => {
    const rnd = mulberry32(0xdead);
    const src = fillRandom(fk.allocPlane(1920, 1080, 'gray'), 32);
    const before = pool.info();
    let kills = 0;
    for (let i = 0; i < 12; i++) {
      await allReady(pool);
      const same = await blurMatches(src, i % 2 ? 15 : 9, async () => {
        await sleep(rnd() * 6);
        if (pool._killWorker(Math.floor(rnd() * 2))) kills++;
      });
      expect([i, same]).toEqual([i, true]);
    }
    // Every kill is seen (a worker killed while it was starting, as a replacement, counts too).
    for (let i = 0; i < 250 && pool.info().crashes - before.crashes < kills; i++) await sleep(20);
    await allReady(pool);
    const after = pool.info();
    expect(after.crashes - before.crashes).toBe(kills);
    expect(after.failedJobs).toBe(before.failedJobs);
    expect(after.jobs - before.jobs).toBe(12);
    fk.freePlane(src);
  });

  test('a worker that throws mid-job is replaced and its stripe re-run: same bytes', async () => {
    await allReady(pool);
    const src = fillRandom(fk.allocPlane(1280, 720, 'gray'), 33);
    const before = pool.info();
    pool._injectFault(2, 'throw');
    expect(await blurMatches(src, 7, () => undefined)).toBe(true);
    const after = pool.info();
    expect(after.crashes).toBe(before.crashes + 1);
    expect(after.reruns).toBeGreaterThan(before.reruns);
    expect(after.lastCrash).toContain('on purpose');
    fk.freePlane(src);
  });

  test('a poisoned input that fails on every thread: bounded retries, then E_WORKER; no stray write; the pool still works', async () => {
    for (const kernel of ['gray_rgba', 'fast9'] as const) {
      await allReady(pool);
      const before = pool.info();
      const w = 64;
      const h = 64;
      // A source whose rows past the 8th lie beyond the end of the memory: every stripe but the first traps.
      const src = fk.memory.buffer.byteLength - 8 * w * 4;
      const out = guarded(fk, w, h, 'gray', { stride: w + 3 });
      const segs = guarded(fk, 64 * 1024, 1, 'gray');
      const args =
        kernel === 'gray_rgba'
          ? [src, w * 4, out.plane.ptr, out.plane.stride, w]
          : [src, w * 4, w, 20, 1, segs.plane.ptr, 256, out.plane.ptr];
      let error: unknown = null;
      await pool.run(kernel, h, args).catch((e: unknown) => (error = e));
      expect(error).toBeInstanceOf(FramekitError);
      expect((error as FramekitError).code).toBe('E_WORKER');
      out.check();
      segs.check();
      out.free();
      segs.free();
      const after = pool.info();
      expect(after.failedJobs).toBe(before.failedJobs + 1);
      // Bounded: at most every worker plus every retry died on it.
      expect(after.crashes - before.crashes).toBeGreaterThanOrEqual(1);
      expect(after.crashes - before.crashes).toBeLessThanOrEqual(2 + 2);
      // A trap on the calling thread left its Rust stack pointer where it was.
      expect(fk.wasm!.features.__stack_pointer!.value).toBe(LAYOUT.rustStackTop);
    }
    await allReady(pool);
    const src = fillRandom(fk.allocPlane(640, 480, 'gray'), 34);
    expect(await blurMatches(src, 5, () => undefined)).toBe(true);
    fk.freePlane(src);
  });

  test('retries is checked', async () => {
    await expect(WorkerPool.create(fk, { retries: -1 })).rejects.toThrow(FramekitError);
    await expect(WorkerPool.create(fk, { retries: 1.5 })).rejects.toThrow(FramekitError);
  });
});
