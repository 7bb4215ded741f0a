import { FramekitError } from '../errors.js';
import type { KernelContext } from '../core/context.js';
import type { Arena, Region } from '../memory/arena.js';

/** Bytes of one binary descriptor (256 bits, as ORB's). */
export const DESCRIPTOR_BYTES = 32;

/**
 * Binary descriptors in the shared memory: `count` rows of 32 bytes, packed, in `data` (a view made
 * once over one arena region). Row i describes keypoint i of the list it was computed for.
 */
export class Descriptors {
  readonly capacity: number;
  readonly region: Region;
  readonly data: Uint8Array;
  count = 0;

  /** A list for up to `capacity` 256-bit descriptors in the context's arena. Allocates: call at setup. */
  static alloc(ctx: KernelContext, capacity: number): Descriptors {
    return new Descriptors(ctx.arena, ctx.heap, capacity);
  }

  /** Allocates an arena region: call at setup, not per frame. */
  constructor(arena: Arena, heap: Uint8Array, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 22) {
      throw new FramekitError('E_ARGUMENT', `descriptor capacity must be an integer from 1 to ${1 << 22}, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    this.region = arena.alloc(capacity * DESCRIPTOR_BYTES, `descriptors(${capacity})`);
    this.data = heap.subarray(this.region.ptr, this.region.ptr + capacity * DESCRIPTOR_BYTES);
  }

  /** Row i as lowercase hex (64 characters). Allocates a string: for output. */
  hex(i: number): string {
    let s = '';
    for (let k = 0; k < DESCRIPTOR_BYTES; k++) s += this.data[i * DESCRIPTOR_BYTES + k]!.toString(16).padStart(2, '0');
    return s;
  }
}

/** Throws unless `d` is a descriptor list inside `arena` with a valid count. */
export function checkDescriptors(d: Descriptors, arena: Arena, name: string): void {
  if (!(d instanceof Descriptors) || !arena.contains(d.region.ptr, d.region.size)) {
    throw new FramekitError('E_OUT_OF_BOUNDS', `${name} is not a descriptor list in this framekit's arena`);
  }
  if (!Number.isInteger(d.count) || d.count < 0 || d.count > d.capacity) {
    throw new FramekitError('E_ARGUMENT', `${name}.count must be an integer from 0 to ${d.capacity}, got ${String(d.count)}`);
  }
}
