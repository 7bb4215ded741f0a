import { describe, expect, test } from 'bun:test';
import { SampleRing, type Framekit } from '../../ts/index.js';
import { codeOf as code, framekits, mulberry32 } from '../helpers/index.js';

/** Arena regions filled with a pattern, placed around what is allocated between `open` and `close`. */
function guardAround(fk: Framekit, bytes: number) {
  const before = fk.arena.alloc(bytes);
  return {
    close() {
      const after = fk.arena.alloc(bytes);
      for (const r of [before, after]) fk.heap.fill(0xa5, r.ptr, r.ptr + r.size);
      return {
        check() {
          for (const r of [before, after])
            for (let i = r.ptr; i < r.ptr + r.size; i++) if (fk.heap[i] !== 0xa5) throw new Error(`guard byte ${i} changed`);
        },
        free() {
          fk.arena.free(before);
          fk.arena.free(after);
        },
      };
    },
  };
}

const fks = await framekits({ arenaBytes: 4 << 20 });

describe('SampleRing: Float32 PCM blocks that wrap, copied by WASM', () => {
  for (const [backend, fk] of fks) {
    for (const capacity of [1, 16, 1024]) {
      test(`${backend}, capacity ${capacity}: seeded random pushes and pops equal a plain queue; guards intact`, () => {
        const arena0 = fk.arena.stats();
        const g = guardAround(fk, 64);
        const ring = new SampleRing(fk, capacity);
        const guards = g.close();
        // Staging blocks in the memory (the WASM path) and on the JS heap (the JS loop path).
        const stageIn = fk.arena.alloc(capacity * 4);
        const stageOut = fk.arena.alloc(capacity * 4 + 64);
        const f32 = new Float32Array(fk.heap.buffer);
        const rand = mulberry32(capacity * 31 + 7);
        const model: number[] = [];
        let next = 0.5;
        let popped = 0;
        let wrapped = 0; // pops whose block crossed the end of the storage: the two-span case
        for (let step = 0; step < 3000; step++) {
          const n = Math.floor(rand() * (capacity + 1));
          const viaMemory = rand() < 0.5;
          if (rand() < 0.5) {
            const block = viaMemory ? new Float32Array(fk.heap.buffer, stageIn.ptr, n) : new Float32Array(n);
            for (let i = 0; i < n; i++) block[i] = next++;
            const fits = ring.free >= n;
            expect(ring.push(block)).toBe(fits);
            if (fits) for (const v of block) model.push(v);
          } else {
            // Output lands after a guard of 16 samples set to NaN: nothing past n changes.
            const base = (stageOut.ptr >>> 2) + 0;
            f32.fill(NaN, base, base + capacity + 16);
            const dst = viaMemory ? f32.subarray(base, base + n) : new Float32Array(n);
            const ready = ring.size >= n;
            expect(ring.pop(dst)).toBe(ready);
            if (ready) {
              const want = model.splice(0, n);
              expect(Array.from(dst)).toEqual(want);
              if ((popped % capacity) + n > capacity) wrapped++;
              popped += n;
            }
            for (let i = base + (viaMemory ? n : 0); i < base + capacity + 16; i++) expect(Number.isNaN(f32[i]!)).toBe(true);
          }
          expect(ring.size).toBe(model.length);
        }
        if (capacity > 1) expect(wrapped).toBeGreaterThan(10);
        guards.check();
        fk.arena.free(stageIn);
        fk.arena.free(stageOut);
        ring.dispose();
        guards.free();
        expect({ ...fk.arena.stats(), highWater: 0 }).toEqual({ ...arena0, highWater: 0 });
      });
    }

    test(`${backend}: pointer forms, and bad input as typed errors`, () => {
      const ring = new SampleRing(fk, 8);
      const stage = fk.arena.alloc(64);
      const f32 = new Float32Array(fk.heap.buffer, stage.ptr, 16);
      f32.set([1, 2, 3, 4, 5, 6]);
      expect(ring.pushFrom(stage.ptr, 6)).toBe(true);
      expect(ring.popInto(stage.ptr + 32, 4)).toBe(true);
      expect(Array.from(f32.subarray(8, 12))).toEqual([1, 2, 3, 4]);
      expect(ring.pushFrom(stage.ptr, 6)).toBe(true); // wraps: cells 6, 7, 0, 1, 2, 3
      expect(ring.popInto(stage.ptr + 32, 8)).toBe(true);
      expect(Array.from(f32.subarray(8, 16))).toEqual([5, 6, 1, 2, 3, 4, 5, 6]);
      expect(code(() => ring.pushFrom(stage.ptr, 9))).toBe('E_BUFFER_SIZE');
      expect(code(() => ring.pushFrom(stage.ptr + 2, 1))).toBe('E_OUT_OF_BOUNDS');
      expect(code(() => ring.pushFrom(16, 1))).toBe('E_OUT_OF_BOUNDS'); // below the arena
      expect(code(() => ring.popInto(ring.storagePtr, 1))).toBe('E_ARGUMENT'); // into the ring itself
      expect(code(() => ring.push(new Float32Array(9)))).toBe('E_BUFFER_SIZE');
      expect(ring.size).toBe(0);
      for (const c of [0, 3, 12, 1.5]) expect(code(() => new SampleRing(fk, c))).toBe('E_ARGUMENT');
      fk.arena.free(stage);
      ring.dispose();
      expect(code(() => ring.push(new Float32Array(1)))).toBe('E_STATE');
    });
  }

  test('the WASM build exports the ring kernels', () => {
    const [, simd] = fks[2]!;
    expect(typeof simd.wasm!.pixels.ring_write).toBe('function');
    expect(typeof simd.wasm!.pixels.ring_read).toBe('function');
  });
});

describe('SampleRing across threads (worker_threads)', async () => {
  const { Worker } = await import('node:worker_threads');
  for (const mode of ['consume', 'produce'] as const) {
    test(`this thread ${mode === 'consume' ? 'pushes with WASM, a worker pops' : 'pops with WASM, a worker pushes'} 2,000,000 samples in random blocks: in order, none lost`, async () => {
      const { createFramekit } = await import('../../ts/index.js');
      const fk = await createFramekit({ arenaBytes: 1 << 20, shared: true, backend: 'wasm-simd' });
      const capacity = 1024;
      const ring = new SampleRing(fk, capacity);
      const stage = fk.arena.alloc(capacity * 4);
      const staged = new Float32Array(fk.heap.buffer, stage.ptr, capacity);
      const flags = new SharedArrayBuffer(8);
      const flag = new Int32Array(flags);
      const total = 2_000_000;
      const worker = new Worker(new URL('./workers/sample-peer.ts', import.meta.url), {
        workerData: { buffer: fk.memory.buffer, layout: ring.layout, total, seed: 11, mode, flags },
      });
      const result = new Promise<{ n: number; errors: number; firstError: string }>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
      while (Atomics.load(flag, 0) === 0) Atomics.wait(flag, 1, 0, 5);
      const rand = mulberry32(12);
      let n = 0;
      let errors = 0;
      let firstError = '';
      while (n < total) {
        const want = Math.min(1 + Math.floor(rand() * capacity), total - n);
        if (mode === 'consume') {
          for (let i = 0; i < want; i++) staged[i] = (n + i) % 16777216;
          if (ring.pushFrom(stage.ptr, want)) n += want;
          else Atomics.wait(flag, 1, 0, 0.05);
        } else if (ring.popInto(stage.ptr, want)) {
          for (let i = 0; i < want; i++)
            if (staged[i] !== (n + i) % 16777216 && errors++ === 0) firstError = `sample ${n + i} is ${staged[i]}`;
          n += want;
        } else Atomics.wait(flag, 1, 0, 0.05);
      }
      const r = await result;
      await worker.terminate();
      expect(firstError || r.firstError).toBe('');
      expect(errors + r.errors).toBe(0);
      expect(r.n).toBe(total);
      expect(ring.size).toBe(0);
      fk.arena.free(stage);
      ring.dispose();
    }, 60000);
  }
});
