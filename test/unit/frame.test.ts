import { describe, expect, test } from 'bun:test';
import { createFramekit, Frame, FramekitError } from '../../ts/index.js';
import { grayReference } from '../../ts/kernels/gray/reference.js';
import { codeOf as code, fixture, firstDifference, framekits, randomBytes } from '../helpers/index.js';

const fk = await createFramekit({ arenaBytes: 16 << 20 });

describe('FramePool: acquire, retain, release', () => {
  test('preallocates every frame; acquire hands out live frames with increasing seq; release returns them', () => {
    const arena0 = fk.arena.stats();
    const pool = fk.createPool({ width: 33, height: 7, size: 3 });
    expect(fk.arena.stats().regions).toBe(arena0.regions + 4); // three frame slots and the live-handle cells
    expect(pool.stats()).toMatchObject({ size: 3, free: 3, live: 0, acquired: 0 });
    const a = pool.acquire(1000);
    const b = pool.acquire(2000);
    expect(a).toBeInstanceOf(Frame);
    expect([a.seq, b.seq, a.timestamp, b.timestamp]).toEqual([0, 1, 1000, 2000]);
    expect(a.live && b.live).toBe(true);
    expect([a.width, a.height, a.stride, a.format]).toEqual([33, 7, 132, 'rgba']);
    expect(a.data.length).toBe(33 * 7 * 4);
    expect(a.data.buffer).toBe(fk.heap.buffer); // a view over the one memory
    expect(pool.stats()).toMatchObject({ free: 1, live: 2, acquired: 2 });
    a.release();
    b.release();
    expect(pool.stats()).toMatchObject({ free: 3, live: 0 });
    pool.dispose();
    expect({ ...fk.arena.stats(), highWater: 0 }).toEqual({ ...arena0, highWater: 0 });
  });

  test('retain counts consumers; the last release frees; double release and use after release are E_STATE', () => {
    const pool = fk.createPool({ width: 8, height: 8, size: 2 });
    const f = pool.acquire();
    const gen = f.generation;
    f.retain().retain();
    expect(f.refs).toBe(3);
    f.release();
    f.release();
    expect(f.live).toBe(true);
    f.release();
    expect(f.live).toBe(false);
    expect(f.generation).not.toBe(gen);
    expect(pool.stats().free).toBe(2);
    expect(code(() => f.release())).toBe('E_STATE');
    expect(pool.stats().free).toBe(2); // a double release did not push the frame twice
    for (const use of [
      () => f.data,
      () => f.pixels,
      () => f.gray(),
      () => f.attach('pose', 1),
      () => f.get('pose'),
      () => f.retain(),
      () => f.slot('x'),
    ]) {
      expect(code(use)).toBe('E_STATE');
    }
    expect(code(() => f.attachAsync('pose', Promise.resolve(1)))).toBe('E_STATE');
    // The two frames handed out next are distinct: nothing was freed twice.
    const x = pool.acquire();
    const y = pool.acquire();
    expect(x).not.toBe(y);
    x.release();
    y.release();
    pool.dispose();
  });

  test('handles carry the generation: a stale handle is E_STATE', () => {
    const pool = fk.createPool({ width: 4, height: 4, size: 2 });
    const f = pool.acquire();
    const h = f.handle;
    expect(pool.fromHandle(h)).toBe(f);
    f.release();
    expect(code(() => pool.fromHandle(h))).toBe('E_STATE');
    const again = pool.acquire();
    expect(again).toBe(f); // the same object, recycled ...
    expect(again.handle).not.toBe(h); // ... under a new handle
    expect(code(() => pool.fromHandle(h))).toBe('E_STATE');
    expect(f.isCurrent(again.generation)).toBe(true);
    again.release();
    pool.dispose();
  });

  test("onExhausted 'error' throws E_STATE; 'drop-oldest' reclaims the lowest seq and counts it; 'wait' resolves on release", async () => {
    const err = fk.createPool({ width: 4, height: 4, size: 2, onExhausted: 'error' });
    const e1 = err.acquire();
    const e2 = err.acquire();
    expect(code(() => err.acquire())).toBe('E_STATE');
    await expect(err.acquireAsync()).rejects.toBeInstanceOf(FramekitError);
    e1.release();
    e2.release();
    err.dispose();

    const drop = fk.createPool({ width: 4, height: 4, size: 3, onExhausted: 'drop-oldest' });
    const [d0, d1, d2] = [drop.acquire(), drop.acquire(), drop.acquire()];
    d1.release();
    const d3 = drop.acquire(); // takes the free one (d1's slot)
    const h0 = d0.handle;
    const d4 = drop.acquire(); // none free: reclaims d0, the oldest live
    expect(d4).toBe(d0);
    expect(drop.stats().dropped).toBe(1);
    expect(code(() => drop.fromHandle(h0))).toBe('E_STATE');
    expect(d4.seq).toBe(4);
    const d5 = drop.acquire(); // then d2 (seq 2)
    expect(d5).toBe(d2);
    expect(drop.stats().dropped).toBe(2);
    for (const f of [d3, d4, d5]) f.release();
    expect(drop.stats()).toMatchObject({ free: 3, live: 0 });
    drop.dispose();

    const wait = fk.createPool({ width: 4, height: 4, size: 1, onExhausted: 'wait' });
    const w0 = wait.acquire();
    expect(code(() => wait.acquire())).toBe('E_STATE');
    let got: Frame | null = null;
    const p = wait.acquireAsync(77).then((f) => (got = f));
    await Promise.resolve();
    expect(got).toBeNull();
    expect(wait.stats().waiting).toBe(1);
    w0.release();
    await p;
    expect(got).toBe(w0);
    expect(got!.live && got!.timestamp === 77).toBe(true);
    got!.release();
    wait.dispose();
  });

  test('bad options are typed errors and reserve nothing', () => {
    const before = fk.arena.stats();
    expect(code(() => fk.createPool({ width: 0, height: 4 }))).toBe('E_DIMENSION');
    expect(code(() => fk.createPool({ width: 4, height: 4, size: 0 }))).toBe('E_DIMENSION');
    expect(code(() => fk.createPool({ width: 4, height: 4, size: 2000 }))).toBe('E_DIMENSION');
    expect(code(() => fk.createPool({ width: 4, height: 4, onExhausted: 'never' as 'error' }))).toBe('E_ARGUMENT');
    expect(code(() => fk.createPool({ width: 4, height: 4, format: 'i16' as 'gray' }))).toBe('E_FORMAT');
    expect(code(() => fk.createPool({ width: 4, height: 4, slots: { gray: { length: 4 } } }))).toBe('E_ARGUMENT');
    expect(code(() => fk.createPool({ width: 4000, height: 4000, size: 4 }))).toBe('E_OUT_OF_MEMORY'); // fails part-way
    expect(fk.arena.stats()).toEqual(before);
    const pool = fk.createPool({ width: 4, height: 4, size: 1 });
    const f = pool.acquire();
    expect(code(() => pool.dispose())).toBe('E_STATE');
    f.release();
    pool.dispose();
    expect(fk.arena.stats()).toEqual(before);
  });
});

describe('attachments', () => {
  test('attach, get, has, detach; unknown keys are E_ARGUMENT; release clears everything', () => {
    const pool = fk.createPool({ width: 16, height: 4, size: 1 });
    const f = pool.acquire();
    expect(f.get('keypoints')).toBeNull();
    expect(f.has('keypoints')).toBe(false);
    const kp = { count: 3 };
    f.attach('keypoints', kp).attach('pose', [1, 2, 3]);
    expect(f.get('keypoints')).toBe(kp);
    expect(f.has('pose')).toBe(true);
    f.detach('pose');
    expect(f.get('pose')).toBeNull();
    expect(code(() => f.attach('nonsense', 1))).toBe('E_ARGUMENT');
    expect(code(() => f.get('nonsense'))).toBe('E_ARGUMENT');
    f.release();
    const g = pool.acquire();
    expect(g).toBe(f);
    expect(g.get('keypoints')).toBeNull();
    g.release();
    pool.dispose();
  });

  test('user slots and per-slot regions are views into the arena, reserved once, not overlapping', () => {
    const pool = fk.createPool({
      width: 10,
      height: 3,
      size: 3,
      format: 'rgb',
      slots: { stats: { length: 5, type: 'f32' }, tags: { length: 7 } },
    });
    const spans: Array<[number, number]> = [];
    const frames = [pool.acquire(), pool.acquire(), pool.acquire()];
    for (const f of frames) {
      const stats = f.slot<Float32Array>('stats');
      expect(stats).toBeInstanceOf(Float32Array);
      expect(stats.length).toBe(5);
      expect(stats.buffer).toBe(fk.heap.buffer);
      expect(f.slot('tags')).toBeInstanceOf(Uint8Array);
      expect(f.slot('stats')).toBe(stats); // the same view every time
      for (const name of ['pixels', 'gray', 'stats', 'tags']) {
        const r = f.region(name);
        expect(r.ptr % 16).toBe(0);
        expect(fk.arena.contains(r.ptr, r.size)).toBe(true);
        spans.push([r.ptr, r.ptr + r.size]);
      }
      expect(f.region('pixels').size).toBe(10 * 3 * 3);
      expect(f.pixels.ptr).toBe(f.region('pixels').ptr);
      expect(f.grayStorage.ptr).toBe(f.region('gray').ptr);
      stats[0] = 1.5;
      f.attach('stats', stats);
      expect(f.get('stats')).toBe(stats);
    }
    spans.sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    expect(code(() => frames[0]!.slot('missing'))).toBe('E_ARGUMENT');
    for (const f of frames) f.release();
    pool.dispose();
  });

  test('ensure computes once per frame and again after reuse', () => {
    const pool = fk.createPool({ width: 4, height: 4, size: 1 });
    let calls = 0;
    const compute = (fr: Frame) => ({ seq: fr.seq, n: ++calls });
    const f = pool.acquire();
    const a = f.ensure('flow', compute);
    expect(f.ensure('flow', compute)).toBe(a);
    expect(calls).toBe(1);
    f.release();
    pool.acquire().ensure('flow', compute);
    expect(calls).toBe(2);
    pool.frameAt(0).release();
    pool.dispose();
  });
});

describe('frame.gray(): compute-once', async () => {
  const img = await fixture('chelsea.png');
  for (const [backend, k] of await framekits()) {
    test(`${backend}: runs the kernel once per frame, equals the reference, writes only the gray region`, () => {
      const pool = k.createPool({ width: img.width, height: img.height, size: 2 });
      let calls = 0;
      const kernel = k.kernels.gray;
      k.kernels.gray = (d, s) => {
        calls++;
        kernel(d, s);
      };
      try {
        const f = pool.acquire();
        f.data.set(img.data); // decode straight into the frame's region
        const other = pool.acquire();
        other.data.fill(0x5a);
        other.grayStorage.data.fill(0x5a);
        const g1 = f.gray();
        const g2 = f.gray();
        expect(calls).toBe(1);
        expect(g2).toBe(g1);
        expect(f.get('gray')).toBe(g1);
        expect(g1.ptr).toBe(f.region('gray').ptr);
        const ref = k.allocPlane(img.width, img.height, 'gray', { stride: img.width });
        grayReference(k.heap, ref, f.pixels);
        expect(firstDifference(g1, ref)).toBeNull();
        k.freePlane(ref);
        // The neighbour frame's pixels and gray region are untouched.
        expect(other.data.every((v) => v === 0x5a)).toBe(true);
        expect(other.grayStorage.data.every((v) => v === 0x5a)).toBe(true);
        // New pixels clear the attachment; gray() computes again.
        f.clearAttachments();
        f.gray();
        expect(calls).toBe(2);
        f.release();
        other.release();
        // A released-and-reacquired frame computes again.
        const again = pool.acquire();
        again.gray();
        expect(calls).toBe(3);
        again.release();
      } finally {
        k.kernels.gray = kernel;
      }
      pool.dispose();
    });
  }

  test('a gray frame is its own luma: no kernel call, no copy', async () => {
    const pool = fk.createPool({ width: 9, height: 9, format: 'gray', size: 1 });
    let calls = 0;
    const kernel = fk.kernels.gray;
    fk.kernels.gray = (d, s) => {
      calls++;
      kernel(d, s);
    };
    const f = pool.acquire();
    expect(f.gray()).toBe(f.pixels);
    expect(calls).toBe(0);
    fk.kernels.gray = kernel;
    f.release();
    pool.dispose();
  });
});

describe('attachAsync: late results never land on a reused frame', () => {
  const later = <T>(v: T) => {
    let resolve!: (v: T) => void;
    const p = new Promise<T>((r) => (resolve = r));
    return { p, fire: () => resolve(v) };
  };

  test('attachIfCurrent (the same rule, for a callback): attaches in the generation it was given, never on the reused frame', () => {
    const pool = fk.createPool({ width: 4, height: 4, size: 1 });
    const f = pool.acquire();
    const gen = f.generation;
    expect(f.attachIfCurrent(gen, 'pose', 1)).toBe(true);
    expect(f.get('pose')).toBe(1);
    f.release();
    expect(f.attachIfCurrent(gen, 'pose', 2)).toBe(false);
    const g = pool.acquire(); // the same slot, next generation
    expect(g).toBe(f);
    expect(g.attachIfCurrent(gen, 'pose', 3)).toBe(false);
    expect(g.get('pose')).toBeNull();
    expect(code(() => g.attachIfCurrent(g.generation, 'nope', 1))).toBe('E_ARGUMENT');
    g.release();
    pool.dispose();
  });

  test('a result that arrives while the frame is live attaches; nothing waits for it', async () => {
    const pool = fk.createPool({ width: 4, height: 4, size: 1 });
    const f = pool.acquire();
    const l = later({ label: 'cat' });
    const done = f.attachAsync('pose', l.p);
    expect(f.get('pose')).toBeNull();
    l.fire();
    expect(await done).toBe(true);
    expect(f.get('pose')).toEqual({ label: 'cat' });
    f.release();
    pool.dispose();
  });

  test('released and reused before the result arrives: discarded, the new frame untouched', async () => {
    const pool = fk.createPool({ width: 4, height: 4, size: 1 });
    const f = pool.acquire();
    const l = later('for frame 0');
    const done = f.attachAsync('keypoints', l.p);
    f.release();
    const g = pool.acquire(); // the same slot, next generation
    expect(g).toBe(f);
    l.fire();
    expect(await done).toBe(false);
    expect(g.get('keypoints')).toBeNull();
    // An async result started on the new generation lands.
    expect(await g.attachAsync('keypoints', Promise.resolve('for frame 1'))).toBe(true);
    expect(g.get('keypoints')).toBe('for frame 1');
    g.release();
    pool.dispose();
  });

  test('released, not reused: discarded; a rejection reaches the caller', async () => {
    const pool = fk.createPool({ width: 4, height: 4, size: 1 });
    const f = pool.acquire();
    const l = later(1);
    const done = f.attachAsync('flow', l.p);
    f.release();
    l.fire();
    expect(await done).toBe(false);
    const g = pool.acquire();
    await expect(g.attachAsync('flow', Promise.reject(new Error('model failed')))).rejects.toThrow('model failed');
    expect(g.get('flow')).toBeNull();
    g.release();
    pool.dispose();
  });

  test('many frames, results in random order across several reuses: each lands only on its own generation', async () => {
    const pool = fk.createPool({ width: 4, height: 4, size: 3, onExhausted: 'drop-oldest' });
    const pending: Array<{ fire: () => void; done: Promise<boolean>; frame: Frame; gen: number; seq: number }> = [];
    for (let i = 0; i < 30; i++) {
      const f = pool.acquire();
      const l = later({ seq: f.seq });
      pending.push({ fire: l.fire, done: f.attachAsync('pose', l.p), frame: f, gen: f.generation, seq: f.seq });
      if (i % 4 === 1) f.release();
    }
    const order = [...pending.keys()].sort((a, b) => ((a * 7919) % 31) - ((b * 7919) % 31));
    for (const i of order) pending[i]!.fire();
    const results = await Promise.all(pending.map((p) => p.done));
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i]!;
      expect(results[i]).toBe(p.frame.isCurrent(p.gen));
    }
    for (let i = 0; i < pool.size; i++) {
      const f = pool.frameAt(i);
      if (!f.live) continue;
      const pose = f.get('pose') as { seq: number } | null;
      expect(pose?.seq).toBe(f.seq); // never another frame's result
      f.release();
    }
    pool.dispose();
  });
});

describe('accounting', () => {
  test('pool and arena accounting after 1,000 frames equal those before', async () => {
    const k = await createFramekit({ maxWidth: 64, maxHeight: 48, frames: 4 });
    const pool = k.createPool({ width: 64, height: 48, size: 4, slots: { s: { length: 8, type: 'f32' } } });
    const pixels = randomBytes(64 * 48 * 4, 9);
    const poolBefore = pool.stats();
    const arenaBefore = k.arena.stats();
    const held: Frame[] = [];
    for (let i = 0; i < 1000; i++) {
      const f = pool.acquire(i);
      f.data.set(pixels);
      f.gray();
      f.slot<Float32Array>('s')[0] = i;
      f.attach('s', f.slot('s'));
      if (i % 3 === 0) held.push(f.retain());
      f.release();
      if (held.length > 2) held.shift()!.release();
    }
    for (const f of held) f.release();
    expect({ ...pool.stats(), acquired: 0 }).toEqual({ ...poolBefore, acquired: 0 });
    expect(pool.stats().acquired).toBe(1000);
    expect(k.arena.stats()).toEqual(arenaBefore);
  });
});
