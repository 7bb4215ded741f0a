import { FramekitError } from '../errors.js';
import type { KernelContext } from '../core/context.js';
import type { Arena, Region } from '../memory/arena.js';

/** Float32 (or int32) fields of a keypoint list, one array each, in this order inside the region. */
const FIELDS = ['x', 'y', 'response', 'angle', 'size', 'octave'] as const;

/**
 * A list of keypoints in the shared memory, as one array per field (x, y, response, angle, size,
 * octave) over one arena region: kernels write them in place and callers read them as typed-array
 * views made once, here. `count` says how many entries are valid; `found` how many the detector
 * found, which is more than `count` when `capacity` cut the list (kernels keep the first `capacity`
 * in their output order).
 *
 * Fields follow OpenCV's KeyPoint: `angle` in degrees, -1 when not computed; `size` is the
 * diameter of the neighbourhood; `octave` the pyramid level.
 */
export class Keypoints {
  readonly capacity: number;
  readonly region: Region;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly response: Float32Array;
  readonly angle: Float32Array;
  readonly size: Float32Array;
  readonly octave: Int32Array;
  count = 0;
  found = 0;

  /** A keypoint list for up to `capacity` keypoints in the context's arena. Allocates: call at setup. */
  static alloc(ctx: KernelContext, capacity: number): Keypoints {
    return new Keypoints(ctx.arena, ctx.memory, capacity);
  }

  /** Allocates an arena region: call at setup, not per frame. */
  constructor(arena: Arena, memory: WebAssembly.Memory, capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > 1 << 24) {
      throw new FramekitError('E_ARGUMENT', `keypoint capacity must be an integer from 1 to ${1 << 24}, got ${String(capacity)}`);
    }
    this.capacity = capacity;
    const stride = Math.ceil(capacity / 4) * 16; // bytes per field, a multiple of 16
    this.region = arena.alloc(stride * FIELDS.length, `keypoints(${capacity})`);
    const at = (i: number) => this.region.ptr + i * stride;
    this.x = new Float32Array(memory.buffer, at(0), capacity);
    this.y = new Float32Array(memory.buffer, at(1), capacity);
    this.response = new Float32Array(memory.buffer, at(2), capacity);
    this.angle = new Float32Array(memory.buffer, at(3), capacity);
    this.size = new Float32Array(memory.buffer, at(4), capacity);
    this.octave = new Int32Array(memory.buffer, at(5), capacity);
  }

  /** Byte offset of a field's array in the shared memory (what WASM kernels take). */
  ptr(field: (typeof FIELDS)[number]): number {
    return this.region.ptr + FIELDS.indexOf(field) * Math.ceil(this.capacity / 4) * 16;
  }

  /** Plain objects for the first `count` keypoints. Allocates: for output and tests, not the frame loop. */
  toArray(): Array<{ x: number; y: number; response: number; angle: number; size: number; octave: number }> {
    const out = [];
    for (let i = 0; i < this.count; i++) {
      out.push({
        x: this.x[i]!,
        y: this.y[i]!,
        response: this.response[i]!,
        angle: this.angle[i]!,
        size: this.size[i]!,
        octave: this.octave[i]!,
      });
    }
    return out;
  }
}

/** Throws unless `k` is a keypoint list whose region lies inside `arena`. */
export function checkKeypoints(k: Keypoints, arena: Arena, name = 'keypoints'): void {
  if (!(k instanceof Keypoints) || !arena.contains(k.region.ptr, k.region.size)) {
    throw new FramekitError('E_OUT_OF_BOUNDS', `${name} is not a keypoint list in this framekit's arena`);
  }
}
