// Shared by the unit suites: seeded randomness, guarded planes, fixtures, every backend at once.
import { expect, test } from 'bun:test';
import { fileURLToPath } from 'node:url';
import { createFramekit, FramekitError, type Framekit, type FramekitOptions, type PixelFormat, type Plane } from '../../ts/index.js';
import { readImageFile, type DecodedImage } from '../../ts/io/image.js';
import { Plane as PlaneClass, bytesPerPixel, planeSpan } from '../../ts/image/plane.js';

import { loadOpenCV, type CV } from '../../ts/cli/peers.js';

export { loadOpenCV, loadJsfeat, type CV } from '../../ts/cli/peers.js';

/**
 * OpenCV.js for a suite that compares with it, from inside its `describe`: registers the test that
 * fails when OpenCV.js is missing (a development dependency: a failure, never a skip) and returns
 * `{ cv }` (cv undefined then). Inside an object because OpenCV.js's Module is a thenable that never
 * settles when a promise adopts it (ts/cli/peers.ts).
 */
export async function openCV(): Promise<{ cv: CV }> {
  const cv = (await loadOpenCV())?.cv;
  test('OpenCV.js is installed (a development dependency)', () => expect(cv).toBeTruthy());
  return { cv };
}

/** Runs `f`, which must throw a FramekitError, and returns its code (fails the test otherwise). */
export function errorCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(FramekitError);
    return (e as FramekitError).code;
  }
  throw new Error('expected a FramekitError');
}

/** The code of the FramekitError `fn` throws, or 'no error' when it returns; any other error is rethrown. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof FramekitError) return e.code;
    throw e;
  }
  return 'no error';
}

/** mulberry32: a tiny seeded PRNG (as ringbuf.js uses), returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(n: number, seed: number): Uint8Array {
  const r = mulberry32(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 256) | 0;
  return out;
}

/** Fills a plane's pixels (not its row padding) with seeded random bytes. */
export function fillRandom(plane: Plane, seed: number): Plane {
  const row = plane.width * bytesPerPixel(plane.format);
  const r = mulberry32(seed);
  for (let y = 0; y < plane.height; y++) for (let x = 0; x < row; x++) plane.data[y * plane.stride + x] = (r() * 256) | 0;
  return plane;
}

/** The CPU implementations every kernel suite runs over. */
export const BACKENDS = ['reference', 'wasm-scalar', 'wasm-simd'] as const;
export type TestBackend = (typeof BACKENDS)[number];

/** One framekit per backend, same options. */
export async function framekits(o: FramekitOptions = {}): Promise<Array<[TestBackend, Framekit]>> {
  const out: Array<[TestBackend, Framekit]> = [];
  for (const b of BACKENDS) out.push([b, await createFramekit({ arenaBytes: 32 << 20, ...o, backend: b })]);
  return out;
}

const GUARD = 0xa5;

/**
 * A plane inside a larger arena region whose every other byte (`guard` bytes before and after,
 * and the padding between rows) holds 0xA5. `check()` throws if any of them changed: proof that
 * a kernel wrote nowhere outside its destination. `offset` shifts the start off 16-byte alignment.
 */
export function guarded(
  fk: Framekit,
  width: number,
  height: number,
  format: PixelFormat,
  o: { stride?: number; guard?: number; offset?: number } = {},
): { plane: Plane; check: () => void; free: () => void } {
  const bpp = bytesPerPixel(format);
  const stride = o.stride ?? width * bpp;
  const guard = o.guard ?? 64;
  const offset = o.offset ?? 0;
  const span = planeSpan(width, height, stride, format);
  const region = fk.arena.alloc(span + 2 * guard + offset);
  const heap = fk.heap;
  heap.fill(GUARD, region.ptr, region.ptr + region.size);
  const ptr = region.ptr + guard + offset;
  const plane = new PlaneClass(heap, ptr, width, height, stride, format);
  // Pixel bytes start at 0 so that "unchanged" cannot pass by accident for outputs.
  for (let y = 0; y < height; y++) heap.fill(0, ptr + y * stride, ptr + y * stride + width * bpp);
  const check = () => {
    for (let i = region.ptr; i < region.ptr + region.size; i++) {
      const rel = i - ptr;
      const inside = rel >= 0 && rel < span && rel % stride < width * bpp;
      if (!inside && heap[i] !== GUARD) throw new Error(`guard byte at ${rel} (plane-relative) changed to ${heap[i]}`);
    }
  };
  return { plane, check, free: () => fk.arena.free(region) };
}

/**
 * Absolute path of a photograph in test/fixtures/. Tests read photographs only from there (never
 * from outside the repository), so a fresh clone runs every test and a missing file fails.
 */
export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export const PHOTOS = ['camera.png', 'astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg', 'hubble_deep_field.jpg'] as const;

const cache = new Map<string, Promise<DecodedImage>>();
export function fixture(name: string): Promise<DecodedImage> {
  let p = cache.get(name);
  if (!p) cache.set(name, (p = readImageFile(fixturePath(name))));
  return p;
}

/**
 * A gray plane holding `img` converted to luma by the gray kernel (the RGBA copy it goes through is
 * freed); rows `stride` bytes apart, by default allocPlane's.
 */
export function grayOf(fk: Framekit, img: { width: number; height: number; data: Uint8Array }, stride?: number): Plane {
  const rgba = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data);
  const gray = fk.allocPlane(img.width, img.height, 'gray', stride === undefined ? {} : { stride });
  fk.gray(gray, rgba);
  fk.freePlane(rgba);
  return gray;
}

/** The photograph test/fixtures/`name` as a gray plane with rows packed (stride = width). */
export async function grayPhoto(fk: Framekit, name: string): Promise<Plane> {
  const img = await fixture(name);
  return grayOf(fk, img, img.width);
}

/** Row-by-row compare of two planes' pixels; returns the first difference or null. */
export function firstDifference(a: Plane, b: Plane): { x: number; y: number; a: number; b: number } | null {
  const row = a.width * bytesPerPixel(a.format);
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < row; x++) {
      const va = a.data[y * a.stride + x]!;
      const vb = b.data[y * b.stride + x]!;
      if (va !== vb) return { x, y, a: va, b: vb };
    }
  }
  return null;
}
