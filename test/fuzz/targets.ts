// The parsers and decoders framekit owns or wraps, each as a fuzz target: mutated real files go in,
// and every case must end in valid output or a typed FramekitError, within a time cap, writing
// nothing outside its destination and leaving the arena's accounting as it was.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FramekitError } from '../../ts/errors.js';
import type { Framekit } from '../../ts/framekit.js';
import { decodeImage, type DecodedImage } from '../../ts/io/image.js';
import { decodePnm, encodePnm } from '../../ts/io/pnm.js';
import { parsePoints } from '../../ts/io/points.js';
import { openY4M } from '../../ts/io/video.js';
import { SafetensorsFile } from '../../ts/models/safetensors/file.js';
import { DTYPE_BITS } from '../../ts/models/safetensors/header.js';
import { MIXED, writeSafetensors } from '../helpers/safetensors.js';
import { GENERIC, jpegLyingHeader, jsonLie, pngLyingHeader, rng, safetensorsLie, textHeaderLie, type Mutation } from './mutate.js';

// From dist/test/fuzz/ (the compiled copy that bench/reliability.ts imports under Node) too.
const FIXTURES = fileURLToPath(
  new URL(import.meta.url.includes('/dist/test/') ? '../../../test/fixtures/' : '../fixtures/', import.meta.url),
);

export type Outcome = 'ok' | `error:${string}` | 'crash' | 'slow' | 'stray-write' | 'leak' | 'invalid-output';

/** A failing outcome: anything but valid output or a typed error. */
export const isFailure = (o: Outcome) => o === 'crash' || o === 'slow' || o === 'stray-write' || o === 'leak' || o === 'invalid-output';

export interface Target {
  name: string;
  seeds: Uint8Array[];
  mutations: Mutation[];
  /** Runs one input; returns 'ok' for valid output or throws. */
  run(bytes: Uint8Array, fk: Framekit): Promise<'ok' | 'invalid-output' | 'stray-write'>;
}

function validImage(img: DecodedImage): boolean {
  const bpp = img.format === 'rgba' ? 4 : img.format === 'rgb' ? 3 : 1;
  return (
    Number.isInteger(img.width) &&
    Number.isInteger(img.height) &&
    img.width > 0 &&
    img.height > 0 &&
    img.data.length === img.width * img.height * bpp
  );
}

/** What the CLI does with a decoded image: a plane in the arena, filled, freed. Too large: a typed error. */
function intoArena(fk: Framekit, img: DecodedImage): void {
  const fmt = img.format === 'rgb' ? 'rgba' : img.format;
  const p = fk.allocPlane(img.width, img.height, fmt);
  try {
    if (img.format !== 'rgb') p.data.set(img.data.subarray(0, p.data.length));
  } finally {
    fk.freePlane(p);
  }
}

const imageTarget = (name: string, files: string[], extra: Mutation[]): Target => ({
  name,
  seeds: files.map((f) => new Uint8Array(readFileSync(join(FIXTURES, f)))),
  mutations: [...GENERIC, ...extra],
  async run(bytes, fk) {
    const img = decodeImage(bytes, name, { maxPixels: MAX_PIXELS_HERE });
    if (!validImage(img)) return 'invalid-output';
    intoArena(fk, img);
    return 'ok';
  },
});

function pnmSeeds(): Uint8Array[] {
  const gray = decodeImage(new Uint8Array(readFileSync(join(FIXTURES, 'camera.png'))));
  const g = new Uint8Array(gray.width * gray.height);
  for (let i = 0; i < g.length; i++) g[i] = gray.data[4 * i]!;
  const c = decodeImage(new Uint8Array(readFileSync(join(FIXTURES, 'chelsea.png'))));
  const rgb = new Uint8Array(c.width * c.height * 3);
  for (let i = 0; i < c.width * c.height; i++) rgb.set(c.data.subarray(4 * i, 4 * i + 3), 3 * i);
  return [
    encodePnm({ width: gray.width, height: gray.height, format: 'gray', data: g }),
    encodePnm({ width: c.width, height: c.height, format: 'rgb', data: rgb }),
  ];
}

function y4mSeed(w: number, h: number, frames: number, params = ''): Uint8Array {
  const cw = (w + 1) >> 1;
  const ch = (h + 1) >> 1;
  const fb = w * h + 2 * cw * ch;
  const head = new TextEncoder().encode(`YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\n`);
  const tag = new TextEncoder().encode(`FRAME${params}\n`);
  const out = new Uint8Array(head.length + frames * (tag.length + fb));
  out.set(head);
  let o = head.length;
  const r = rng(w * 131 + h);
  for (let f = 0; f < frames; f++) {
    out.set(tag, o);
    o += tag.length;
    for (let i = 0; i < fb; i++) out[o + i] = Math.floor(r() * 256);
    o += fb;
  }
  return out;
}

const GUARD = 32;
/** What the fuzzing Framekit's memory holds (1024 x 1024 frames): larger claims are refused up front. */
const MAX_PIXELS_HERE = 1024 * 1024;

export function targets(): Array<Target & { cleanup(): void }> {
  const tmp = mkdtempSync(join(tmpdir(), 'fk-fuzz-'));
  let n = 0;
  const list: Target[] = [
    imageTarget('png', ['camera.png', 'chelsea.png'], [pngLyingHeader, pngLyingHeader]),
    imageTarget('jpeg', ['rocket.jpg'], [jpegLyingHeader, jpegLyingHeader]),
    {
      name: 'pnm',
      seeds: pnmSeeds(),
      mutations: [...GENERIC, textHeaderLie(/(\d+)/g, 16), textHeaderLie(/(\d+)/g, 16)],
      async run(bytes, fk) {
        const img = decodePnm(bytes, MAX_PIXELS_HERE);
        if (!validImage(img)) return 'invalid-output';
        intoArena(fk, img);
        return 'ok';
      },
    },
    {
      name: 'y4m',
      seeds: [y4mSeed(64, 48, 3), y4mSeed(33, 17, 2, ' Ixyz'), y4mSeed(2, 2, 4)],
      mutations: [...GENERIC, textHeaderLie(/[WH](\d+)/g, 40), textHeaderLie(/[WH](\d+)/g, 40)],
      async run(bytes) {
        const path = join(tmp, `case${n++ % 8}.y4m`);
        writeFileSync(path, bytes);
        const v = await openY4M(path, { maxPixels: MAX_PIXELS_HERE });
        try {
          const fb = v.info.frameBytes;
          if (!(fb > 0 && fb === v.info.width * v.info.height + 2 * Math.ceil(v.info.width / 2) * Math.ceil(v.info.height / 2)))
            return 'invalid-output';
          const buf = new Uint8Array(fb + 2 * GUARD).fill(0xa5);
          const dst = buf.subarray(GUARD, GUARD + fb);
          for (let frames = 0; frames < 64 && (await v.readFrame(dst)); frames++);
          for (let i = 0; i < GUARD; i++) if (buf[i] !== 0xa5 || buf[buf.length - 1 - i] !== 0xa5) return 'stray-write';
          return 'ok';
        } finally {
          await v.close();
        }
      },
    },
    {
      name: 'points-json',
      seeds: [
        new TextEncoder().encode(
          JSON.stringify([
            { x: 1, y: 2 },
            { x: 10.5, y: -3 },
            { x: 1e3, y: 0 },
          ]),
        ),
        new TextEncoder().encode('[{"x":0,"y":0}]'),
      ],
      mutations: [...GENERIC, jsonLie, jsonLie, jsonLie],
      async run(bytes) {
        const xy = parsePoints(new TextDecoder().decode(bytes), 'points.json');
        return xy.length % 2 === 0 && xy.every(Number.isFinite) ? 'ok' : 'invalid-output';
      },
    },
    {
      name: 'safetensors',
      seeds: [
        writeSafetensors(MIXED, { metadata: { format: 'pt', note: 'seed' } }),
        writeSafetensors(MIXED.slice(0, 4), { align: 1, seed: 3 }),
        writeSafetensors([{ name: 'w', dtype: 'F32', shape: [2, 2] }]),
      ],
      mutations: [...GENERIC, safetensorsLie, safetensorsLie, safetensorsLie],
      run: runSafetensors,
    },
  ];
  return list.map((t) => ({ ...t, cleanup: () => rmSync(tmp, { recursive: true, force: true }) }));
}

/**
 * A tensor file from memory: the header checked, then every tensor read, checked against the
 * file's bytes and copied into the arena between guard bytes (the region the copy will take is
 * learned from a probe allocation first: the arena is first fit, so the copy lands there).
 */
async function runSafetensors(bytes: Uint8Array, fk: Framekit): Promise<'ok' | 'invalid-output' | 'stray-write'> {
  const f = await SafetensorsFile.open(bytes);
  try {
    return await checkTensors(f, bytes, fk);
  } finally {
    await f.close();
  }
}

async function checkTensors(f: SafetensorsFile, bytes: Uint8Array, fk: Framekit): Promise<'ok' | 'invalid-output' | 'stray-write'> {
  const ctx = fk.context;
  const heap = ctx.heap;
  let end = f.header.dataStart;
  for (const t of f.tensors) {
    if (t.offset !== end || t.byteLength * 8 !== t.elements * DTYPE_BITS[t.dtype]) return 'invalid-output';
    end += t.byteLength;
    const raw = await f.bytes(t.name);
    const a = await f.array(t.name);
    if (
      a.byteLength !== t.byteLength ||
      !sameBytes(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), bytes.subarray(t.offset, t.offset + t.byteLength))
    )
      return 'invalid-output';
    if (raw.length !== t.byteLength) return 'invalid-output';
    const below = ctx.arena.alloc(GUARD, 'guard');
    const probe = ctx.arena.alloc(t.byteLength + GUARD, 'probe');
    const at = probe.ptr;
    ctx.arena.free(probe);
    heap.fill(0xa5, below.ptr, below.ptr + GUARD);
    heap.fill(0xa5, at, at + probe.size);
    try {
      const copy = await f.toArena(ctx, t.name);
      try {
        if (copy.region.ptr !== at || !sameBytes(heap.subarray(at, at + t.byteLength), raw)) return 'invalid-output';
        for (let i = at + t.byteLength; i < at + probe.size; i++) if (heap[i] !== 0xa5) return 'stray-write';
        for (let i = below.ptr; i < below.ptr + GUARD; i++) if (heap[i] !== 0xa5) return 'stray-write';
      } finally {
        f.free(ctx, copy);
      }
    } finally {
      ctx.arena.free(below);
    }
  }
  return end === bytes.length ? 'ok' : 'invalid-output';
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface FuzzReport {
  target: string;
  cases: number;
  seed: number;
  outcomes: Record<string, number>;
  failures: Array<{ case: number; kind: string; outcome: Outcome; message: string }>;
  maxCaseMs: number;
}

/**
 * Runs `cases` mutated inputs through `t` (case i uses seed + i: any failure replays alone), each
 * under `capMs`. Counts outcomes by type; a failure keeps its case number, mutation and message.
 */
export async function fuzz(t: Target, fk: Framekit, cases: number, seed: number, capMs = 2000): Promise<FuzzReport> {
  const outcomes: Record<string, number> = {};
  const failures: FuzzReport['failures'] = [];
  let maxCaseMs = 0;
  for (let i = 0; i < cases; i++) {
    const r = rng(seed + i);
    const src = t.seeds[Math.floor(r() * t.seeds.length)]!;
    const m = t.mutations[Math.floor(r() * t.mutations.length)]!;
    // Some cases stack two mutations.
    let { bytes, kind } = m(src, r);
    if (r() < 0.25) {
      const second = t.mutations[Math.floor(r() * t.mutations.length)]!(bytes, r);
      bytes = second.bytes;
      kind += ` + ${second.kind}`;
    }
    const before = fk.info().memory.arena;
    const t0 = performance.now();
    let outcome: Outcome;
    let message = '';
    try {
      outcome = await t.run(bytes, fk);
    } catch (e) {
      if (e instanceof FramekitError) outcome = `error:${e.code}`;
      else {
        outcome = 'crash';
        message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      }
    }
    const ms = performance.now() - t0;
    maxCaseMs = Math.max(maxCaseMs, ms);
    if (ms > capMs && !isFailure(outcome)) {
      outcome = 'slow';
      message = `${ms.toFixed(0)} ms`;
    }
    const after = fk.info().memory.arena;
    if (after.bytesInUse !== before.bytesInUse || after.regions !== before.regions) {
      outcome = 'leak';
      message = `arena ${before.bytesInUse} -> ${after.bytesInUse} bytes`;
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (isFailure(outcome)) failures.push({ case: seed + i, kind, outcome, message });
  }
  return { target: t.name, cases, seed, outcomes, failures, maxCaseMs: +maxCaseMs.toFixed(1) };
}
