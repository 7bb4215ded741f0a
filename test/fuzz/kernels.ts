// Kernel argument fuzzing: random planes (sizes, strides, offsets, formats, pointers outside the
// arena, source and destination overlapping) and random options (negative, NaN, huge) into the
// public kernels, on every backend at once. Each case must end in the same typed error on every
// backend, with nothing written, or in results equal to the reference's, with every byte outside
// the destination untouched.
import { FramekitError } from '../../ts/errors.js';
import type { Framekit } from '../../ts/framekit.js';
import type { PixelFormat, PlaneLike } from '../../ts/image/plane.js';
import type { Keypoints } from '../../ts/features/keypoints.js';
import { rng } from './mutate.js';

const BPP: Record<string, number> = { rgba: 4, bgra: 4, rgb: 3, bgr: 3, gray: 1, i16: 2, i32: 4, f64: 8 };
const FORMATS = Object.keys(BPP) as PixelFormat[];

/** Bytes of the block every case's planes live in, and the untouchable margin on each side. */
export const BLOCK = 96 * 1024;
export const MARGIN = 256;

interface Env {
  fk: Framekit;
  heap: () => Uint8Array;
  /** Start of the block (after the leading margin). */
  base: number;
  keypoints: Keypoints;
}

/** Sets up one backend: a block with margins and a keypoint list, at the same addresses on every backend. */
export function envOf(fk: Framekit): Env {
  const region = fk.arena.alloc(BLOCK + 2 * MARGIN);
  const keypoints = fk.allocKeypoints(256);
  return { fk, heap: () => new Uint8Array(fk.memory.buffer), base: region.ptr + MARGIN, keypoints };
}

type R = () => number;
const int = (r: R, n: number) => Math.floor(r() * n);
const pick = <T>(r: R, a: readonly T[]): T => a[int(r, a.length)]!;

/** A dimension: mostly small and valid, sometimes hostile. */
function dim(r: R): number {
  if (r() < 0.85) return 1 + int(r, 70);
  return pick(r, [0, -1, -65, NaN, 1.5, Infinity, 1 << 16, (1 << 16) + 1, 2 ** 31, 1e300]);
}

interface PlaneSpec {
  width: number;
  height: number;
  format: PixelFormat;
  stride: number;
  /** Offset from the block start, or an absolute hostile pointer. */
  offset: number;
  absolute: boolean;
}

function planeSpec(r: R, format: PixelFormat, like?: { width: number; height: number }): PlaneSpec {
  const width = like && r() < 0.75 ? like.width : dim(r);
  const height = like && r() < 0.75 ? like.height : dim(r);
  const fmt = r() < 0.85 ? format : pick(r, [...FORMATS, 'yuv' as PixelFormat]);
  const row = width * (BPP[fmt] ?? 1);
  const stride = r() < 0.85 ? row + pick(r, [0, 0, 1, 3, 16, 64]) : pick(r, [row - 1, 0, -row, NaN, 2.5, 1 << 30]);
  const abs = r() < 0.05;
  const offset = abs ? pick(r, [-16, -1, 2 ** 31, 2 ** 32, NaN, 0.5, 1e12]) : int(r, BLOCK / 2) + (r() < 0.3 ? int(r, 16) : 0);
  return { width, height, format: fmt, stride, offset, absolute: abs };
}

function planeOf(e: Env, s: PlaneSpec): PlaneLike {
  return { ptr: s.absolute ? s.offset : e.base + s.offset, width: s.width, height: s.height, stride: s.stride, format: s.format };
}

/** Byte ranges a plane's pixels cover, relative to the block start (for the untouched-bytes check). */
function rowsOf(e: Env, p: PlaneLike): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const bpp = BPP[p.format] ?? 1;
  if (!Number.isInteger(p.height) || p.height <= 0 || p.height > 1 << 16) return out;
  for (let y = 0; y < p.height; y++) {
    const s = p.ptr - e.base + y * p.stride;
    out.push([s, s + p.width * bpp]);
  }
  return out;
}

interface Case {
  kernel: string;
  planes: PlaneSpec[];
  args: unknown[];
  /** Which planes the kernel may write (indices into planes). */
  writes: number[];
}

/** Mostly a valid option, sometimes a hostile one. */
const opt = <T>(r: R, valid: readonly T[], hostile: readonly T[]): T => (r() < 0.8 ? pick(r, valid) : pick(r, hostile));
const ksize = (r: R) => opt(r, [1, 3, 5, 7, 9, 31], [0, -1, 2, 4, NaN, 255, 1e9]);
const sigma = (r: R) => opt(r, [0, 0.3, 1.2, 5], [-1, NaN, Infinity, 1e9]);

export function makeCase(r: R): Case {
  const src = (f: PixelFormat) => planeSpec(r, f);
  const kernel = pick(r, [
    'gray',
    'gaussianBlur',
    'boxBlur',
    'pyrDown',
    'sobel',
    'integral',
    'equalizeHist',
    'threshold',
    'resize',
    'histogram',
    'fast',
    'planeSum',
  ]);
  const s = src(kernel === 'gray' ? pick(r, ['rgba', 'bgra', 'rgb', 'bgr', 'gray'] as PixelFormat[]) : 'gray');
  const same = { width: s.width, height: s.height };
  switch (kernel) {
    case 'gray':
      return { kernel, planes: [planeSpec(r, 'gray', same), s], args: [], writes: [0] };
    case 'gaussianBlur':
      return { kernel, planes: [planeSpec(r, 'gray', same), s], args: [ksize(r), sigma(r), ksize(r), sigma(r)], writes: [0] };
    case 'boxBlur':
      return { kernel, planes: [planeSpec(r, 'gray', same), s], args: [ksize(r), ksize(r)], writes: [0] };
    case 'pyrDown':
      return {
        kernel,
        planes: [planeSpec(r, 'gray', { width: (s.width + 1) >> 1, height: (s.height + 1) >> 1 }), s],
        args: [],
        writes: [0],
      };
    case 'sobel':
      return {
        kernel,
        planes: [planeSpec(r, 'i16', same), s],
        args: [opt(r, [0, 1, 2], [-1, NaN, 3]), opt(r, [0, 1, 2], [3, -2]), opt(r, [-1, 1, 3, 5, 7], [2, NaN, 9])],
        writes: [0],
      };
    case 'integral':
      return { kernel, planes: [planeSpec(r, 'i32', { width: s.width + 1, height: s.height + 1 }), s], args: [], writes: [0] };
    case 'equalizeHist':
      return { kernel, planes: [planeSpec(r, 'gray', same), s], args: [], writes: [0] };
    case 'threshold':
      return {
        kernel,
        planes: [planeSpec(r, 'gray', same), s],
        args: [
          opt(r, [0, 127, 254.5, 255], [-1, 300, NaN]),
          opt(r, [255, 1, 0], [-5, 256, NaN]),
          opt(r, ['binary', 'binary_inv'], ['otsu', '']),
        ],
        writes: [0],
      };
    case 'resize': {
      const to = {
        width: pick(r, [1, (s.width + 1) >> 1, s.width, s.width * 2, 37]),
        height: pick(r, [1, (s.height + 1) >> 1, s.height, s.height * 2, 29]),
      };
      return { kernel, planes: [planeSpec(r, 'gray', to), s], args: [opt(r, ['linear', 'area'], ['cubic', ''])], writes: [0] };
    }
    case 'fast':
      return { kernel, planes: [s], args: [{ threshold: opt(r, [0, 10, 20, 255], [-1, 256, 7.5, NaN]), nonmax: r() < 0.7 }], writes: [] };
    default:
      return { kernel, planes: [s], args: [], writes: [] };
  }
}

/** Runs the case on one backend; returns what it did: an error code, or its outputs as bytes. */
export function runOn(e: Env, c: Case, fill: Uint8Array): { error: string | null; result: unknown; stray: string | null } {
  const h = e.heap();
  const start = e.base - MARGIN;
  h.set(fill, start);
  const planes = c.planes.map((s) => planeOf(e, s));
  const fk = e.fk as unknown as Record<string, (...a: unknown[]) => unknown>;
  let error: string | null = null;
  let result: unknown = null;
  try {
    if (c.kernel === 'fast') {
      fk.fast!.call(e.fk, e.keypoints, planes[0], ...c.args);
      const k = e.keypoints;
      result = {
        count: k.count,
        x: Array.from(k.x.subarray(0, k.count)),
        y: Array.from(k.y.subarray(0, k.count)),
        r: Array.from(k.response.subarray(0, k.count)),
      };
    } else {
      const out = fk[c.kernel]!.call(e.fk, ...planes, ...c.args);
      result =
        typeof out === 'bigint' ? out.toString() : out instanceof Uint32Array ? Array.from(out) : typeof out === 'number' ? out : null;
    }
  } catch (err) {
    if (!(err instanceof FramekitError)) throw err;
    error = err.code;
  }
  // Every byte of the block and its margins outside what the kernel may write must be as filled.
  const after = e.heap().subarray(start, start + fill.length);
  const writable = new Uint8Array(fill.length);
  if (!error)
    for (const i of c.writes)
      for (const [a, b] of rowsOf(e, planes[i]!)) writable.fill(1, Math.max(0, a + MARGIN), Math.min(fill.length, b + MARGIN));
  let stray: string | null = null;
  for (let i = 0; i < fill.length; i++) {
    if (!writable[i] && after[i] !== fill[i]) {
      stray = `byte ${i - MARGIN} of the block changed (${fill[i]} -> ${after[i]})${error ? ` although the call failed with ${error}` : ''}`;
      break;
    }
  }
  // A plane that runs past the block reads arena bytes the case did not fill (other backends' scratch):
  // such a call must still fail alike or write nowhere else, but its output is not comparable.
  const comparable = planes.every((p) => inBlock(e, p));
  return {
    error,
    result: error ? null : comparable ? { result, bytes: Array.from(after.filter((_, i) => writable[i] === 1)) } : 'outside the block',
    stray,
  };
}

function inBlock(e: Env, p: PlaneLike): boolean {
  const span = (p.height - 1) * p.stride + p.width * (BPP[p.format] ?? 1);
  return p.ptr >= e.base && p.ptr + span <= e.base + BLOCK;
}

export interface KernelFuzzReport {
  cases: number;
  seed: number;
  /** Outcomes by kernel: ok or error code, counted. */
  outcomes: Record<string, Record<string, number>>;
  failures: Array<{ case: number; kernel: string; problem: string }>;
}

/** Runs `cases` random calls on every backend; the first backend is the reference. */
export function fuzzKernels(fks: Array<[string, Framekit]>, cases: number, seed: number): KernelFuzzReport {
  const envs = fks.map(([name, fk]) => [name, envOf(fk)] as const);
  const outcomes: KernelFuzzReport['outcomes'] = {};
  const failures: KernelFuzzReport['failures'] = [];
  for (let i = 0; i < cases; i++) {
    const r = rng(seed + i);
    const c = makeCase(r);
    const fill = new Uint8Array(BLOCK + 2 * MARGIN);
    for (let j = 0; j < fill.length; j += 4) {
      const v = (r() * 4294967296) >>> 0;
      fill[j] = v;
      fill[j + 1] = v >>> 8;
      fill[j + 2] = v >>> 16;
      fill[j + 3] = v >>> 24;
    }
    let ref: ReturnType<typeof runOn> | null = null;
    for (const [name, e] of envs) {
      let got: ReturnType<typeof runOn>;
      try {
        got = runOn(e, c, fill);
      } catch (err) {
        failures.push({ case: seed + i, kernel: c.kernel, problem: `${name}: untyped ${(err as Error).name}: ${(err as Error).message}` });
        break;
      }
      if (got.stray) failures.push({ case: seed + i, kernel: c.kernel, problem: `${name}: ${got.stray}` });
      if (!ref) {
        ref = got;
        const key = got.error ?? (got.result === 'outside the block' ? 'ok (not compared: past the block)' : 'ok');
        (outcomes[c.kernel] ??= {})[key] = (outcomes[c.kernel]![key] ?? 0) + 1;
        continue;
      }
      if (got.error !== ref.error)
        failures.push({
          case: seed + i,
          kernel: c.kernel,
          problem: `${name}: ${got.error ?? 'ok'} where the reference gave ${ref.error ?? 'ok'}`,
        });
      else if (!got.error && JSON.stringify(got.result) !== JSON.stringify(ref.result))
        failures.push({ case: seed + i, kernel: c.kernel, problem: `${name}: output differs from the reference` });
    }
  }
  return { cases, seed, outcomes, failures };
}
