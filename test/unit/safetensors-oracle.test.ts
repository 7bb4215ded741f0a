// @huggingface/hub's safetensors header validation as an oracle. Its parseSafetensorsMetadata reads
// a file over HTTP Range requests (here a fetch that answers from memory) and checks: the 8-byte
// length (non-zero, at most 25,000,000), the JSON, and per tensor that shape and data_offsets are
// arrays, each dimension a non-negative integer up to 2^32, the offsets integers with
// 0 <= begin <= end <= file size. It does not check dtypes, sizes against shapes, overlaps, gaps,
// __metadata__, UTF-8 or the leading '{' (it says offsets may legitimately disagree with shapes);
// framekit follows the format's reference implementation, which does.
//
// So on every generated and mutated file: when hub rejects, framekit rejects; when framekit
// accepts, hub accepts; and when only framekit rejects, it is for one of the checks hub does not make.
import { describe, expect, test } from 'bun:test';
import { parseSafetensorsMetadata } from '@huggingface/hub';
import { FramekitError } from '../../ts/errors.js';
import { SafetensorsFile } from '../../ts/models/safetensors/file.js';
import type { HeaderFault } from '../../ts/models/safetensors/header.js';
import { GENERIC, rng, safetensorsLie } from '../fuzz/mutate.js';
import { MIXED, writeSafetensors } from '../helpers/safetensors.js';

/** A fetch serving one file as the Hub does: Range requests answered 206 with Content-Range and an ETag. */
function hubFetch(file: Uint8Array): typeof fetch {
  return (async (_url: string | URL | Request, init?: RequestInit) => {
    const range = new Headers(init?.headers).get('Range');
    const head = { etag: '"fixture"', 'content-type': 'application/octet-stream' };
    if (!range) return new Response(file.slice(), { status: 200, headers: head });
    const m = /bytes=(\d+)-(\d+)/.exec(range)!;
    const a = Number(m[1]);
    const b = Math.min(Number(m[2]), file.length - 1);
    if (a >= file.length) return new Response(null, { status: 416, headers: { ...head, 'content-range': `bytes */${file.length}` } });
    return new Response(file.slice(a, b + 1), { status: 206, headers: { ...head, 'content-range': `bytes ${a}-${b}/${file.length}` } });
  }) as typeof fetch;
}

async function hubAccepts(file: Uint8Array): Promise<boolean> {
  try {
    await parseSafetensorsMetadata({
      repo: 'framekit/fixture',
      path: 'model.safetensors',
      hubUrl: 'http://hub.invalid',
      fetch: hubFetch(file),
    });
    return true;
  } catch {
    return false;
  }
}

async function ours(file: Uint8Array): Promise<HeaderFault | 'ok'> {
  try {
    await SafetensorsFile.open(file);
    return 'ok';
  } catch (e) {
    if (e instanceof FramekitError && e.code === 'E_TENSOR_FILE') return e.details.reason as HeaderFault;
    throw e;
  }
}

/**
 * Checks only framekit makes. 'json' and 'entry' are here for what hub lets through: bytes that are
 * not UTF-8 (hub decodes them to U+FFFD and parses on) and entries whose dtype is not a string.
 * 'bounds' too: hub compares data_offsets (relative to the data section) with the whole file's size.
 * 'header-length': a length past the end of the file, which hub reads as far as the file goes.
 */
const ONLY_OURS = new Set<HeaderFault>([
  'header-start',
  'json',
  'entry',
  'dtype',
  'size',
  'overlap',
  'gap',
  'incomplete',
  'metadata',
  'bounds',
  'header-length',
]);

describe('@huggingface/hub agrees', () => {
  test('generated valid files: both accept', async () => {
    const files = [
      writeSafetensors(MIXED),
      writeSafetensors(MIXED, { metadata: { format: 'pt' }, align: 1 }),
      writeSafetensors([{ name: 'w', dtype: 'F32', shape: [3, 5] }]),
      writeSafetensors([{ name: 'x', dtype: 'BF16', shape: [1, 1, 1, 7] }]),
    ];
    for (const f of files) {
      expect(await ours(f)).toBe('ok');
      expect(await hubAccepts(f)).toBe(true);
    }
  });

  test('600 seeded mutations: hub rejects => framekit rejects; only framekit rejects => a check hub does not make', async () => {
    const seeds = [writeSafetensors(MIXED, { metadata: { a: 'b' } }), writeSafetensors(MIXED.slice(0, 3), { align: 1 })];
    const mutations = [...GENERIC, safetensorsLie, safetensorsLie, safetensorsLie, safetensorsLie];
    const tally: Record<string, number> = {};
    const disagreements: string[] = [];
    for (let i = 0; i < 600; i++) {
      const r = rng(0x0ac1e000 + i);
      const { bytes, kind } = mutations[Math.floor(r() * mutations.length)]!(seeds[Math.floor(r() * seeds.length)]!, r);
      const mine = await ours(bytes);
      const theirs = await hubAccepts(bytes);
      const key = `${theirs ? 'hub ok' : 'hub rejects'} / ${mine}`;
      tally[key] = (tally[key] ?? 0) + 1;
      if ((!theirs && mine === 'ok') || (theirs && mine !== 'ok' && !ONLY_OURS.has(mine)))
        disagreements.push(`case ${i} (${kind}): ${key}`);
    }
    console.log('oracle tally', tally);
    expect(disagreements).toEqual([]);
    // Both outcomes occur, and hub's own rejections are among them.
    expect(tally['hub ok / ok'] ?? 0).toBeGreaterThan(0);
    expect(Object.keys(tally).some((k) => k.startsWith('hub rejects'))).toBe(true);
  });

  test('the issue cases: bad header length, offsets past the end, overlap, unknown dtype, huge JSON', async () => {
    const base = writeSafetensors([
      { name: 'a', dtype: 'U8', shape: [8] },
      { name: 'b', dtype: 'U8', shape: [8] },
    ]);
    const n = Number(new DataView(base.buffer).getBigUint64(0, true));
    const edit = (fn: (h: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void, length?: bigint) => {
      const h = JSON.parse(new TextDecoder().decode(base.subarray(8, 8 + n))) as Parameters<typeof fn>[0];
      fn(h);
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + 16);
      new DataView(out.buffer).setBigUint64(0, length ?? BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    const rows: Array<[string, Uint8Array, HeaderFault, boolean]> = [
      ['length 0', edit(() => undefined, 0n), 'header-length', false],
      ['length 30 MB (over hub 25 MB, under 100 MB), file shorter', edit(() => undefined, 30_000_000n), 'header-length', false],
      ['length 2^40', edit(() => undefined, 1n << 40n), 'header-too-large', false],
      ['offsets far past the end', edit((h) => (h.b!.data_offsets = [8, 4096])), 'bounds', false],
      ['overlap', edit((h) => (h.b!.data_offsets = [4, 12])), 'overlap', true],
      ['unknown dtype', edit((h) => (h.a!.dtype = 'Q4_K')), 'dtype', true],
    ];
    for (const [what, bytes, reason, hubOk] of rows) {
      expect([what, await ours(bytes)]).toEqual([what, reason]);
      expect([what, await hubAccepts(bytes)]).toEqual([what, hubOk]);
    }
  });
});
