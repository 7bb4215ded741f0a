import type { KernelContext } from '../core/context.js';
import { checkDimension } from '../errors.js';

/** `capacity` interleaved x, y f32 point slots in the arena (free with freePoints). Allocates: call at setup. */
export function allocPoints(ctx: KernelContext, capacity: number): Float32Array {
  checkDimension('capacity', capacity, 1 << 24);
  return new Float32Array(ctx.memory.buffer, ctx.arena.alloc(capacity * 8, `points(${capacity})`).ptr, 2 * capacity);
}

/** Returns the region of an allocPoints() array to the arena. */
export function freePoints(ctx: KernelContext, points: Float32Array): void {
  ctx.arena.free({ ptr: points.byteOffset, size: points.byteLength });
}
