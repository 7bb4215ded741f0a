import { describe, expect, test } from 'bun:test';
import { SampleRing } from '../../ts/index.js';
import { Resampler } from '../../ts/kernels/resample/api.js';
import { resampleReference } from '../../ts/kernels/resample/reference.js';
import { buildResampleFilter, resampleKernel } from '../../ts/kernels/resample/tables.js';
import { errorCode, framekits, mulberry32 } from '../helpers/index.js';

const fks = await framekits({ arenaBytes: 8 << 20 });

/** Runs `input` at `inRate` through a Resampler into a ring, in seeded random blocks; returns every output. */
function stream(fk: (typeof fks)[number][1], input: Float32Array, inRate: number, seed: number, ringCap = 1024): Float32Array {
  const rs = new Resampler(fk, inRate, { maxBlock: 700 });
  const ring = new SampleRing(fk, ringCap);
  const out: number[] = [];
  const tmp = new Float32Array(ringCap);
  const drain = () => {
    const n = ring.size;
    const b = tmp.subarray(0, n);
    ring.pop(b);
    for (const v of b) out.push(v);
  };
  const r = mulberry32(seed);
  for (let off = 0; off < input.length;) {
    const n = Math.min(input.length - off, 1 + Math.floor(r() * 2000));
    const end = off + n;
    while (off < end) {
      off += rs.push(input.subarray(off, end), ring);
      drain();
      while (rs.drain(ring) > 0) drain();
    }
  }
  rs.dispose();
  ring.dispose();
  return Float32Array.from(out);
}

describe('resample kernel: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: 48 kHz, 44.1 kHz and 22.05 kHz filters, counts 1..65, every starting phase class, unaligned inputs, guard bytes`, () => {
      for (const rate of [48000, 44100, 22050]) {
        const f = buildResampleFilter(rate, 16000);
        const table = fk.arena.alloc(f.table.byteLength);
        new Float32Array(fk.heap.buffer, table.ptr, f.table.length).set(f.table);
        const src = fk.arena.alloc(4 * (f.taps + 65 * 4 + 8));
        const s = new Float32Array(fk.heap.buffer, src.ptr, src.size / 4);
        const r = mulberry32(rate);
        for (let i = 0; i < s.length; i++) s[i] = (r() * 2 - 1) * 0.8;
        const dst = fk.arena.alloc(4 * 65 + 64);
        const ref = fk.arena.alloc(4 * 65);
        for (let count = 1; count <= 65; count++) {
          const phase = (count * 7) % f.L;
          const at = src.ptr + 4 * (count % 3);
          fk.heap.fill(0xa5, dst.ptr, dst.ptr + dst.size);
          fk.kernels.resample(at, dst.ptr + 32, count, phase, f.M, f.L, f.taps, table.ptr);
          resampleReference(fk.heap, at, ref.ptr, count, phase, f.M, f.L, f.taps, table.ptr);
          const a = new Float32Array(fk.heap.buffer, dst.ptr + 32, count);
          const b = new Float32Array(fk.heap.buffer, ref.ptr, count);
          for (let i = 0; i < count; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-6);
          for (let i = 0; i < 32; i++) expect(fk.heap[dst.ptr + i]).toBe(0xa5);
          for (let i = dst.ptr + 32 + 4 * count; i < dst.ptr + dst.size; i++) expect(fk.heap[i]).toBe(0xa5);
        }
        for (const g of [table, src, dst, ref]) fk.arena.free(g);
      }
    });
  }

  test('the SIMD and scalar builds give the same bits (four partial sums in the same order)', () => {
    const outs = fks.slice(1).map(([, fk]) =>
      stream(
        fk,
        Float32Array.from({ length: 20000 }, (_, i) => Math.sin(i * 0.37) * 0.5),
        44100,
        3,
      ),
    );
    expect(outs[0]).toEqual(outs[1]!);
  });
});

describe('Resampler: a stream at 48 / 44.1 kHz to 16 kHz', () => {
  const [, fk] = fks[2]!;
  test('the filter: unit gain at DC per phase, the windowed sinc at its centre', () => {
    const f = buildResampleFilter(44100, 16000);
    expect(f.L).toBe(160);
    expect(f.M).toBe(441);
    expect(f.taps % 4).toBe(0);
    for (let p = 0; p < f.L; p += 17) {
      let s = 0;
      for (let k = 0; k < f.taps; k++) s += f.table[p * f.taps + k]!;
      expect(Math.abs(s - 1)).toBeLessThan(1e-5);
    }
    expect(resampleKernel(0, 0.25, 40)).toBeCloseTo(0.5, 12);
  });

  for (const [rate, freq] of [
    [48000, 1000],
    [44100, 3000],
    [22050, 6000],
  ] as const) {
    test(`${rate} Hz: a ${freq} Hz sine comes out as the same sine at 16 kHz (passband error < 2e-3)`, () => {
      const n = rate; // one second
      const input = Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * freq * i) / rate));
      const out = stream(fk, input, rate, 1);
      const f = buildResampleFilter(rate, 16000);
      // Output j lies at input j * M / L: the ideal sine there. Skip the first and last taps' reach.
      const margin = Math.ceil((f.taps * 16000) / rate);
      expect(out.length).toBeGreaterThan(16000 - 2 * margin);
      let worst = 0;
      for (let j = margin; j < out.length - margin; j++)
        worst = Math.max(worst, Math.abs(out[j]! - 0.5 * Math.sin((2 * Math.PI * freq * j) / 16000)));
      expect(worst).toBeLessThan(2e-3);
    });
  }

  test('48 kHz: a 12 kHz tone (above the 8 kHz Nyquist of the output) is removed (below -60 dB)', () => {
    const input = Float32Array.from({ length: 48000 }, (_, i) => 0.5 * Math.sin((2 * Math.PI * 12000 * i) / 48000));
    const out = stream(fk, input, 48000, 2);
    let e = 0;
    for (let j = 200; j < out.length - 200; j++) e += out[j]! ** 2;
    const rms = Math.sqrt(e / (out.length - 400));
    expect(rms / (0.5 / Math.SQRT2)).toBeLessThan(1e-3);
  });

  test('blocks of any size and a small ring give the same samples as one block into a large ring', () => {
    const r = mulberry32(9);
    const input = Float32Array.from({ length: 30000 }, () => (r() * 2 - 1) * 0.5);
    const small = stream(fk, input, 44100, 5, 256);
    const rs = new Resampler(fk, 44100, { maxBlock: 1 << 15 });
    const ring = new SampleRing(fk, 1 << 15);
    expect(rs.push(input, ring)).toBe(input.length);
    const big = new Float32Array(ring.size);
    ring.pop(big);
    expect(small).toEqual(big);
    expect(big.length).toBe(Math.floor(((30000 - rs.filter.taps / 2) * 16000) / 44100) + 1);
    rs.dispose();
    ring.dispose();
  });

  test('rates that need too many phases, or are not integers, are E_ARGUMENT', () => {
    expect(errorCode(() => buildResampleFilter(44101, 16000))).toBe('E_ARGUMENT');
    expect(errorCode(() => buildResampleFilter(0, 16000))).toBe('E_ARGUMENT');
    expect(errorCode(() => new Resampler(fk, 48000, { maxBlock: 0 }))).toBe('E_ARGUMENT');
  });
});
