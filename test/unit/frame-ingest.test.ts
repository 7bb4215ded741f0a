import { describe, expect, test } from 'bun:test';
import {
  createFramekit,
  FramekitError,
  ingest,
  ingestCanvas,
  ingestImageData,
  ingestPixels,
  ingestVideoFrame,
  type Frame,
  type FramePool,
  type VideoFrameLike,
} from '../../ts/index.js';
import { randomBytes } from '../helpers/index.js';

async function codeOf(fn: () => unknown): Promise<string> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof FramekitError) return e.code;
    throw e;
  }
  return 'no error';
}

const fk = await createFramekit({ arenaBytes: 8 << 20 });

/**
 * A pool of three frames whose whole arena regions are filled with 0xA5 first; `check(frame)`
 * proves that only that frame's pixel bytes changed: every other byte of every slot (gray
 * region, padding, the neighbouring frames) still holds 0xA5.
 */
function guardedPool(w: number, h: number, format: 'rgba' | 'bgra' | 'rgb' | 'gray' = 'rgba') {
  const pool = fk.createPool({ width: w, height: h, size: 3, format });
  const frames = [pool.acquire(), pool.acquire(), pool.acquire()];
  const lo = Math.min(...frames.map((f) => f.region('pixels').ptr));
  const hi = Math.max(...frames.map((f) => f.region('gray').ptr + f.region('gray').size));
  fk.heap.fill(0xa5, lo, hi);
  const mid = frames[1]!;
  const check = (written: Frame | null) => {
    const p = written?.region('pixels');
    for (let i = lo; i < hi; i++) {
      if (p && i >= p.ptr && i < p.ptr + p.size) continue;
      if (fk.heap[i] !== 0xa5) throw new Error(`byte ${i} outside the frame's pixels changed`);
    }
  };
  const done = () => {
    for (const f of frames) f.release();
    pool.dispose();
  };
  return { pool, frame: mid, check, done };
}

describe('ingest: one copy into the frame region, nothing outside it', () => {
  test('Uint8Array and Uint8ClampedArray, packed', () => {
    for (const [w, h] of [
      [1, 1],
      [17, 3],
      [64, 9],
    ] as const) {
      const g = guardedPool(w, h);
      const src = randomBytes(w * h * 4, w);
      g.frame.attach('pose', 1);
      expect(ingestPixels(g.frame, src)).toBe(g.frame);
      expect(g.frame.data).toEqual(src);
      expect(g.frame.get('pose')).toBeNull(); // new pixels: results out of date
      g.check(g.frame);
      ingest(
        g.frame,
        new Uint8ClampedArray(src.buffer).map((v) => 255 - v),
      );
      expect(g.frame.data[0]).toBe(255 - src[0]!);
      g.check(g.frame);
      g.done();
    }
  });

  test('strided source rows', () => {
    const w = 13;
    const h = 5;
    const stride = w * 3 + 7;
    const g = guardedPool(w, h, 'rgb');
    const src = randomBytes(stride * h, 4);
    ingestPixels(g.frame, src, stride);
    for (let y = 0; y < h; y++)
      expect(g.frame.data.subarray(y * w * 3, (y + 1) * w * 3)).toEqual(src.subarray(y * stride, y * stride + w * 3));
    g.check(g.frame);
    // The last row may omit its padding.
    ingestPixels(g.frame, src.subarray(0, stride * (h - 1) + w * 3), stride);
    g.done();
  });

  test('a decoder writing into frame.data needs no copy; ingest of that view is a no-op', () => {
    const g = guardedPool(8, 8);
    const view = g.frame.data;
    view.set(randomBytes(view.length, 5));
    const before = view.slice();
    ingest(g.frame, view);
    expect(g.frame.data).toEqual(before);
    g.check(g.frame);
    g.done();
  });

  test('ImageData and canvas shapes', () => {
    const w = 21;
    const h = 4;
    const g = guardedPool(w, h);
    const data = new Uint8ClampedArray(randomBytes(w * h * 4, 6));
    const img = { width: w, height: h, data, colorSpace: 'srgb' };
    ingestImageData(g.frame, img);
    expect(g.frame.data).toEqual(new Uint8Array(data.buffer));
    g.frame.data.fill(0);
    ingest(g.frame, img);
    expect(g.frame.data).toEqual(new Uint8Array(data.buffer));
    let reads = 0;
    const canvas = {
      width: w,
      height: h,
      getContext: (type: '2d') =>
        type === '2d'
          ? {
              getImageData: (x: number, y: number, cw: number, ch: number) => (
                reads++,
                { width: cw, height: ch, data: data.map((v) => v ^ 1) }
              ),
            }
          : null,
    };
    ingest(g.frame, canvas);
    ingestCanvas(g.frame, canvas);
    expect(reads).toBe(2);
    expect(g.frame.data[3]).toBe(data[3]! ^ 1);
    g.check(g.frame);
    g.done();
  });

  test('bad input: typed errors, nothing written', async () => {
    const g = guardedPool(10, 4);
    const f = g.frame;
    expect(await codeOf(() => ingestPixels(f, new Uint8Array(10 * 4 * 4 - 1)))).toBe('E_BUFFER_SIZE');
    expect(await codeOf(() => ingestPixels(f, new Uint8Array(10 * 4 * 4 + 1)))).toBe('E_BUFFER_SIZE');
    expect(await codeOf(() => ingestPixels(f, new Uint8Array(10 * 5 * 4)))).toBe('E_BUFFER_SIZE'); // a bigger frame
    expect(await codeOf(() => ingestPixels(f, new Uint8Array(400), 39))).toBe('E_STRIDE');
    expect(await codeOf(() => ingestImageData(f, { width: 11, height: 4, data: new Uint8ClampedArray(11 * 16) }))).toBe('E_DIMENSION');
    expect(await codeOf(() => ingest(f, { nonsense: true } as never))).toBe('E_ARGUMENT');
    g.check(null);
    const rgb = guardedPool(10, 4, 'rgb');
    expect(await codeOf(() => ingestImageData(rgb.frame, { width: 10, height: 4, data: new Uint8ClampedArray(160) }))).toBe('E_FORMAT');
    rgb.check(null);
    rgb.done();
    const released = g.pool.frameAt(0);
    g.done();
    expect(await codeOf(() => ingestPixels(released, new Uint8Array(160)))).toBe('E_STATE');
  });
});

/**
 * A stand-in for WebCodecs' VideoFrame: RGBA or I420 pixels that copyTo writes into a destination
 * following `layout[0]`, converting I420 to RGBA/BGRA only when `format` asks for it (the check a
 * real VideoFrame makes: the destination must hold allocationSize bytes).
 */
function fakeVideoFrame(w: number, h: number, format: 'RGBA' | 'BGRA' | 'I420', rgba: Uint8Array) {
  const calls: Array<Record<string, unknown>> = [];
  const vf: VideoFrameLike = {
    codedWidth: w + (format === 'I420' ? 16 : 0), // coded size may be padded; the visible rect is what counts
    codedHeight: h,
    visibleRect: { width: w, height: h },
    format,
    allocationSize(o = {}) {
      const stride = o.layout?.[0]?.stride ?? w * 4;
      const out = o.format ?? format;
      return out === 'I420' ? (w * h * 3) / 2 : (o.layout?.[0]?.offset ?? 0) + stride * (h - 1) + w * 4;
    },
    async copyTo(dst, o = {}) {
      calls.push({ format: o.format, colorSpace: o.colorSpace, stride: o.layout?.[0]?.stride, dst });
      const out = o.format ?? format;
      if (out === 'I420') throw new Error('test fake: I420 output not modelled');
      if (dst.length < this.allocationSize(o)) throw new TypeError('destination too small');
      const stride = o.layout![0]!.stride;
      const swap = out === 'BGRA';
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const s = (y * w + x) * 4;
          const d = y * stride + x * 4;
          dst[d] = rgba[s + (swap ? 2 : 0)]!;
          dst[d + 1] = rgba[s + 1]!;
          dst[d + 2] = rgba[s + (swap ? 0 : 2)]!;
          dst[d + 3] = rgba[s + 3]!;
        }
      }
      return [{ offset: 0, stride }];
    },
  };
  return { vf, calls };
}

describe('ingestVideoFrame: copyTo straight into the frame region', () => {
  test('RGBA into rgba: no conversion asked, one copyTo into the frame view itself', async () => {
    const w = 19;
    const h = 6;
    const g = guardedPool(w, h);
    const rgba = randomBytes(w * h * 4, 7);
    const { vf, calls } = fakeVideoFrame(w, h, 'RGBA', rgba);
    await ingestVideoFrame(g.frame, vf);
    expect(calls.length).toBe(1);
    expect(calls[0]!.format).toBeUndefined();
    expect(calls[0]!.dst).toBe(g.frame.data); // the region's own view: the one copy
    expect(g.frame.data).toEqual(rgba);
    expect(g.frame.refs).toBe(1); // the retain during the copy was released
    g.check(g.frame);
    g.done();
  });

  test('I420 into bgra: asks copyTo to convert to BGRA in sRGB', async () => {
    const w = 8;
    const h = 4;
    const g = guardedPool(w, h, 'bgra' as 'rgba');
    const rgba = randomBytes(w * h * 4, 8);
    const { vf, calls } = fakeVideoFrame(w, h, 'I420', rgba);
    await ingestVideoFrame(g.frame, vf);
    expect(calls[0]).toMatchObject({ format: 'BGRA', colorSpace: 'srgb', stride: w * 4 });
    expect([g.frame.data[0], g.frame.data[2]]).toEqual([rgba[2]!, rgba[0]!]);
    g.check(g.frame);
    g.done();
  });

  test('wrong size or format: typed errors before any copy', async () => {
    const g = guardedPool(8, 4);
    const { vf, calls } = fakeVideoFrame(9, 4, 'RGBA', new Uint8Array(9 * 16));
    expect(await codeOf(() => ingestVideoFrame(g.frame, vf))).toBe('E_DIMENSION');
    const big = fakeVideoFrame(8, 4, 'RGBA', new Uint8Array(8 * 16));
    big.vf.allocationSize = () => 8 * 4 * 4 + 64; // a frame that claims more bytes than the region holds
    expect(await codeOf(() => ingestVideoFrame(g.frame, big.vf))).toBe('E_BUFFER_SIZE');
    expect(calls.length + big.calls.length).toBe(0);
    g.check(null);
    g.done();
    const gray = guardedPool(8, 4, 'gray');
    expect(await codeOf(() => ingestVideoFrame(gray.frame, fakeVideoFrame(8, 4, 'RGBA', new Uint8Array(128)).vf))).toBe('E_FORMAT');
    gray.done();
  });

  test('the frame cannot be recycled while copyTo runs', async () => {
    const pool: FramePool = fk.createPool({ width: 4, height: 4, size: 1 });
    const f = pool.acquire();
    const { vf } = fakeVideoFrame(4, 4, 'RGBA', randomBytes(64, 9));
    const p = ingestVideoFrame(f, vf);
    f.release(); // the caller lets go while the copy is in flight
    expect(() => pool.acquire()).toThrow(FramekitError); // still held by the copy
    await p;
    const g = pool.acquire(); // free once the copy finished
    g.release();
    pool.dispose();
  });
});
