import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { createFramekit, FramekitError, LAYOUT, type Framekit } from '../../ts/index.js';
import { WorkerPool } from '../../ts/workers/pool.js';
import { fillRandom, fixture } from '../helpers/index.js';
import type { Keypoints } from '../../ts/features/keypoints.js';

let fk: Framekit;
let pool: WorkerPool;

beforeAll(async () => {
  fk = await createFramekit({ maxWidth: 1920, maxHeight: 1080, frames: 3, shared: true });
  pool = await WorkerPool.create(fk, { workers: 2 });
});

afterAll(async () => {
  await pool.dispose();
});

/** Pool output vs single-threaded `fk.gray`, byte for byte, on seeded random pixels. */
async function compareGray(p: WorkerPool, width: number, height: number, format: 'rgba' | 'bgra' | 'rgb' | 'bgr', seed: number) {
  const bpp = format.length;
  const src = fillRandom(fk.allocPlane(width, height, format, { stride: width * bpp + 5 }), seed);
  const one = fk.allocPlane(width, height, 'gray');
  const many = fk.allocPlane(width, height, 'gray', { stride: width + 3 });
  many.data.fill(0xa5);
  fk.gray(one, src);
  expect(await p.gray(many, src)).toBe(many);
  const a = fk.readPixels(one);
  const b = fk.readPixels(many);
  const padding = [] as number[];
  for (let y = 0; y < height - 1; y++) for (let x = width; x < width + 3; x++) padding.push(many.data[y * many.stride + x]!);
  for (const p of [src, one, many]) fk.freePlane(p);
  expect(Buffer.compare(a, b)).toBe(0);
  // Row padding is outside every stripe: nothing wrote there.
  expect(padding.every((v) => v === 0xa5)).toBe(true);
}

describe('worker pool on the shared memory', () => {
  test('starts real worker threads on the same memory', () => {
    const info = pool.info();
    expect(info.mode).toBe('workers');
    expect(info.workers).toBe(2);
    expect(info.reason).toBeNull();
    // Rust keeps its stack in linear memory: on a shared memory its pointer is exported so that each
    // worker moves its instance onto a stack of its own (two threads on one stack corrupt each other).
    expect(fk.wasm!.features.__stack_pointer!.value).toBe(LAYOUT.rustStackTop);
  });

  test('gray over 2 workers equals single-threaded gray at 1080p, every format', async () => {
    await compareGray(pool, 1920, 1080, 'rgba', 1);
    await compareGray(pool, 1920, 1080, 'bgra', 2);
    await compareGray(pool, 1920, 1080, 'rgb', 3);
    await compareGray(pool, 1920, 1080, 'bgr', 4);
  });

  test('odd sizes, and fewer rows than stripes', async () => {
    for (const [w, h] of [
      [1, 1],
      [7, 3],
      [33, 9],
      [641, 479],
      [65, 1],
    ] as const)
      await compareGray(pool, w, h, 'rgba', w * 31 + h);
  });

  test('Gaussian blur over 2 workers (stripes with halo rows) equals fk.gaussianBlur at 1080p', async () => {
    const src = fillRandom(fk.allocPlane(1920, 1080, 'gray'), 21);
    const one = fk.allocPlane(1920, 1080, 'gray');
    const many = fk.allocPlane(1920, 1080, 'gray');
    for (const [k, sigma] of [
      [5, 0],
      [3, 0],
      [11, 2.5],
      [31, 0],
    ] as const) {
      many.data.fill(0);
      fk.gaussianBlur(one, src, k, sigma);
      expect(await pool.gaussianBlur(many, src, k, sigma)).toBe(many);
      expect(Buffer.compare(fk.readPixels(one), fk.readPixels(many))).toBe(0);
    }
    for (const p of [src, one, many]) fk.freePlane(p);
  });

  test('blur stripes at the image edges, on images shorter than the kernel, and with separate x/y kernels', async () => {
    const cases = [
      [1, 1, 5],
      [9, 1, 5],
      [1, 9, 5],
      [17, 2, 7],
      [33, 3, 7],
      [40, 5, 9],
      [65, 17, 3],
      [640, 7, 31],
      [129, 97, 15],
    ] as const;
    for (const [w, h, k] of cases) {
      const src = fillRandom(fk.allocPlane(w, h, 'gray', { stride: w + 7 }), w * 1000 + h);
      const one = fk.allocPlane(w, h, 'gray');
      const many = fk.allocPlane(w, h, 'gray', { stride: w + 1 });
      fk.gaussianBlur(one, src, k, 0, k === 3 ? 9 : k, 1.7);
      await pool.gaussianBlur(many, src, k, 0, k === 3 ? 9 : k, 1.7);
      expect([w, h, k, Buffer.compare(fk.readPixels(one), fk.readPixels(many))]).toEqual([w, h, k, 0]);
      for (const p of [src, one, many]) fk.freePlane(p);
    }
  });

  test('FAST-9 over 2 workers (stripes with 4 halo rows) finds the same corners, order, responses, count and found as fk.fast', async () => {
    const photo = await fixture('astronaut.png');
    const w = 1920;
    const h = 1080;
    const rgba = fk.allocPlane(w, h, 'rgba');
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x += photo.width) {
        const n = Math.min(photo.width, w - x) * 4;
        const sy = y % photo.height;
        rgba.data.set(photo.data.subarray(sy * photo.width * 4, sy * photo.width * 4 + n), y * rgba.stride + x * 4);
      }
    }
    const gray = fk.gray(fk.allocPlane(w, h, 'gray'), rgba);
    const noise = fillRandom(fk.allocPlane(w, h, 'gray'), 3);
    const same = (a: Keypoints, b: Keypoints) => {
      expect([b.count, b.found]).toEqual([a.count, a.found]);
      for (const f of ['x', 'y', 'response', 'angle', 'size', 'octave'] as const) {
        expect(
          Buffer.compare(Buffer.from(a[f].buffer, a[f].byteOffset, a.count * 4), Buffer.from(b[f].buffer, b[f].byteOffset, b.count * 4)),
        ).toBe(0);
      }
    };
    const one = fk.allocKeypoints(20000);
    const many = fk.allocKeypoints(20000);
    for (const [src, o] of [
      [gray, { threshold: 20 }],
      [gray, { threshold: 10, nonmax: false }],
      [noise, { threshold: 40 }],
    ] as const) {
      fk.fast(one, src, o);
      expect(await pool.fast(many, src, o)).toBe(many);
      expect(one.count).toBeGreaterThan(100);
      same(one, many);
    }
    // A list too short for what is found: the same first corners, and the same total found.
    const small = fk.allocKeypoints(50);
    const smallMany = fk.allocKeypoints(50);
    fk.fast(small, noise, { threshold: 20 });
    await pool.fast(smallMany, noise, { threshold: 20 });
    expect(small.found).toBeGreaterThan(50);
    same(small, smallMany);
    for (const p of [rgba, gray, noise]) fk.freePlane(p);
    for (const k of [one, many, small, smallMany]) fk.arena.free(k.region);
  });

  test('Lucas-Kanade over 2 workers (stripes of points) gives the same next, status and err as fk.opticalFlow', async () => {
    const photo = await fixture('astronaut.png');
    const w = 640;
    const h = 480;
    const a = fk.allocPlane(w, h, 'gray');
    const b = fk.allocPlane(w, h, 'gray');
    const d = photo.data;
    const luma = (x: number, y: number) => {
      const i = ((y % photo.height) * photo.width + (x % photo.width)) * 4;
      return (9798 * d[i]! + 19235 * d[i + 1]! + 3735 * d[i + 2]! + 16384) >> 15;
    };
    // b is a moved by (2.5, 1.25): the mean of neighbouring pixels, rounded.
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        a.data[y * a.stride + x] = luma(x + 8, y + 8);
        b.data[y * b.stride + x] = (luma(x + 5, y + 6) + luma(x + 6, y + 6) + luma(x + 5, y + 7) + luma(x + 6, y + 7) + 2) >> 2;
      }
    }
    const kp = fk.fast(fk.allocKeypoints(20000), a, { threshold: 20 });
    const n = 700;
    const xy: number[] = [];
    for (let i = 0; i < n - 3; i++) {
      const k = Math.floor((i * kp.count) / (n - 3));
      xy.push(kp.x[k]!, kp.y[k]!);
    }
    xy.push(Number.NaN, 10, -500, 20, w - 1, h - 1); // lost: not a number, far outside; and a corner pixel
    const pp = fk.buildFlowPyramid(fk.allocFlowPyramid(w, h), a);
    const pn = fk.buildFlowPyramid(fk.allocFlowPyramid(w, h), b);
    const one = fk.allocFlowPoints(n).setPrev(xy);
    const many = fk.allocFlowPoints(n).setPrev(xy);
    const bytes = (f: Float32Array | Uint8Array, k: number) => Buffer.from(f.buffer, f.byteOffset, k * f.BYTES_PER_ELEMENT);
    for (const o of [{}, { useInitialFlow: true }, { minEigenvalsAsError: true, maxLevel: 1, win: 15 }]) {
      for (let i = 0; i < 2 * n; i++) one.next[i] = many.next[i] = xy[i]! + (i & 1 ? -1.25 : 2.5);
      // Lost points keep the err they had (as OpenCV leaves it): start both lists alike.
      one.err.fill(-7);
      many.err.fill(-7);
      many.status.fill(9);
      fk.opticalFlow(one, pp, pn, o);
      expect(await pool.opticalFlow(many, pp, pn, o)).toBe(many);
      let tracked = 0;
      for (let i = 0; i < n; i++) tracked += one.status[i]!;
      expect(tracked).toBeGreaterThan(0.9 * n);
      expect(Array.from(one.status.slice(n - 3, n - 1))).toEqual([0, 0]);
      for (const f of ['next', 'status', 'err'] as const)
        expect(Buffer.compare(bytes(one[f], f === 'next' ? 2 * n : n), bytes(many[f], f === 'next' ? 2 * n : n))).toBe(0);
    }
    // Checked as fk.opticalFlow checks, before any thread runs.
    const bare = fk.allocFlowPyramid(w, h);
    expect(() => pool.opticalFlow(many, bare, pn)).toThrow(FramekitError);
    expect(() => pool.opticalFlow(many, pp, pn, { win: 2 })).toThrow(FramekitError);
    const empty = fk.allocFlowPoints(4);
    empty.count = 0;
    expect((await pool.opticalFlow(empty, pp, pn)).count).toBe(0);
    for (const p of [a, b]) fk.freePlane(p);
    for (const r of [...pp.regions, ...pn.regions, ...bare.regions, one.region, many.region, empty.region, kp.region]) fk.arena.free(r);
  });

  test('FAST stripes on small and odd images', async () => {
    for (const [w, h] of [
      [7, 7],
      [8, 9],
      [31, 12],
      [65, 40],
      [200, 23],
    ] as const) {
      const src = fillRandom(fk.allocPlane(w, h, 'gray', { stride: w + 3 }), w + 7 * h);
      const a = fk.allocKeypoints(4000);
      const b = fk.allocKeypoints(4000);
      fk.fast(a, src, { threshold: 30 });
      await pool.fast(b, src, { threshold: 30 });
      expect([w, h, b.count, b.found, Array.from(b.x.subarray(0, b.count)), Array.from(b.y.subarray(0, b.count))]).toEqual([
        w,
        h,
        a.count,
        a.found,
        Array.from(a.x.subarray(0, a.count)),
        Array.from(a.y.subarray(0, a.count)),
      ]);
      fk.freePlane(src);
      fk.arena.free(a.region);
      fk.arena.free(b.region);
    }
  });

  test('warpPerspective over 2 workers (stripes of destination rows) equals fk.warpPerspective, byte for byte', async () => {
    const cases = [
      { sw: 1024, sh: 768, dw: 1280, dh: 720, format: 'gray' as const, border: 'replicate' as const, inverseMap: true },
      { sw: 333, sh: 211, dw: 301, dh: 199, format: 'gray' as const, border: 'constant' as const, inverseMap: false },
      { sw: 129, sh: 97, dw: 131, dh: 17, format: 'rgba' as const, border: 'constant' as const, inverseMap: false },
      { sw: 64, sh: 48, dw: 33, dh: 5, format: 'rgba' as const, border: 'replicate' as const, inverseMap: true },
    ];
    let seed = 40;
    for (const c of cases) {
      const bpp = c.format === 'gray' ? 1 : 4;
      const src = fillRandom(fk.allocPlane(c.sw, c.sh, c.format, { stride: c.sw * bpp + 3 }), seed++);
      const one = fk.allocPlane(c.dw, c.dh, c.format);
      const many = fk.allocPlane(c.dw, c.dh, c.format, { stride: c.dw * bpp + 7 });
      many.data.fill(0xa5);
      // A perspective map that magnifies, shears and tilts, with parts of the destination outside the source.
      const M = [0.83, 0.07, -9.5, -0.05, 0.91, 6.25, 0.00021, -0.00017, 1];
      const o = { border: c.border, inverseMap: c.inverseMap, borderValue: [17, 200, 3, 99] };
      fk.warpPerspective(one, src, M, o);
      const job = pool.warpPerspective(many, src, M, o);
      M[2] = 1e6; // the job keeps the matrix it was given
      expect(await job).toBe(many);
      const padding = [] as number[];
      for (let y = 0; y < c.dh - 1; y++) for (let x = c.dw * bpp; x < c.dw * bpp + 7; x++) padding.push(many.data[y * many.stride + x]!);
      expect(Buffer.compare(fk.readPixels(one), fk.readPixels(many))).toBe(0);
      expect(padding.every((v) => v === 0xa5)).toBe(true);
      for (const p of [src, one, many]) fk.freePlane(p);
    }
  });

  test('a job on an idle pool starts in the call: the workers render while the caller runs synchronous code', async () => {
    const src = fillRandom(fk.allocPlane(640, 480, 'gray'), 71);
    const a = fk.allocPlane(640, 480, 'gray');
    const b = fk.allocPlane(640, 480, 'gray');
    a.data.fill(0);
    b.data.fill(0);
    const M = [1.05, 0.03, -7, -0.02, 0.97, 5, 0.0001, 0, 1];
    const before = pool.info().jobs;
    const first = pool.warpPerspective(a, src, M);
    const second = pool.warpPerspective(b, src, M);
    // The first job is running already, with no await in between; the second waits its turn.
    expect(pool.info().jobs).toBe(before + 1);
    // Without yielding to the event loop, the workers' rows land in `a` (bounded wait, shared memory).
    const ref = fk.warpPerspective(fk.allocPlane(640, 480, 'gray'), src, M);
    const last = (a.height >> 1) * a.stride; // a middle row, inside the source
    const row = (p: typeof a) => Buffer.from(p.data.subarray(last, last + 640));
    expect(row(ref).equals(Buffer.alloc(640))).toBe(false); // not the zeros `a` starts with
    const until = performance.now() + 5000;
    while (!row(a).equals(row(ref)) && performance.now() < until);
    const renderedMeanwhile = row(a).equals(row(ref));
    await Promise.all([first, second]);
    expect(renderedMeanwhile).toBe(true);
    expect(pool.info().jobs).toBe(before + 2);
    expect(Buffer.compare(fk.readPixels(ref), fk.readPixels(a))).toBe(0);
    expect(Buffer.compare(fk.readPixels(ref), fk.readPixels(b))).toBe(0);
    for (const p of [src, a, b, ref]) fk.freePlane(p);
  });

  test('warpPerspective jobs queued together each use their own matrix; bad input is a typed error first', async () => {
    const src = fillRandom(fk.allocPlane(200, 150, 'gray'), 61);
    const maps = [0, 1, 2].map((i) => [1, 0.02 * i, 3 * i, -0.01 * i, 1, 2 * i, 0.0001 * i, 0, 1]);
    const outs = maps.map(() => fk.allocPlane(160, 120, 'gray'));
    await Promise.all(maps.map((m, i) => pool.warpPerspective(outs[i]!, src, m, { inverseMap: true })));
    for (let i = 0; i < maps.length; i++) {
      const ref = fk.warpPerspective(fk.allocPlane(160, 120, 'gray'), src, maps[i]!, { inverseMap: true });
      expect(Buffer.compare(fk.readPixels(ref), fk.readPixels(outs[i]!))).toBe(0);
      fk.freePlane(ref);
    }
    const rgba = fk.allocPlane(160, 120, 'rgba');
    const codes: string[] = [];
    for (const f of [
      () => pool.warpPerspective(rgba, src, maps[0]!),
      () => pool.warpPerspective(outs[0]!, src, [1, 0, 0, 0, 1, 0, 0, 0]),
      () => pool.warpPerspective(outs[0]!, src, [1, 0, 0, 0, 1, 0, 0, 0, NaN]),
      () => pool.warpPerspective(outs[0]!, src, [0, 0, 0, 0, 0, 0, 0, 0, 0]),
      () => pool.warpPerspective(outs[0]!, src, maps[0]!, { border: 'wrap' as never }),
      () => pool.warpPerspective(src, src, maps[0]!),
    ]) {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(FramekitError);
        codes.push((e as FramekitError).code);
      }
    }
    expect(codes).toEqual(['E_FORMAT', 'E_ARGUMENT', 'E_ARGUMENT', 'E_ARGUMENT', 'E_ARGUMENT', 'E_ARGUMENT']);
    for (const p of [src, rgba, ...outs]) fk.freePlane(p);
  });

  test('jobs posted together queue behind one another and all complete', async () => {
    const w = 320;
    const h = 240;
    const srcs = [0, 1, 2, 3].map((i) => fillRandom(fk.allocPlane(w, h, 'rgba'), 100 + i));
    const outs = srcs.map(() => fk.allocPlane(w, h, 'gray'));
    const before = pool.info().jobs;
    await Promise.all(srcs.map((s, i) => pool.gray(outs[i]!, s)));
    expect(pool.info().jobs).toBe(before + 4);
    for (let i = 0; i < 4; i++) {
      const ref = fk.allocPlane(w, h, 'gray');
      fk.gray(ref, srcs[i]!);
      expect(Buffer.compare(fk.readPixels(ref), fk.readPixels(outs[i]!))).toBe(0);
      fk.freePlane(ref);
    }
    for (const p of [...srcs, ...outs]) fk.freePlane(p);
  });

  test('a worker that fails mid-job is replaced and its stripe re-run: same bytes, no job lost', async () => {
    const before = pool.info();
    pool._injectFault(1);
    await compareGray(pool, 1920, 1080, 'rgba', 9);
    const after = pool.info();
    expect(after.crashes).toBe(before.crashes + 1);
    expect(after.reruns).toBeGreaterThan(before.reruns);
    expect(after.lastCrash).toContain('on purpose');
    // The replacement starts, and takes part in later jobs.
    for (let i = 0; i < 100 && pool.info().ready < 2; i++) await new Promise((r) => setTimeout(r, 20));
    expect(pool.info().ready).toBe(2);
    await compareGray(pool, 640, 480, 'bgr', 10);
  });

  test('bad input is a typed error before any thread touches memory', async () => {
    const src = fk.allocPlane(64, 64, 'rgba');
    const small = fk.allocPlane(32, 64, 'gray');
    const codes: string[] = [];
    for (const f of [
      () => pool.gray(small, src),
      () => pool.gray(src, src),
      () => pool.gray(fk.allocPlane(64, 64, 'gray'), { ...src, ptr: 3 }),
    ]) {
      try {
        await f();
      } catch (e) {
        expect(e).toBeInstanceOf(FramekitError);
        codes.push((e as FramekitError).code);
      }
    }
    expect(codes).toEqual(['E_DIMENSION', 'E_FORMAT', 'E_OUT_OF_BOUNDS']);
    // A gray source is accepted, as fk.gray() accepts it (copied): the pool shares the kernel's check.
    const graySrc = fillRandom(fk.allocPlane(32, 64, 'gray'), 5);
    const viaFk = fk.gray(fk.allocPlane(32, 64, 'gray'), graySrc);
    expect(await pool.gray(small, graySrc)).toBe(small);
    expect(fk.readPixels(small)).toEqual(fk.readPixels(viaFk));
    const g = fk.allocPlane(64, 64, 'gray');
    const g2 = fk.allocPlane(64, 64, 'gray');
    for (const f of [
      () => pool.gaussianBlur(g, g2, 4),
      () => pool.gaussianBlur(g, g2, 0, 0),
      () => pool.gaussianBlur(g, src),
      () => pool.gaussianBlur(g, g),
    ]) {
      expect(f).toThrow(FramekitError);
    }
    await expect(WorkerPool.create(fk, { workers: 0 })).rejects.toThrow(FramekitError);
    await expect(WorkerPool.create(fk, { stripesPerWorker: 1.5 })).rejects.toThrow(FramekitError);
  });

  test('without shared memory it runs on the calling thread, says why, and gives the same bytes', async () => {
    const plain = await createFramekit({ maxWidth: 640, maxHeight: 480, frames: 2 });
    const lines: string[] = [];
    const p = await WorkerPool.create(plain, { workers: 2, log: (l) => lines.push(l) });
    expect(p.info().mode).toBe('main-thread');
    expect(p.info().reason).toContain('shared');
    expect(lines[0]).toContain('one thread');
    const src = fillRandom(plain.allocPlane(641 - 1, 479, 'rgba'), 5);
    const a = plain.allocPlane(640, 479, 'gray');
    const b = plain.allocPlane(640, 479, 'gray');
    plain.gray(a, src);
    await p.gray(b, src);
    expect(Buffer.compare(plain.readPixels(a), plain.readPixels(b))).toBe(0);
    await p.dispose();
  });

  test('dispose returns the control block to the arena', async () => {
    const used = fk.arena.stats().bytesInUse;
    const p = await WorkerPool.create(fk, { workers: 1, scratchBytes: 4096 });
    expect(fk.arena.stats().bytesInUse).toBeGreaterThan(used);
    await compareGray(p, 100, 50, 'rgba', 77);
    await p.dispose();
    expect(fk.arena.stats().bytesInUse).toBe(used);
    await expect(p.gray(fk.allocPlane(4, 4, 'gray'), fk.allocPlane(4, 4, 'rgba'))).rejects.toThrow('disposed');
  });
});
