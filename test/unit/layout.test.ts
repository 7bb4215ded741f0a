import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { createFramekit, LAYOUT } from '../../ts/index.js';
import { readDataExtents, readMemoryImport } from '../../ts/backends/wasm/binary.js';
import { randomBytes } from '../helpers/index.js';

const bin = (f: string) => new Uint8Array(readFileSync(new URL(`../../wasm/bin/${f}`, import.meta.url)));

describe('memory layout: Rust stack and data, AssemblyScript data and the arena do not overlap', () => {
  for (const kind of ['simd', 'scalar']) {
    test(`${kind} builds`, async () => {
      const fk = await createFramekit({ arenaBytes: 1 << 20, backend: kind === 'simd' ? 'wasm-simd' : 'wasm-scalar' });
      const f = fk.wasm!.features;
      // Rust: the stack pointer starts at the stack top; static data lies between it and __data_end.
      const rustData = readDataExtents(bin(`features.${kind}.wasm`));
      const dataEnd = f.__data_end.value as number;
      expect(f.__heap_base.value as number).toBeLessThanOrEqual(LAYOUT.rustDataLimit);
      expect(dataEnd).toBeLessThanOrEqual(LAYOUT.rustDataLimit);
      for (const d of rustData) {
        expect(d.offset).toBeGreaterThanOrEqual(LAYOUT.rustStackTop);
        expect(d.offset + d.size).toBeLessThanOrEqual(dataEnd);
      }
      // AssemblyScript: every data segment inside its window.
      for (const d of readDataExtents(bin(`pixels.${kind}.wasm`))) {
        expect(d.offset).toBeGreaterThanOrEqual(LAYOUT.asDataBase);
        expect(d.offset + d.size).toBeLessThanOrEqual(LAYOUT.asDataLimit);
      }
      // The windows themselves are ordered and the arena starts above them.
      expect(LAYOUT.rustStackTop).toBeLessThanOrEqual(LAYOUT.rustDataBase);
      expect(LAYOUT.rustDataLimit).toBeLessThanOrEqual(LAYOUT.asDataBase);
      expect(LAYOUT.asDataLimit).toBeLessThanOrEqual(LAYOUT.arenaBase);
      expect(fk.arena.base).toBe(LAYOUT.arenaBase);
      // Both modules declare no more memory than the layout gives them.
      expect(readMemoryImport(bin(`pixels.${kind}.wasm`))!.initial * LAYOUT.pageBytes).toBeLessThanOrEqual(LAYOUT.arenaBase);
      expect(readMemoryImport(bin(`features.${kind}.wasm`))!.initial * LAYOUT.pageBytes).toBeLessThanOrEqual(LAYOUT.arenaBase);
    });
  }

  test('both languages work on one memory: AssemblyScript writes a gray plane, Rust sums it', async () => {
    for (const backend of ['wasm-simd', 'wasm-scalar'] as const) {
      const fk = await createFramekit({ arenaBytes: 4 << 20, backend });
      const w = 333;
      const h = 77;
      const src = fk.writePixels(fk.allocPlane(w, h, 'rgba'), randomBytes(w * h * 4, 3));
      const gray = fk.allocPlane(w, h, 'gray', { stride: w + 11 });
      fk.gray(gray, src);
      let expected = 0n;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) expected += BigInt(gray.data[y * gray.stride + x]!);
      expect(fk.planeSum(gray)).toBe(expected);
      expect(expected).toBeGreaterThan(0n);
    }
  });

  test('the memory has a maximum equal to its size and is never grown; shared memory works', async () => {
    const fk = await createFramekit({ maxWidth: 64, maxHeight: 64, frames: 2, scratchBytes: 0 });
    const bytes = fk.memory.buffer.byteLength;
    expect(() => fk.memory.grow(1)).toThrow();
    expect(fk.memory.buffer.byteLength).toBe(bytes);
    const shared = await createFramekit({ arenaBytes: 1 << 20, shared: true });
    expect(shared.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared.info().memory.shared).toBe(true);
    const src = shared.writePixels(shared.allocPlane(40, 3, 'rgb'), randomBytes(360, 9));
    const dst = shared.allocPlane(40, 3, 'gray');
    shared.gray(dst, src);
    expect(shared.planeSum(dst)).toBeGreaterThan(0n);
  });

  test('sized from the options; a frame larger than that is E_OUT_OF_MEMORY and leaves accounting alone', async () => {
    const fk = await createFramekit({ maxWidth: 320, maxHeight: 240, frames: 2, scratchBytes: 0 });
    expect(fk.arena.capacity).toBeGreaterThanOrEqual(2 * 320 * 240 * 5);
    const before = fk.arena.stats();
    expect(() => fk.allocPlane(1920, 1080, 'rgba')).toThrow(/E_OUT_OF_MEMORY/);
    expect(fk.arena.stats()).toEqual(before);
    await expect(createFramekit({ maxWidth: 0 })).rejects.toThrow(/E_DIMENSION/);
    await expect(createFramekit({ backend: 'gpu' as never })).rejects.toThrow(/E_ARGUMENT/);
  });
});
