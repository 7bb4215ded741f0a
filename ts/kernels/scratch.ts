import type { Framekit } from '../framekit.js';
import type { Region } from '../memory/arena.js';
import { LAYOUT } from '../memory/layout.js';

/*
 * Kernel scratch: ONE arena region per Framekit that the row-buffered kernels (blur, pyramid,
 * gradients) use for their few rows of intermediate sums and their weight tables.
 *
 * Why lazy and grow-only: the need is a few rows of the image, known at the first call. Reserving
 * then, and again only when a wider image arrives, means the frame loop at a steady size never
 * touches the arena. The first call at a new largest width allocates (arena bookkeeping); call
 * `reserveScratch(fk, bytes)` at setup, or run each kernel once at the largest size, to move even
 * that out of the loop. Kernel calls are synchronous, so one region serves every kernel in turn.
 */

interface Held {
  region: Region | null;
  /** i16 view of the whole memory, made once (the memory never grows). */
  readonly i16: Int16Array;
}

const held = new WeakMap<Framekit, Held>();

function heldOf(fk: Framekit): Held {
  let h = held.get(fk);
  if (!h) held.set(fk, (h = { region: null, i16: new Int16Array(fk.memory.buffer) }));
  return h;
}

/** A 16-byte-aligned pointer to at least `bytes` bytes of scratch, valid until the next kernel call. */
export function scratch(fk: Framekit, bytes: number): number {
  const h = heldOf(fk);
  const r = h.region;
  if (r && r.size >= bytes) return r.ptr;
  const next = fk.arena.alloc(Math.max(bytes, 4096), 'kernel scratch');
  if (r) fk.arena.free(r);
  h.region = next;
  return next.ptr;
}

/** Reserves kernel scratch up front so that no later call allocates. Allocates: call it at setup. */
export function reserveScratch(fk: Framekit, bytes: number): void {
  scratch(fk, bytes);
}

/** An Int16Array over the whole memory (made once per Framekit), for writing weight tables. */
export function heap16(fk: Framekit): Int16Array {
  return heldOf(fk).i16;
}

export const align16 = (n: number): number => Math.ceil(n / LAYOUT.alignment) * LAYOUT.alignment;
