import { FramekitError } from '../errors.js';
import { Plane } from '../image/plane.js';
import { HANDLE_INDEX_BITS } from './frame.js';
import type { FramePoolLayout } from './pool.js';

/**
 * A pool's frames as another thread sees them: the same shared memory, the pool's `layout`, and
 * the handles a FrameRing brings. Planes and views are made once here; `pixels(handle)` and the
 * rest allocate nothing.
 *
 * Only the pool's thread acquires and releases. A consumer thread hands each handle back (a
 * second FrameRing is the usual way) and the pool's thread releases it; until then the frame
 * cannot be recycled under the consumer, except under 'drop-oldest', where `isLive` tells a
 * consumer that its frame was taken back (a check, not a lock).
 */
export class SharedFrames {
  readonly layout: FramePoolLayout;
  readonly #live: Int32Array;
  readonly #pixels: Plane[] = [];
  readonly #gray: Plane[] = [];
  readonly #bytes: Array<Map<string, Uint8Array>> = [];

  /** `buffer` is the shared memory's buffer (`fk.memory.buffer`, posted to this thread). */
  constructor(buffer: ArrayBufferLike, layout: FramePoolLayout) {
    this.layout = layout;
    const heap = new Uint8Array(buffer);
    this.#live = new Int32Array(buffer, layout.liveHandlesPtr, layout.size);
    const pix = layout.parts.find((p) => p.name === 'pixels');
    const gray = layout.parts.find((p) => p.name === 'gray');
    if (!pix || !gray) throw new FramekitError('E_ARGUMENT', 'the layout has no pixels or gray part');
    for (const base of layout.slotPtrs) {
      if (base + pix.offset + pix.bytes > heap.length) throw new FramekitError('E_OUT_OF_BOUNDS', 'the layout does not fit this buffer');
      this.#pixels.push(new Plane(heap, base + pix.offset, layout.width, layout.height, layout.stride, layout.format));
      this.#gray.push(new Plane(heap, base + gray.offset, layout.width, layout.height, layout.width, 'gray'));
      const m = new Map<string, Uint8Array>();
      for (const p of layout.parts) m.set(p.name, heap.subarray(base + p.offset, base + p.offset + p.bytes));
      this.#bytes.push(m);
    }
  }

  /** True while the frame `handle` names is live in that generation. */
  isLive(handle: number): boolean {
    const i = handle & ((1 << HANDLE_INDEX_BITS) - 1);
    return i < this.layout.size && Atomics.load(this.#live, i) === handle;
  }

  /** The frame's pixels; E_STATE when the handle is stale. */
  pixels(handle: number): Plane {
    return this.#pixels[this.#index(handle)]!;
  }

  /** The frame's gray region (filled when the pool's thread ran `frame.gray()`); E_STATE when stale. */
  gray(handle: number): Plane {
    return this.#gray[this.#index(handle)]!;
  }

  /** A byte view over part `name` of the frame's slot (a user slot, or a kernel's region); E_STATE when stale. */
  bytes(handle: number, name: string): Uint8Array {
    const b = this.#bytes[this.#index(handle)]!.get(name);
    if (b === undefined) throw new FramekitError('E_ARGUMENT', `frames have no region ${JSON.stringify(name)}`, { name });
    return b;
  }

  #index(handle: number): number {
    if (!this.isLive(handle)) throw new FramekitError('E_STATE', `handle ${handle} is stale or not from this pool`, { handle });
    return handle & ((1 << HANDLE_INDEX_BITS) - 1);
  }
}
