import { describe, expect, test } from 'bun:test';
import { createFramekit, reserveScratch, KernelContext, FramePool } from '../../ts/index.js';
import { fillRandom } from '../helpers/index.js';

describe('kernel context', () => {
  test('a Framekit delegates to one context: same memory, arena and kernels', async () => {
    const fk = await createFramekit({ maxWidth: 64, maxHeight: 64, frames: 1 });
    const ctx = fk.context;
    expect(ctx).toBeInstanceOf(KernelContext);
    expect(fk.memory).toBe(ctx.memory);
    expect(fk.arena).toBe(ctx.arena);
    expect(fk.heap).toBe(ctx.heap);
    expect(fk.kernels).toBe(ctx.kernels);
    // Constructors users call take the Framekit or its context alike.
    const a = new FramePool(fk, { width: 8, height: 8, format: 'gray', size: 1 });
    const b = new FramePool(ctx, { width: 8, height: 8, format: 'gray', size: 1 });
    expect(a.context).toBe(ctx);
    expect(b.context).toBe(ctx);
  });

  test('one kernel scratch: reserved once, image and feature kernels then run without touching the arena', async () => {
    const fk = await createFramekit({ maxWidth: 320, maxHeight: 240, frames: 2 });
    const w = 320;
    const h = 240;
    const src = fillRandom(fk.allocPlane(w, h, 'gray'), 7);
    const dst = fk.allocPlane(w, h, 'gray');
    const d16 = fk.allocPlane(w, h, 'i16');
    const half = fk.allocPlane(w / 2, h / 2, 'gray');
    const kps = fk.allocKeypoints(4096);
    expect(fk.context.scratch.bytes).toBe(0);
    reserveScratch(fk, 1 << 20);
    const held = fk.context.scratch.bytes;
    expect(held).toBeGreaterThanOrEqual(1 << 20);
    const before = fk.arena.stats();
    fk.gaussianBlur(dst, src, 7);
    fk.boxBlur(dst, src, 5);
    fk.sobel(d16, src);
    fk.pyrDown(half, src);
    fk.resize(half, src);
    fk.equalizeHist(dst, src);
    fk.fast(kps, src);
    fk.goodFeaturesToTrack(kps, src);
    expect(fk.arena.stats()).toEqual(before);
    expect(fk.context.scratch.bytes).toBe(held);
    // A larger need grows the one region (the old one is returned): still one scratch region.
    reserveScratch(fk.context, held + 4096);
    expect(fk.context.scratch.bytes).toBeGreaterThanOrEqual(held + 4096);
    expect(fk.arena.stats().regions).toBe(before.regions);
  });
});
