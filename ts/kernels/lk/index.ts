import { LK_MIN_EIG_ERR, LK_SWIZZLE_PAIRS, LK_USE_INITIAL_FLOW } from '../../core/formats.js';
import type { FlowPoints } from '../../features/flow-points.js';
import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import type { FlowLevel } from './pyramid.js';
import { isJavaScriptCore } from '../../runtime.js';
import { lkLevelReference, padReference, scharrReference, type LkParams } from './reference.js';

const defaultPairs = isJavaScriptCore() ? 'swizzle' : 'interleave';

/** fk_lk_level's flags for `o` (ts/core/formats.ts): initial flow, min-eigenvalue error, swizzled pairs. */
export function lkFlags(o: LkParams): number {
  return (
    (o.useInitialFlow ? LK_USE_INITIAL_FLOW : 0) |
    (o.minEigErr ? LK_MIN_EIG_ERR : 0) |
    ((o.pairs ?? defaultPairs) === 'swizzle' ? LK_SWIZZLE_PAIRS : 0)
  );
}

/** Pyramidal LK's kernels; arguments already checked (ts/kernels/lk/api.ts). */
export interface LkKernels {
  /** Fills the `pad`-pixel border around a padded plane's interior (reflect-101). */
  pad(img: PlaneLike, pad: number): void;
  /**
   * Whether `level` reads whole-level derivative images: the reference does; the Rust kernel
   * computes each window's Scharr gradients itself, so its pyramids carry none.
   */
  readonly needsDerivatives: boolean;
  /** Interleaved int16 Scharr (dx, dy) of `src` into `deriv` (byte offset), rows `derivStride` int16s apart. */
  scharr(src: PlaneLike, deriv: number, derivStride: number): void;
  /** Tracks every point through one level. */
  level(I: FlowLevel, J: FlowLevel, pts: FlowPoints, level: number, maxLevel: number, o: LkParams): void;
}

/** Binds once: the Rust exports (rust/src/lk) when WASM is loaded, else the references. */
export function bindLk(b: KernelBackend): LkKernels {
  const i16 = new Int16Array(b.heap.buffer);
  const f = b.wasm?.features;
  if (!f) {
    return {
      pad: (img, pad) => padReference(b.heap, img, pad),
      needsDerivatives: true,
      scharr: (src, deriv, stride) => scharrReference(b.heap, i16, src, deriv, stride),
      level: (I, J, pts, level, maxLevel, o) => lkLevelReference(b.heap, i16, I, J, pts, level, maxLevel, o),
    };
  }
  return {
    pad: (img, pad) => f.fk_pad_reflect101(img.ptr, img.width, img.height, img.stride, pad),
    needsDerivatives: false,
    scharr: (src, deriv, stride) => scharrReference(b.heap, i16, src, deriv, stride),
    level: (I, J, pts, level, maxLevel, o) =>
      f.fk_lk_level(
        I.image.ptr,
        I.image.stride,
        J.image.ptr,
        J.image.stride,
        I.image.width,
        I.image.height,
        pts.prev.byteOffset,
        pts.next.byteOffset,
        pts.status.byteOffset,
        pts.err.byteOffset,
        pts.count,
        o.win,
        o.win,
        level,
        maxLevel,
        o.maxCount,
        o.eps,
        o.minEig,
        lkFlags(o),
      ),
  };
}
