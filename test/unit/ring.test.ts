import { describe, expect, test } from 'bun:test';
import { Worker } from 'node:worker_threads';
import { FrameRing, RING_HEADER_BYTES } from '../../ts/frame/ring.js';
import { codeOf as code, mulberry32 } from '../helpers/index.js';

describe('FrameRing, one thread', () => {
  test('capacity must be a power of two: typed errors', () => {
    for (const c of [0, 3, 6, 1.5, -4, 2 ** 29, NaN]) expect(code(() => FrameRing.create(c))).toBe('E_ARGUMENT');
    expect(FrameRing.bytesFor(8)).toBe(RING_HEADER_BYTES + 32);
    expect(code(() => FrameRing.init(new SharedArrayBuffer(40), 0, 8))).toBe('E_OUT_OF_BOUNDS');
    expect(code(() => FrameRing.init(new SharedArrayBuffer(100), 2, 8))).toBe('E_OUT_OF_BOUNDS');
  });

  test('push until full, pop until empty, in order, many times round', () => {
    const ring = FrameRing.create(4);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      while (ring.push(next)) next++;
      expect(ring.size).toBe(4);
      expect(ring.push(999)).toBe(false);
      const take = 1 + (round % 4);
      for (let i = 0; i < take; i++) expect(ring.pop()).toBe(expected++);
    }
    while (ring.size > 0) expect(ring.pop()).toBe(expected++);
    expect(ring.pop()).toBe(-1);
    expect(expected).toBe(next);
    expect(ring.dropped).toBe(0);
    expect(code(() => ring.push(-1))).toBe('E_ARGUMENT');
    expect(code(() => ring.push(1.5))).toBe('E_ARGUMENT');
  });

  test('indices wrap past 2^31 and 2^32 without losing order', () => {
    const ring = FrameRing.create(8);
    const h = new Int32Array(ring.buffer, 0, 2);
    h[0] = h[1] = 0x7ffffffa; // just below the int32 wrap
    const src = new Int32Array(5);
    const dst = new Int32Array(5);
    let n = 0;
    let m = 0;
    for (let i = 0; i < 40; i++) {
      for (let j = 0; j < 5; j++) src[j] = n + j;
      n += ring.write(src, 0, 5);
      const got = ring.read(dst, 0, 3 + (i % 3));
      for (let j = 0; j < got; j++) expect(dst[j]).toBe(m++);
    }
    h[0] = h[1] = -3; // just below 2^32 as unsigned
    for (let i = 0; i < 10; i++) {
      expect(ring.push(i)).toBe(true);
      expect(ring.pop()).toBe(i);
    }
  });

  test('batch write and read honour the room left and the bounds given', () => {
    const ring = FrameRing.create(8);
    const src = Int32Array.from({ length: 12 }, (_, i) => i);
    expect(ring.write(src, 2, 12)).toBe(8);
    expect(ring.write(src)).toBe(0);
    const dst = new Int32Array(12).fill(-7);
    expect(ring.read(dst, 3, 6)).toBe(3);
    expect([...dst]).toEqual([-7, -7, -7, 2, 3, 4, -7, -7, -7, -7, -7, -7]);
    expect(ring.read(dst, 0, 12)).toBe(5);
    expect([...dst.subarray(0, 5)]).toEqual([5, 6, 7, 8, 9]);
  });

  test('overwrite mode drops the oldest, counts it and hands it back', () => {
    const ring = FrameRing.create(4, { overwrite: true });
    for (let i = 0; i < 4; i++) {
      expect(ring.push(i)).toBe(true);
      expect(ring.lastDropped).toBe(-1);
    }
    expect(ring.push(4)).toBe(true);
    expect(ring.lastDropped).toBe(0);
    expect(ring.push(5)).toBe(true);
    expect(ring.lastDropped).toBe(1);
    expect(ring.dropped).toBe(2);
    expect([ring.pop(), ring.pop(), ring.pop(), ring.pop(), ring.pop()]).toEqual([2, 3, 4, 5, -1]);
    // The other side sees the mode and capacity from the header.
    const other = new FrameRing(ring.buffer);
    expect([other.capacity, other.overwrite, other.dropped]).toEqual([4, true, 2]);
  });

  test('a ring inside a larger buffer leaves the cells around it alone', () => {
    const buf = new SharedArrayBuffer(64 + FrameRing.bytesFor(16) + 64);
    const all = new Int32Array(buf);
    all.fill(0x5eed);
    const ring = FrameRing.init(buf, 64, 16);
    const rand = mulberry32(3);
    let n = 0;
    let m = 0;
    for (let i = 0; i < 10000; i++) {
      if (rand() < 0.55) n += ring.push(n) ? 1 : 0;
      else if (ring.size > 0) expect(ring.pop()).toBe(m++);
    }
    for (let i = 0; i < 16; i++) expect(all[i]).toBe(0x5eed);
    for (let i = (64 + FrameRing.bytesFor(16)) / 4; i < all.length; i++) expect(all[i]).toBe(0x5eed);
  });
});

/**
 * ringbuf.js's two-thread test: this thread produces 0, 1, 2 ... in seeded random chunk sizes, a
 * worker consumes in other random chunk sizes and checks order, loss and duplication, and guard
 * cells sit around the ring in the same SharedArrayBuffer.
 */
async function twoThreads(total: number, capacity: number, overwrite: boolean, seed: number, maxChunk = capacity, maxPause = 4000) {
  const guard = 64;
  const buf = new SharedArrayBuffer(guard + FrameRing.bytesFor(capacity) + guard);
  const cells = new Int32Array(buf);
  cells.fill(0x5eed);
  const ring = FrameRing.init(buf, guard, capacity, { overwrite });
  const done = new SharedArrayBuffer(16);
  const worker = new Worker(new URL('./workers/ring-consumer.ts', import.meta.url), {
    workerData: { buffer: buf, byteOffset: guard, total, seed: seed + 1, maxChunk: capacity, done },
  });
  const result = new Promise<{ received: number; last: number; errors: number; firstError: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const rand = mulberry32(seed);
  const src = new Int32Array(capacity);
  let next = 0;
  let spins = 0;
  const flag = new Int32Array(done);
  while (Atomics.load(flag, 2) === 0) Atomics.wait(flag, 2, 0, 5);
  let sink = 0;
  // Overwrite mode runs past `total` until both the consumer took its share and the producer
  // overran it, whatever the scheduler did (a cap keeps it finite).
  const more = () => overwrite && next < 20 * total && (ring.dropped < 1000 || next - ring.dropped - ring.size < 1000);
  while (next < total || more()) {
    const want = overwrite ? 1 + Math.floor(rand() * maxChunk) : Math.min(1 + Math.floor(rand() * maxChunk), total - next);
    for (let i = 0; i < want; i++) src[i] = next + i;
    const n = ring.write(src, 0, want);
    next += n;
    if (n === 0 && ++spins % 64 === 0) Atomics.wait(flag, 1, 0, 0.05);
    // Uneven pacing, so the consumer sometimes keeps up and sometimes falls behind (overwrite mode drops then).
    const pause = Math.floor(rand() * rand() * maxPause);
    for (let i = 0; i < pause; i++) sink += i & 1;
  }
  expect(sink).toBeGreaterThanOrEqual(0);
  Atomics.store(flag, 0, 1);
  const r = await result;
  await worker.terminate();
  for (let i = 0; i < guard / 4; i++) expect(cells[i]).toBe(0x5eed);
  for (let i = (guard + FrameRing.bytesFor(capacity)) / 4; i < cells.length; i++) expect(cells[i]).toBe(0x5eed);
  return { ...r, dropped: ring.dropped, pushed: next };
}

describe('FrameRing, two threads (worker_threads)', () => {
  test('4,000,000 items, random chunks, capacity 256: no loss, duplication or reordering', async () => {
    const total = 4_000_000;
    const r = await twoThreads(total, 256, false, 42);
    expect(r.firstError).toBe('');
    expect(r.errors).toBe(0);
    expect(r.received).toBe(total);
    expect(r.last).toBe(total - 1);
  }, 60000);

  test('overwrite mode, 2,000,000 items, capacity 16: strictly increasing, received + dropped = pushed', async () => {
    const total = 2_000_000;
    const r = await twoThreads(total, 16, true, 7, 4, 400);
    expect(r.firstError).toBe('');
    expect(r.errors).toBe(0);
    expect(r.pushed).toBeGreaterThanOrEqual(total);
    expect(r.received + r.dropped).toBe(r.pushed);
    // Both happened: the threads overlapped (the consumer took a share) and the producer overran it.
    expect(r.received).toBeGreaterThanOrEqual(1000);
    expect(r.dropped).toBeGreaterThanOrEqual(1000);
    expect(r.last).toBe(r.pushed - 1); // the newest item always survives
  }, 60000);
});
