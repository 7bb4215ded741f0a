import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { grayReference } from './reference.js';

/** Colour plane to gray plane of the same size; the arguments are already checked. */
export type GrayKernel = (dst: PlaneLike, src: PlaneLike) => void;

/** Picks the implementation once: the WASM export for the source's format, else the reference. */
export function bindGray(b: KernelBackend): GrayKernel {
  const px = b.wasm?.pixels;
  if (!px) return (dst, src) => grayReference(b.heap, dst, src);
  const byFormat = { rgba: px.gray_rgba, bgra: px.gray_bgra, rgb: px.gray_rgb, bgr: px.gray_bgr } as const;
  return (dst, src) => {
    if (src.format === 'gray') grayReference(b.heap, dst, src);
    else byFormat[src.format as keyof typeof byFormat](src.ptr, src.stride, dst.ptr, dst.stride, src.width, src.height);
  };
}
