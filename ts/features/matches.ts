import { FramekitError } from '../errors.js';
import type { KernelContext } from '../core/context.js';
import type { Arena, Region } from '../memory/arena.js';

/**
 * Descriptor matches in the shared memory: `queryIdx[k]` matched `trainIdx[k]` at Hamming
 * distance `distance[k]`, for k < `count`, in query order (views made once over one region).
 */
export class Matches {
  readonly capacity: number;
  readonly region: Region;
  readonly queryIdx: Int32Array;
  readonly trainIdx: Int32Array;
  readonly distance: Int32Array;
  count = 0;

  /** A list for up to `capacity` matches in the context's arena. Allocates: call at setup. */
  static alloc(ctx: KernelContext, capacity: number): Matches {
    return new Matches(ctx.arena, ctx.memory, capacity);
  }

  /** Allocates an arena region: call at setup, not per frame. */
  constructor(arena: Arena, memory: WebAssembly.Memory, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 22) {
      throw new FramekitError('E_ARGUMENT', `match capacity must be an integer from 1 to ${1 << 22}, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    const f = Math.ceil(capacity / 4) * 16;
    this.region = arena.alloc(3 * f, `matches(${capacity})`);
    this.queryIdx = new Int32Array(memory.buffer, this.region.ptr, capacity);
    this.trainIdx = new Int32Array(memory.buffer, this.region.ptr + f, capacity);
    this.distance = new Int32Array(memory.buffer, this.region.ptr + 2 * f, capacity);
  }
}

export function checkMatches(m: Matches, arena: Arena): void {
  if (!(m instanceof Matches) || !arena.contains(m.region.ptr, m.region.size)) {
    throw new FramekitError('E_OUT_OF_BOUNDS', "out is not a match list in this framekit's arena");
  }
}
