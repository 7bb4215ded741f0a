import type { Arena, Region } from '../memory/arena.js';

const regions = new WeakMap<Arena, Region>();

/**
 * Byte offset of a scratch region of at least `bytes` that kernels may overwrite, one per arena,
 * shared by every kernel that needs temporary rows (calls are sequential on one arena).
 * Allocates on the first call and whenever a larger size is asked for: run each kernel once at the
 * largest frame size when setting up, and the frame loop allocates nothing.
 *
 * It is a different region from the image kernels' scratch (ts/kernels/scratch.ts) on purpose: a
 * feature kernel may hold this one across calls to image kernels (pyrDown, blur, resize) that
 * overwrite theirs, and one shared region would let them clobber each other.
 */
export function scratch(arena: Arena, bytes: number): number {
  const have = regions.get(arena);
  if (have && have.size >= bytes) return have.ptr;
  if (have) {
    arena.free(have);
    regions.delete(arena);
  }
  const region = arena.alloc(Math.max(bytes, 16), 'kernel scratch');
  regions.set(arena, region);
  return region.ptr;
}

const views = new WeakMap<ArrayBufferLike, Int32Array>();

/** An Int32Array over the whole memory, made once per memory (it never grows), for reading kernel outputs. */
export function heap32(memory: WebAssembly.Memory): Int32Array {
  let v = views.get(memory.buffer);
  if (!v) views.set(memory.buffer, (v = new Int32Array(memory.buffer)));
  return v;
}
