import { describe, expect, test } from 'bun:test';
import { Arena, FramekitError } from '../../ts/index.js';
import { mulberry32 } from '../helpers/index.js';

describe('Arena', () => {
  test('hands out 16-byte-aligned, non-overlapping regions and accounts for them', () => {
    const a = new Arena(1 << 20, 1 << 16);
    const r1 = a.alloc(1);
    const r2 = a.alloc(17);
    const r3 = a.alloc(32);
    for (const r of [r1, r2, r3]) expect(r.ptr % 16).toBe(0);
    expect(r2.ptr).toBeGreaterThanOrEqual(r1.ptr + 16);
    expect(r3.ptr).toBeGreaterThanOrEqual(r2.ptr + 32);
    expect(a.stats().bytesInUse).toBe(16 + 32 + 32);
    a.free(r2);
    expect(a.stats().bytesInUse).toBe(48);
    expect(a.stats().highWater).toBe(80);
    expect(a.alloc(20).ptr).toBe(r2.ptr); // first fit reuses the hole
  });

  test('coalesces freed neighbours back into one block', () => {
    const a = new Arena(0, 4096);
    const rs = [a.alloc(1000), a.alloc(1000), a.alloc(1000), a.alloc(1000)];
    for (const i of [1, 3, 0, 2]) a.free(rs[i]!);
    expect(a.stats()).toMatchObject({ bytesInUse: 0, regions: 0, largestFree: 4096 });
    expect(a.alloc(4096).ptr).toBe(0);
  });

  test('double free and foreign regions are E_STATE; exhaustion is E_OUT_OF_MEMORY', () => {
    const a = new Arena(0, 1024);
    const r = a.alloc(100);
    a.free(r);
    expect(() => a.free(r)).toThrow(FramekitError);
    expect(() => a.free({ ptr: 512, size: 16 })).toThrow(/E_STATE/);
    expect(() => a.alloc(2048)).toThrow(/E_OUT_OF_MEMORY/);
    expect(() => a.alloc(0)).toThrow(/E_ARGUMENT/);
  });

  test('seeded random alloc/free never overlaps and always returns to empty', () => {
    const rnd = mulberry32(7);
    const a = new Arena(1 << 20, 1 << 20);
    const live: Array<{ ptr: number; size: number }> = [];
    for (let i = 0; i < 5000; i++) {
      if (live.length && rnd() < 0.45) a.free(live.splice((rnd() * live.length) | 0, 1)[0]!);
      else {
        try {
          live.push(a.alloc(1 + ((rnd() * 4000) | 0)));
        } catch (e) {
          expect((e as FramekitError).code).toBe('E_OUT_OF_MEMORY');
        }
      }
      if (i % 500 === 0) {
        const s = [...live].sort((x, y) => x.ptr - y.ptr);
        for (let j = 1; j < s.length; j++) expect(s[j]!.ptr).toBeGreaterThanOrEqual(s[j - 1]!.ptr + s[j - 1]!.size);
        expect(a.stats().bytesInUse).toBe(live.reduce((n, r) => n + r.size, 0));
      }
    }
    for (const r of live) a.free(r);
    expect(a.stats()).toMatchObject({ bytesInUse: 0, regions: 0, largestFree: 1 << 20 });
  });
});
