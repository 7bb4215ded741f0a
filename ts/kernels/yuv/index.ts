import type { PlaneLike } from '../../image/plane.js';
import type { KernelBackend } from '../backend.js';
import { yuvReference } from './reference.js';

/**
 * YUV 4:2:0 to RGBA; the arguments are already checked. Chroma as byte offsets and strides, so NV12's
 * V (one byte after U) needs no plane object: uStep 1 for I420, 2 for NV12.
 */
export type YuvKernel = (dst: PlaneLike, y: PlaneLike, u: number, uStride: number, v: number, vStride: number, uStep: number) => void;

/** Picks the implementation once: wasm/yuv.ts, else the reference. */
export function bindYuv(b: KernelBackend): YuvKernel {
  const px = b.wasm?.pixels;
  if (!px) return (dst, y, u, us, v, vs, uStep) => yuvReference(b.heap, dst, y, u, us, v, vs, uStep);
  return (dst, y, u, us, v, vs, uStep) => px.yuv420_to_rgba(y.ptr, y.stride, u, us, v, vs, uStep, dst.ptr, dst.stride, y.width, y.height);
}
