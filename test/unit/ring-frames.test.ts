import { describe, expect, test } from 'bun:test';
import { Worker } from 'node:worker_threads';
import { createFramekit, FramekitError, FrameRing, ingestPixels, SharedFrames } from '../../ts/index.js';
import { grayReference } from '../../ts/kernels/gray/reference.js';
import { Plane } from '../../ts/image/plane.js';
import { randomBytes } from '../helpers/index.js';

describe('frames across threads: handles through rings, pixels in the shared memory', () => {
  test('20,000 frames to a worker and back: it reads each frame in place and writes its result into the frame', async () => {
    const w = 64;
    const h = 48;
    const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 8, shared: true });
    const pool = fk.createPool({ width: w, height: h, size: 6, onExhausted: 'error', slots: { sum: { length: 2, type: 'f64' } } });
    const arenaBefore = fk.arena.stats();
    // Four sources with known byte sums and known luma sums (from the reference, on a JS-heap copy).
    const sources = [0, 1, 2, 3].map((k) => randomBytes(w * h * 4, 100 + k));
    const expected = sources.map((src) => {
      const heap = new Uint8Array(w * h * 5);
      heap.set(src);
      const gray = new Plane(heap, w * h * 4, w, h, w, 'gray');
      grayReference(heap, gray, new Plane(heap, 0, w, h, w * 4, 'rgba'));
      return [src.reduce((a, b) => a + b, 0), gray.data.reduce((a, b) => a + b, 0)];
    });
    const rings = new SharedArrayBuffer(512);
    const inbox = FrameRing.init(rings, 0, 8);
    const outbox = FrameRing.init(rings, 256, 8);
    const flags = new SharedArrayBuffer(16);
    const flag = new Int32Array(flags);
    const frames = 20_000;
    const worker = new Worker(new URL('./workers/frame-consumer.ts', import.meta.url), {
      workerData: { memory: fk.memory.buffer, layout: pool.layout, rings, frames, flags },
    });
    const failed = new Promise((_, reject) => worker.once('error', reject));
    let sent = 0;
    let back = 0;
    let outstanding = 0;
    let bad = 0;
    while (back < frames) {
      let idle = true;
      if (sent < frames && outstanding < pool.size) {
        const f = pool.acquire(sent);
        ingestPixels(f, sources[f.seq & 3]!);
        f.gray();
        expect(inbox.push(f.handle)).toBe(true);
        sent++;
        outstanding++;
        idle = false;
      }
      const hd = outbox.pop();
      if (hd >= 0) {
        const f = pool.fromHandle(hd);
        const sums = f.slot<Float64Array>('sum');
        const [px, gray] = expected[f.seq & 3]!;
        if (sums[0] !== px || sums[1] !== gray) bad++;
        f.release();
        outstanding--;
        back++;
        idle = false;
      }
      if (idle) Atomics.wait(flag, 3, 0, 0.1);
    }
    const finished = (async () => {
      for (let i = 0; i < 500 && Atomics.load(flag, 2) !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    })();
    await Promise.race([finished, failed]);
    expect(Atomics.load(flag, 2)).toBe(1);
    expect(bad).toBe(0);
    expect(Atomics.load(flag, 1)).toBe(0); // the worker never saw a stale handle
    expect(pool.stats()).toMatchObject({ free: pool.size, live: 0, acquired: frames });
    expect(fk.arena.stats()).toEqual(arenaBefore);
    await worker.terminate();
  }, 60000);

  test('SharedFrames refuses stale handles', async () => {
    const fk = await createFramekit({ arenaBytes: 1 << 20, shared: true });
    const pool = fk.createPool({ width: 8, height: 8, size: 2 });
    const view = new SharedFrames(fk.memory.buffer, pool.layout);
    const f = pool.acquire();
    const hd = f.handle;
    expect(view.isLive(hd)).toBe(true);
    expect(view.pixels(hd).ptr).toBe(f.pixels.ptr);
    expect(view.gray(hd).ptr).toBe(f.grayStorage.ptr);
    f.release();
    expect(view.isLive(hd)).toBe(false);
    expect(() => view.pixels(hd)).toThrow(FramekitError);
    const g = pool.acquire();
    expect(g).toBe(f);
    expect(view.isLive(hd)).toBe(false); // same slot, new generation
    expect(view.isLive(g.handle)).toBe(true);
    g.release();
  });
});
