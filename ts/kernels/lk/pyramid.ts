import { FramekitError, checkDimension } from '../../errors.js';
import type { PlaneLike } from '../../image/plane.js';
import type { Arena, Region } from '../../memory/arena.js';

/** One level: its image (a view of the interior of a padded plane) and, when kept, its gradients. */
export interface FlowLevel {
  readonly image: PlaneLike;
  /** Byte offset of the interleaved int16 (dx, dy) of pixel (0, 0); 0 without derivatives. */
  readonly deriv: number;
  /** int16s from one derivative row to the next. */
  readonly derivStride: number;
}

/** Pixels of padding each level gets: the window plus the reach of the SIMD steps past it (rust/src/lk). */
export const padFor = (win: number): number => win + 16;

/**
 * The pyramid Lucas-Kanade reads, as OpenCV's buildOpticalFlowPyramid lays it out: levels 0..maxLevel,
 * each image padded on every side (BORDER_REFLECT_101) and, with `derivatives`, its Scharr gradients
 * padded with zeros. Level 0 holds a copy of the frame's gray plane (the padding needs room around
 * it: one copy per frame); levels stop, as OpenCV's do, before a side would be <= the window.
 * Build it once per frame (`fk.buildFlowPyramid`) and track from it as often as needed.
 */
export class FlowPyramid {
  readonly width: number;
  readonly height: number;
  readonly win: number;
  readonly pad: number;
  readonly maxLevel: number;
  readonly derivatives: boolean;
  readonly levels: readonly FlowLevel[];
  readonly regions: readonly Region[];
  /** Set by the build: false until the levels hold a frame. */
  built = false;

  /** Allocates every level's regions (zeroed): call at setup, not per frame. */
  constructor(
    arena: Arena,
    heap: Uint8Array,
    width: number,
    height: number,
    o: { maxLevel?: number; win?: number; derivatives?: boolean } = {},
  ) {
    checkDimension('width', width);
    checkDimension('height', height);
    const win = o.win ?? 21;
    const maxLevel = o.maxLevel ?? 3;
    if (!Number.isInteger(win) || win < 3 || win > 64)
      throw new FramekitError('E_ARGUMENT', `win must be an integer from 3 to 64, got ${String(win)}`);
    if (!Number.isInteger(maxLevel) || maxLevel < 0 || maxLevel > 16)
      throw new FramekitError('E_ARGUMENT', `maxLevel must be an integer from 0 to 16, got ${String(maxLevel)}`);
    this.width = width;
    this.height = height;
    this.win = win;
    this.pad = padFor(win);
    this.derivatives = o.derivatives ?? true;
    const levels: FlowLevel[] = [];
    const regions: Region[] = [];
    let [w, h] = [width, height];
    try {
      for (let l = 0; l <= maxLevel; l++) {
        const p = this.pad;
        const stride = Math.ceil((w + 2 * p) / 16) * 16;
        // 32 bytes of slack: SIMD loads near the last padded row may reach past it.
        const img = arena.alloc(stride * (h + 2 * p) + 32, `flow pyramid level ${l}`);
        regions.push(img);
        heap.fill(0, img.ptr, img.ptr + img.size);
        const image = { ptr: img.ptr + p * stride + p, width: w, height: h, stride, format: 'gray' as const };
        let deriv = 0;
        let derivStride = 0;
        if (this.derivatives) {
          derivStride = 2 * stride;
          const d = arena.alloc(2 * derivStride * (h + 2 * p) + 32, `flow pyramid gradients ${l}`);
          regions.push(d);
          heap.fill(0, d.ptr, d.ptr + d.size);
          deriv = d.ptr + 2 * (p * derivStride + 2 * p);
        }
        levels.push({ image, deriv, derivStride });
        const next = [(w + 1) >> 1, (h + 1) >> 1] as const;
        if (next[0] <= win || next[1] <= win) break;
        [w, h] = next;
      }
    } catch (e) {
      for (const r of regions) arena.free(r);
      throw e;
    }
    this.levels = levels;
    this.regions = regions;
    this.maxLevel = levels.length - 1;
  }

  /** Returns the regions to the arena. */
  free(arena: Arena): void {
    for (const r of this.regions) arena.free(r);
  }
}
