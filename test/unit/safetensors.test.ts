// The safetensors reader: header checks (a typed error per malformed file), lazy reads over every
// byte source (mapping, positional reads, Blob, HTTP Range), views vs copies, arena copies between
// guard bytes, GPU uploads on Dawn, and the loaded-model registry.
import { afterAll, describe, expect, test } from 'bun:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FramekitError } from '../../ts/errors.js';
import { createFramekit } from '../../ts/index.js';
import { loadedModels } from '../../ts/models/registry.js';
import { SafetensorsFile } from '../../ts/models/safetensors/file.js';
import { MAX_HEADER_BYTES, type HeaderFault } from '../../ts/models/safetensors/header.js';
import { bytesSource, type ByteSource } from '../../ts/models/safetensors/source.js';
import { headerOf, MIXED, rawFile, tensorBytes, writeSafetensors } from '../helpers/safetensors.js';
import { testGpu } from './webgpu-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'fk-st-'));
const fk = await createFramekit({ arenaBytes: 1 << 20, backend: 'wasm-simd' });
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  // Bun.file answers Range requests with 206 and Content-Range.
  fetch: async (req) => {
    const file = Bun.file(join(dir, new URL(req.url).pathname.slice(1)));
    return (await file.exists()) ? new Response(file) : new Response('not found', { status: 404 });
  },
});
afterAll(() => {
  void server.stop(true);
  rmSync(dir, { recursive: true, force: true });
});

const FILE = writeSafetensors(MIXED, { metadata: { format: 'pt', source: 'generated' } });
const N = Number(new DataView(FILE.buffer).getBigUint64(0, true));
writeFileSync(join(dir, 'mixed.safetensors'), FILE);

/** The error `fn` throws (fails the test when it throws none). */
async function caught(fn: () => Promise<unknown>): Promise<FramekitError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof FramekitError) return e;
    throw e;
  }
  throw new Error('expected a FramekitError');
}

const expectedBytes = (name: string) => {
  const { json, data } = headerOf(FILE);
  const [a, b] = (json[name] as { data_offsets: [number, number] }).data_offsets;
  return data.subarray(a, b);
};

type Open = () => Promise<SafetensorsFile>;
const sources: Array<[string, string, Open]> = [
  ['bytes', 'bytes', () => SafetensorsFile.open(FILE)],
  ['Bun.mmap', 'mmap', () => SafetensorsFile.open(join(dir, 'mixed.safetensors'))],
  ['positional reads', 'file', () => SafetensorsFile.open(join(dir, 'mixed.safetensors'), { mmap: false })],
  ['Blob.slice', 'blob', () => SafetensorsFile.open(new Blob([FILE]))],
  ['HTTP Range', 'http', () => SafetensorsFile.open(`http://127.0.0.1:${server.port}/mixed.safetensors`)],
];

describe.each(sources)('a valid file over %s', (_label, kind, open) => {
  test('open reads the header only; each tensor is read on first access, once', async () => {
    const f = await open();
    expect(f.source.kind).toBe(kind as ByteSource['kind']);
    expect(f.bytesRead).toBe(8 + N);
    expect(f.tensorsLoaded).toBe(0);
    expect(f.metadata).toEqual({ format: 'pt', source: 'generated' });
    expect(f.tensors.map((t) => t.name)).toEqual(MIXED.map((t) => t.name));
    let read = 8 + N;
    for (const spec of MIXED) {
      const t = f.info(spec.name);
      expect(t.byteLength).toBe(tensorBytes(spec.dtype, spec.shape));
      const b = await f.bytes(spec.name);
      read += t.byteLength;
      expect(f.bytesRead).toBe(read);
      expect([...b]).toEqual([...expectedBytes(spec.name)]);
      await f.bytes(spec.name); // cached: nothing more read
      expect(f.bytesRead).toBe(read);
    }
    expect(f.tensorsLoaded).toBe(MIXED.length);
    expect(f.bytesRead).toBe(FILE.length);
    await f.close();
  });

  test('typed arrays: views where aligned, one copy where not', async () => {
    const f = await open();
    const w = await f.array('conv.weight');
    expect(w).toBeInstanceOf(Float32Array);
    expect(w.length).toBe(4 * 27);
    const ref = expectedBytes('conv.weight');
    expect(w[5]).toBe(new DataView(ref.buffer, ref.byteOffset).getFloat32(20, true));
    const raw = await f.bytes('conv.weight');
    expect(w.buffer).toBe(raw.buffer); // a view, not a copy
    const ids = await f.array('ids');
    expect(ids).toBeInstanceOf(BigInt64Array);
    const idsRef = expectedBytes('ids');
    expect(ids[2]).toBe(new DataView(idsRef.buffer, idsRef.byteOffset).getBigInt64(16, true));
    // 'ids' starts at data offset 524: not a multiple of 8. Mapped and in-memory bytes keep the
    // file's offsets (a copy is needed); a positional read, Blob or Range read lands in a fresh buffer.
    expect(f.copies).toBe(kind === 'mmap' || kind === 'bytes' ? 1 : 0);
    expect(await f.array('ids')).toEqual(ids); // the copy is kept: no second one
    expect(f.copies).toBe(kind === 'mmap' || kind === 'bytes' ? 1 : 0);
    expect((await f.array('scale')).length).toBe(1);
    expect((await f.array('empty')).length).toBe(0);
    expect(() => f.info('nope')).toThrow(FramekitError);
    await f.close();
    expect((await caught(() => f.bytes('embed'))).code).toBe('E_STATE');
  });

  test('toArena: one copy into the arena, nothing written outside it', async () => {
    const f = await open();
    const ctx = fk.context;
    const before = ctx.arena.stats();
    const heap = ctx.heap;
    // Every free arena byte set to a guard value: after the copy only the tensor's bytes may differ.
    const lo = ctx.arena.base;
    const hi = lo + ctx.arena.capacity;
    heap.fill(0xa5, lo, hi);
    const name = 'embed'; // 70 bytes: not a multiple of the 16-byte alignment
    const t = await f.toArena(ctx, name);
    expect(t.data).toBeInstanceOf(Uint16Array);
    expect(t.data.buffer).toBe(ctx.memory.buffer);
    const { ptr } = t.region;
    expect([...heap.subarray(ptr, ptr + 70)]).toEqual([...expectedBytes(name)]);
    let stray = 0;
    for (let i = lo; i < hi; i++) if ((i < ptr || i >= ptr + 70) && heap[i] !== 0xa5) stray++;
    expect(stray).toBe(0);
    f.free(ctx, t);
    expect(ctx.arena.stats().bytesInUse).toBe(before.bytesInUse);
    await f.close();
  });
});

describe('arena copies that fail leave the arena as it was', () => {
  test('a tensor larger than the arena: E_OUT_OF_MEMORY, nothing read', async () => {
    const small = await createFramekit({ arenaBytes: 1 << 16, backend: 'reference' });
    const big = writeSafetensors([{ name: 'big', dtype: 'F32', shape: [256, 256] }]);
    const f = await SafetensorsFile.open(big);
    const read = f.bytesRead;
    const before = small.context.arena.stats();
    expect((await caught(() => f.toArena(small.context, 'big'))).code).toBe('E_OUT_OF_MEMORY');
    expect(small.context.arena.stats()).toEqual(before);
    expect(f.bytesRead).toBe(read);
  });

  test('a read that fails mid-copy: E_IO, the region freed', async () => {
    const inner = bytesSource(FILE);
    const failing: ByteSource = {
      kind: 'file',
      name: 'failing',
      size: inner.size,
      get bytesRead() {
        return inner.bytesRead;
      },
      get reads() {
        return inner.reads;
      },
      async read(offset, length, into) {
        if (offset >= 8 + N) throw new FramekitError('E_IO', 'disk went away');
        return inner.read(offset, length, into);
      },
      close: async () => undefined,
    };
    const f = await SafetensorsFile.open(failing);
    const before = fk.context.arena.stats();
    expect((await caught(() => f.toArena(fk.context, 'conv.weight'))).code).toBe('E_IO');
    const after = fk.context.arena.stats();
    expect([after.bytesInUse, after.regions]).toEqual([before.bytesInUse, before.regions]);
  });
});

describe('malformed files: E_TENSOR_FILE with the failed check as details.reason', () => {
  const data16 = new Uint8Array(16);
  const entry = (o: Record<string, unknown>) => JSON.stringify({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16], ...o } });
  const cases: Array<[string, Uint8Array, HeaderFault]> = [
    ['a file shorter than 8 bytes', new Uint8Array(5), 'header-length'],
    ['a header length of 0', rawFile('', data16, { length: 0n }), 'header-length'],
    ['a header length past the end of the file', rawFile(entry({}), data16, { length: 1000n }), 'header-length'],
    ['a header length of 2^63', rawFile(entry({}), data16, { length: 1n << 63n }), 'header-too-large'],
    [
      'a header length over 100 MB (huge JSON), refused before reading it',
      rawFile('{}', new Uint8Array(0), { length: BigInt(MAX_HEADER_BYTES + 1) }),
      'header-too-large',
    ],
    ['a header that does not begin with {', rawFile(` ${entry({})}`, data16), 'header-start'],
    ['a JSON array', rawFile('[]', new Uint8Array(0)), 'header-start'],
    ['truncated JSON', rawFile(entry({}).slice(0, -3), data16), 'json'],
    ['bytes that are not UTF-8', rawFile(Uint8Array.of(0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d), data16), 'json'],
    ['an entry that is not an object', rawFile('{"w": 3}', data16), 'entry'],
    ['an entry without data_offsets', rawFile('{"w": {"dtype": "F32", "shape": [4]}}', data16), 'entry'],
    ['three data offsets', rawFile(entry({ data_offsets: [0, 8, 16] }), data16), 'entry'],
    ['an unknown dtype', rawFile(entry({ dtype: 'F128' }), data16), 'dtype'],
    ['a lower-case dtype', rawFile(entry({ dtype: 'f32' }), data16), 'dtype'],
    ['a negative dimension', rawFile(entry({ shape: [-4] }), data16), 'shape'],
    ['a fractional dimension', rawFile(entry({ shape: [2.5] }), data16), 'shape'],
    ['a dimension past 2^53', rawFile(entry({ shape: [2 ** 60, 0] }), data16), 'shape'],
    ['begin after end', rawFile(entry({ data_offsets: [16, 0] }), data16), 'offsets'],
    ['a negative offset', rawFile(entry({ data_offsets: [-16, 0] }), data16), 'offsets'],
    ['offsets past the end of the file', rawFile(entry({ shape: [8], data_offsets: [0, 32] }), data16), 'bounds'],
    ['a size that is not product(shape) x dtype size', rawFile(entry({ shape: [3] }), data16), 'size'],
    ['a sub-byte tensor ending mid-byte', rawFile(entry({ dtype: 'F4', shape: [3], data_offsets: [0, 2] }), new Uint8Array(2)), 'size'],
    [
      'overlapping tensors',
      rawFile(
        JSON.stringify({
          a: { dtype: 'U8', shape: [10], data_offsets: [0, 10] },
          b: { dtype: 'U8', shape: [10], data_offsets: [6, 16] },
        }),
        data16,
      ),
      'overlap',
    ],
    [
      'a gap between tensors',
      rawFile(
        JSON.stringify({
          a: { dtype: 'U8', shape: [4], data_offsets: [0, 4] },
          b: { dtype: 'U8', shape: [8], data_offsets: [8, 16] },
        }),
        data16,
      ),
      'gap',
    ],
    ['bytes after the last tensor', rawFile(entry({ shape: [2], data_offsets: [0, 8] }), data16), 'incomplete'],
    ['__metadata__ with a number', rawFile(JSON.stringify({ __metadata__: { n: 1 } }), new Uint8Array(0)), 'metadata'],
    ['__metadata__ as an array', rawFile(JSON.stringify({ __metadata__: ['a'] }), new Uint8Array(0)), 'metadata'],
  ];
  test.each(cases)('%s', async (_what, bytes, reason) => {
    const e = await caught(() => SafetensorsFile.open(bytes));
    expect(e.code).toBe('E_TENSOR_FILE');
    expect(e.details.reason).toBe(reason);
  });

  test('a header over the limit is refused after reading 8 bytes, whatever the file holds', async () => {
    const file = writeSafetensors(MIXED);
    const src = bytesSource(file);
    const e = await caught(() => SafetensorsFile.open(src, { maxHeaderBytes: 64 }));
    expect(e.details.reason).toBe('header-too-large');
    expect(src.bytesRead).toBe(8);
  });

  test('a header of real JSON larger than the limit (2 MB of metadata, limit 1 MB)', async () => {
    const file = writeSafetensors([{ name: 'w', dtype: 'U8', shape: [4] }], { metadata: { pad: 'x'.repeat(2 << 20) } });
    const e = await caught(() => SafetensorsFile.open(file, { maxHeaderBytes: 1 << 20 }));
    expect(e.details.reason).toBe('header-too-large');
    expect((await SafetensorsFile.open(file)).metadata.pad!.length).toBe(2 << 20);
  });

  test('missing files and unreadable URLs: E_IO', async () => {
    expect((await caught(() => SafetensorsFile.open(join(dir, 'missing.safetensors')))).code).toBe('E_IO');
    expect((await caught(() => SafetensorsFile.open(join(dir, 'missing.safetensors'), { mmap: false }))).code).toBe('E_IO');
    expect((await caught(() => SafetensorsFile.open(`http://127.0.0.1:${server.port}/missing.safetensors`))).code).toBe('E_IO');
  });

  test('valid edge cases: no tensors, zero-size tensors sharing an offset, a scalar, names like __proto__', async () => {
    expect((await SafetensorsFile.open(rawFile('{}', new Uint8Array(0)))).tensors).toEqual([]);
    // Written as text: an object literal's __proto__ would set a prototype, not a key.
    const json =
      '{"__proto__": {"dtype": "U8", "shape": [0], "data_offsets": [0, 0]}, ' +
      '"constructor": {"dtype": "U8", "shape": [2, 0], "data_offsets": [0, 0]}, ' +
      '"s": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}, "__metadata__": null}';
    const f = await SafetensorsFile.open(rawFile(json, new Uint8Array(4)));
    expect(f.tensors.map((t) => t.name).sort()).toEqual(['__proto__', 'constructor', 's']);
    expect(f.info('__proto__').byteLength).toBe(0);
    expect(f.has('toString')).toBe(false);
    const g = await SafetensorsFile.open(new TextEncoder().encode('') as Uint8Array).catch((e: FramekitError) => e);
    expect((g as FramekitError).details.reason).toBe('header-length');
  });
});

describe('the registry of loaded models', () => {
  test('an open file is listed with its bytes read, and leaves on close', async () => {
    const f = await SafetensorsFile.open(join(dir, 'mixed.safetensors'), { mmap: false });
    await f.bytes('conv.bias');
    const mine = loadedModels().find((m) => m.kind === 'safetensors' && m.name.endsWith('mixed.safetensors') && m.tensorsLoaded === 1);
    expect(mine).toEqual({
      kind: 'safetensors',
      name: join(dir, 'mixed.safetensors'),
      bytes: FILE.length,
      bytesRead: 8 + N + 16,
      via: 'file',
      tensors: MIXED.length,
      tensorsLoaded: 1,
    });
    await f.close();
    expect(loadedModels().some((m) => m === mine)).toBe(false);
    expect(loadedModels().filter((m) => m.tensorsLoaded === 1 && m.via === 'file')).toEqual([]);
  });
});

describe('framekit info', () => {
  const main = join(import.meta.dir, '../../ts/cli/main.ts');
  const info = (...args: string[]) => spawnSync(process.execPath, [main, 'info', '--no-gpu', ...args], { encoding: 'utf8' });
  test('lists nothing loaded in a fresh process; --tensors opens a file and reports its bytes read (the header only)', () => {
    expect(JSON.parse(info('--json').stdout).models).toEqual([]);
    const r = info('--json', '--tensors', join(dir, 'mixed.safetensors'));
    expect(JSON.parse(r.stdout).models).toEqual([
      {
        kind: 'safetensors',
        name: join(dir, 'mixed.safetensors'),
        bytes: FILE.length,
        bytesRead: 8 + N,
        via: 'mmap',
        tensors: MIXED.length,
        tensorsLoaded: 0,
      },
    ]);
    expect(info('--tensors', join(dir, 'mixed.safetensors')).stdout).toContain(
      `${8 + N} of ${FILE.length} bytes read, 0 of ${MIXED.length} tensors read`,
    );
    const bad = info('--tensors', join(dir, 'missing.safetensors'));
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('E_IO');
  });
});

const { gpu, reason } = await testGpu();
afterAll(() => gpu?.device.destroy());

test('a WebGPU adapter is available (Dawn)', () => expect(reason).toBeNull());

describe.skipIf(!gpu)('toGpu: writeBuffer straight from the mapped bytes', () => {
  test.each(['mmap', 'file'] as const)('every tensor over %s reads back equal, odd lengths padded, the offset honoured', async (via) => {
    const device = gpu!.device;
    const f = await SafetensorsFile.open(join(dir, 'mixed.safetensors'), { mmap: via === 'mmap' });
    for (const spec of MIXED) {
      const t = f.info(spec.name);
      const at = 8;
      const size = Math.max(4, at + ((t.byteLength + 3) & ~3) + 4);
      const dst = device.createBuffer({ size, usage: 0x80 | 0x08 | 0x04 });
      const read = device.createBuffer({ size, usage: 0x01 | 0x08 });
      // Guard words before and after the tensor's place.
      device.queue.writeBuffer(dst, 0, new Uint8Array(size).fill(0xa5));
      await f.toGpu(device, spec.name, { buffer: dst, offset: at });
      const enc = device.createCommandEncoder();
      enc.copyBufferToBuffer(dst, 0, read, 0, size);
      device.queue.submit([enc.finish()]);
      await read.mapAsync(0x01);
      const got = new Uint8Array(read.getMappedRange().slice(0));
      read.unmap();
      expect([...got.subarray(at, at + t.byteLength)]).toEqual([...expectedBytes(spec.name)]);
      expect(got.subarray(0, at).every((v) => v === 0xa5)).toBe(true);
      const pad = at + ((t.byteLength + 3) & ~3);
      expect(got.subarray(at + t.byteLength, pad).every((v) => v === 0)).toBe(true);
      expect(got.subarray(pad).every((v) => v === 0xa5)).toBe(true);
      dst.destroy();
      read.destroy();
    }
    // A positional-read source does not keep what it uploaded; a mapping only hands out views.
    expect(f.bytesRead).toBe(FILE.length);
    expect((await caught(() => f.toGpu(device, 'conv.bias', { offset: 2 }))).code).toBe('E_ARGUMENT');
    const own = await f.toGpu(device, 'embed');
    expect(own.size).toBe(72);
    own.destroy();
    await f.close();
  });
});
