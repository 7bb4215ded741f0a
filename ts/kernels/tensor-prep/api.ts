import { FramekitError, checkDimension } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import { checkPlane, type PlaneLike } from '../../image/plane.js';
import { tensorGeometry, type FitMode, type TensorGeometry } from './tables.js';

/** A float32 NHWC tensor of `width` x `height` x 3 at byte address `ptr` of framekit's memory. */
export interface TensorTarget {
  readonly ptr: number;
  readonly width: number;
  readonly height: number;
}

export interface ToTensorOptions {
  /** 'letterbox' (default) keeps the aspect ratio with a border of `bias`; 'stretch' fills the tensor. */
  fit?: FitMode;
  /** Each channel value v (0..255) becomes v * scale + bias (default 1 / 127.5 and -1: [-1, 1]). */
  scale?: number;
  bias?: number;
}

/**
 * Resizes an RGBA or BGRA plane (bilinear, pixel centres aligned) into a float32 NHWC RGB tensor
 * that lives in the arena, the input layout of most image models; one pass, no intermediate image.
 * Exact float32 arithmetic (see wasm/tensor.ts): every implementation returns the same bits.
 * Returns the geometry used, to map the model's coordinates back to the image. Allocates nothing
 * once the kernel scratch is as large as this call needs.
 */
export function toTensor(ctx: KernelContext, dst: TensorTarget, src: PlaneLike, o: ToTensorOptions = {}): TensorGeometry {
  if (src.format !== 'rgba' && src.format !== 'bgra') {
    throw new FramekitError('E_FORMAT', `toTensor: src must be an rgba or bgra plane, got ${src.format}`, { format: src.format });
  }
  checkPlane(src, ctx.arena, 'src');
  checkDimension('tensor width', dst.width);
  checkDimension('tensor height', dst.height);
  const bytes = dst.width * dst.height * 12;
  if (!Number.isInteger(dst.ptr) || dst.ptr % 4 !== 0 || !ctx.arena.contains(dst.ptr, bytes)) {
    throw new FramekitError('E_OUT_OF_BOUNDS', `toTensor: the ${bytes}-byte tensor at ${dst.ptr} is not a 4-byte-aligned arena range`, {
      ptr: dst.ptr,
      bytes,
    });
  }
  const srcEnd = src.ptr + (src.height - 1) * src.stride + src.width * 4;
  if (dst.ptr < srcEnd && src.ptr < dst.ptr + bytes) throw new FramekitError('E_ARGUMENT', 'toTensor: the tensor overlaps src');
  const fit = o.fit ?? 'letterbox';
  if (fit !== 'letterbox' && fit !== 'stretch')
    throw new FramekitError('E_ARGUMENT', `toTensor: fit must be 'letterbox' or 'stretch', got ${String(fit)}`);
  const scale = o.scale ?? 1 / 127.5;
  const bias = o.bias ?? -1;
  if (!Number.isFinite(scale) || !Number.isFinite(bias))
    throw new FramekitError('E_ARGUMENT', 'toTensor: scale and bias must be finite numbers');
  const g = tensorGeometry(src.width, src.height, dst.width, dst.height, fit);
  const k = ctx.kernels.tensorPrep;
  const need = k.scratchBytes(g);
  k.run(dst.ptr, src, g, scale, bias, need > 0 ? ctx.scratch.take(need) : 0);
  return g;
}
