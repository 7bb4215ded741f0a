import { describe, expect, test } from 'bun:test';
import type { Framekit, PixelFormat } from '../../ts/index.js';
import { toTensorReference } from '../../ts/kernels/tensor-prep/reference.js';
import { tensorGeometry, type FitMode } from '../../ts/kernels/tensor-prep/tables.js';
import { errorCode, fillRandom, fixture, framekits, guarded } from '../helpers/index.js';

const fks = await framekits();
const GUARD = 0x7fc0dead; // a NaN pattern no kernel computes

/** A float tensor region with guard words before and after; `check()` throws if one changed. */
function tensorRegion(fk: Framekit, w: number, h: number, shiftWords: number) {
  const words = w * h * 3;
  const guard = 16;
  const region = fk.arena.alloc(4 * (words + 2 * guard + shiftWords));
  const u32 = new Uint32Array(fk.memory.buffer, region.ptr, words + 2 * guard + shiftWords);
  u32.fill(GUARD);
  const ptr = region.ptr + 4 * (guard + shiftWords);
  const data = new Float32Array(fk.memory.buffer, ptr, words);
  data.fill(0);
  return {
    target: { ptr, width: w, height: h },
    data,
    check() {
      for (let i = 0; i < guard + shiftWords; i++) if (u32[i] !== GUARD) throw new Error(`guard word ${i} before the tensor changed`);
      for (let i = guard + shiftWords + words; i < u32.length; i++)
        if (u32[i] !== GUARD) throw new Error(`guard word after the tensor changed`);
    },
    free: () => fk.arena.free(region),
  };
}

/** Index of the first float whose bits differ, or -1. */
function firstBitDifference(a: Float32Array, b: Float32Array): number {
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return i;
  return -1;
}

/** [srcW, srcH, dstW, dstH]: shrinks, stretches, tall and wide sources, one-pixel edges, odd sizes. */
const SIZES: Array<[number, number, number, number]> = [
  [64, 48, 16, 16],
  [17, 9, 33, 5],
  [1, 1, 7, 5],
  [65, 33, 128, 128],
  [33, 65, 128, 128],
  [3, 200, 9, 9],
  [200, 3, 9, 9],
  [101, 57, 31, 17],
  [16, 16, 16, 16],
];

describe('toTensor: every implementation equals the reference bit for bit', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: sizes, letterbox and stretch, rgba and bgra, wide strides, unaligned starts, guards`, () => {
      let seed = 7;
      for (const [sw, sh, dw, dh] of SIZES) {
        for (const fit of ['letterbox', 'stretch'] as FitMode[]) {
          for (const format of ['rgba', 'bgra'] as PixelFormat[]) {
            const src = guarded(fk, sw, sh, format, { stride: 4 * sw + (sw % 7) * 4 + 3, offset: sw % 16 });
            fillRandom(src.plane, seed++);
            const t = tensorRegion(fk, dw, dh, seed % 4);
            const scale = seed % 2 ? 1 / 127.5 : 1 / 255;
            const bias = seed % 2 ? -1 : 0;
            const g = fk.toTensor(t.target, src.plane, { fit, scale, bias });
            expect(g).toEqual(tensorGeometry(sw, sh, dw, dh, fit));
            const ref = new Float32Array(dw * dh * 3);
            toTensorReference(fk.heap, ref, 0, src.plane, g, scale, bias);
            expect(firstBitDifference(t.data, ref)).toBe(-1);
            t.check();
            src.check();
            t.free();
            src.free();
          }
        }
      }
    });
  }
});

describe('toTensor: what the reference computes', () => {
  const fk = fks[0]![1];
  test('same size, stretch: each pixel maps to v / 127.5 - 1 in RGB order (BGRA swapped)', () => {
    for (const format of ['rgba', 'bgra'] as PixelFormat[]) {
      const src = guarded(fk, 5, 3, format);
      fillRandom(src.plane, 3);
      const t = tensorRegion(fk, 5, 3, 0);
      fk.toTensor(t.target, src.plane, { fit: 'stretch' });
      for (let i = 0; i < 15; i++) {
        const p = src.plane.data.subarray(4 * i, 4 * i + 4);
        const rgb = format === 'rgba' ? [p[0]!, p[1]!, p[2]!] : [p[2]!, p[1]!, p[0]!];
        for (let c = 0; c < 3; c++) expect(t.data[3 * i + c]).toBeCloseTo(rgb[c]! / 127.5 - 1, 6);
      }
      t.free();
      src.free();
    }
  });

  test('letterbox: border is bias; content equals a double-precision bilinear sample within 1e-5', () => {
    const sw = 40;
    const sh = 20;
    const src = guarded(fk, sw, sh, 'rgba');
    fillRandom(src.plane, 11);
    const t = tensorRegion(fk, 16, 16, 1);
    const g = fk.toTensor(t.target, src.plane);
    expect(g).toMatchObject({ ox: 0, oy: 4, cw: 16, ch: 8 });
    for (let y = 0; y < 16; y++) {
      for (let x = 0; x < 16; x++) {
        for (let c = 0; c < 3; c++) {
          const v = t.data[(y * 16 + x) * 3 + c]!;
          if (y < 4 || y >= 12) {
            expect(v).toBe(-1);
            continue;
          }
          const sx = Math.min(sw - 1, Math.max(0, (x + 0.5) * (sw / 16) - 0.5));
          const sy = Math.min(sh - 1, Math.max(0, (y - 4 + 0.5) * (sh / 8) - 0.5));
          const x0 = Math.floor(sx);
          const y0 = Math.floor(sy);
          const x1 = Math.min(x0 + 1, sw - 1);
          const y1 = Math.min(y0 + 1, sh - 1);
          const at = (xx: number, yy: number) => src.plane.data[yy * src.plane.stride + 4 * xx + c]!;
          const fx = sx - x0;
          const fy = sy - y0;
          const want = (at(x0, y0) * (1 - fx) + at(x1, y0) * fx) * (1 - fy) + (at(x0, y1) * (1 - fx) + at(x1, y1) * fx) * fy;
          expect(Math.abs(v - (want / 127.5 - 1))).toBeLessThan(1e-5);
        }
      }
    }
    t.free();
    src.free();
  });

  test('a real photograph to 128x128 and 256x256 on every backend: same bits', async () => {
    const img = await fixture('astronaut.png');
    const outs: Float32Array[] = [];
    for (const [, f] of fks) {
      const p = f.writePixels(f.allocPlane(img.width, img.height, 'rgba'), img.data);
      for (const s of [128, 256]) {
        const t = tensorRegion(f, s, s, 0);
        f.toTensor(t.target, p);
        outs.push(t.data.slice());
        t.check();
        t.free();
      }
      f.freePlane(p);
    }
    for (let i = 2; i < outs.length; i++) expect(firstBitDifference(outs[i]!, outs[i % 2]!)).toBe(-1);
  });
});

describe('toTensor: bad input', () => {
  const fk = fks[2]![1];
  test('typed errors, nothing written', () => {
    const gray = fk.allocPlane(8, 8, 'gray');
    const rgba = fk.allocPlane(8, 8, 'rgba');
    const t = tensorRegion(fk, 4, 4, 0);
    expect(errorCode(() => fk.toTensor(t.target, gray))).toBe('E_FORMAT');
    expect(errorCode(() => fk.toTensor({ ...t.target, ptr: t.target.ptr + 2 }, rgba))).toBe('E_OUT_OF_BOUNDS');
    expect(errorCode(() => fk.toTensor({ ...t.target, ptr: 16 }, rgba))).toBe('E_OUT_OF_BOUNDS');
    expect(errorCode(() => fk.toTensor({ ...t.target, width: 0 }, rgba))).toBe('E_DIMENSION');
    expect(errorCode(() => fk.toTensor({ ptr: rgba.ptr, width: 2, height: 2 }, rgba))).toBe('E_ARGUMENT');
    expect(errorCode(() => fk.toTensor(t.target, rgba, { fit: 'cover' as FitMode }))).toBe('E_ARGUMENT');
    expect(errorCode(() => fk.toTensor(t.target, rgba, { scale: Number.NaN }))).toBe('E_ARGUMENT');
    expect(t.data.every((v) => v === 0)).toBe(true);
    t.check();
    t.free();
    fk.freePlane(gray);
    fk.freePlane(rgba);
  });
});
