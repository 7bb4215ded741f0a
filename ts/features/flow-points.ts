import { FramekitError } from '../errors.js';
import type { KernelContext } from '../core/context.js';
import type { Arena, Region } from '../memory/arena.js';

/**
 * Points tracked by Lucas-Kanade, in the shared memory: `prev` (x, y pairs to track), `next` (where
 * they went; read too as the initial guess with `useInitialFlow`), `status` (1 tracked, 0 lost)
 * and `err` (OpenCV's error: mean absolute difference of the windows, or the minimum eigenvalue),
 * as views made once over one arena region. `count` says how many entries are in use.
 */
export class FlowPoints {
  readonly capacity: number;
  readonly region: Region;
  readonly prev: Float32Array;
  readonly next: Float32Array;
  readonly err: Float32Array;
  readonly status: Uint8Array;
  count = 0;

  /** A list for up to `capacity` tracked points in the context's arena. Allocates: call at setup. */
  static alloc(ctx: KernelContext, capacity: number): FlowPoints {
    return new FlowPoints(ctx.arena, ctx.memory, capacity);
  }

  /** Allocates an arena region: call at setup, not per frame. */
  constructor(arena: Arena, memory: WebAssembly.Memory, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) {
      throw new FramekitError('E_ARGUMENT', `flow point capacity must be an integer from 1 to ${1 << 24}, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    const f = Math.ceil(capacity / 4) * 16; // bytes of one f32 per point, a multiple of 16
    this.region = arena.alloc(5 * f + f / 4, `flow points(${capacity})`);
    const p = this.region.ptr;
    this.prev = new Float32Array(memory.buffer, p, 2 * capacity);
    this.next = new Float32Array(memory.buffer, p + 2 * f, 2 * capacity);
    this.err = new Float32Array(memory.buffer, p + 4 * f, capacity);
    this.status = new Uint8Array(memory.buffer, p + 5 * f, capacity);
  }

  /** Sets the points to track from plain numbers (`xy` as x0, y0, x1, y1 ...). */
  setPrev(xy: ArrayLike<number>): this {
    const n = xy.length >> 1;
    if (n > this.capacity)
      throw new FramekitError('E_BUFFER_SIZE', `${n} points do not fit a list of ${this.capacity}`, { expected: this.capacity, actual: n });
    for (let i = 0; i < 2 * n; i++) this.prev[i] = xy[i]!;
    this.count = n;
    return this;
  }
}

/** Throws unless `p` is a flow point list whose region lies inside `arena`. */
export function checkFlowPoints(p: FlowPoints, arena: Arena): void {
  if (!(p instanceof FlowPoints) || !arena.contains(p.region.ptr, p.region.size)) {
    throw new FramekitError('E_OUT_OF_BOUNDS', "points: not a flow point list in this framekit's arena");
  }
  if (!Number.isInteger(p.count) || p.count < 0 || p.count > p.capacity) {
    throw new FramekitError('E_ARGUMENT', `points.count must be an integer from 0 to ${p.capacity}, got ${String(p.count)}`);
  }
}
