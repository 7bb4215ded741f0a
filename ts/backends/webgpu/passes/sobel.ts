import { FramekitError } from '../../../errors.js';
import { dispatch, type Dispatch, type GpuPlane } from '../pass.js';
import type { GpuPool } from '../pool.js';

/** The 3-tap kernels of Sobel ksize 3: derivative [-1 0 1], smoothing [1 2 1]. */
const DERIV = [-1, 0, 1, 0];
const SMOOTH = [1, 2, 1, 0];

/** A kernel of 1 or 3 taps as the shader's three (centred), or null when it has another length. */
function threeTaps(k: ArrayLike<number>): number[] | null {
  if (k.length === 1) return [0, k[0]!, 0, 0];
  if (k.length === 3) return [k[0]!, k[1]!, k[2]!, 0];
  return null;
}

/**
 * shaders/sobel.wgsl: a separable 3x3 integer derivative, gray to int16, bit-exact with OpenCV's
 * Sobel to CV_16S. Without `kernels`: Sobel ksize 3, dx=1 dy=0 or dx=0 dy=1. With `kernels`
 * (ts/kernels/sobel's derivPlan: 1- or 3-tap kx along rows, ky along columns) any Sobel of ksize 1 or
 * 3 and Scharr; the caller guarantees the results fit int16, as derivPlan checks.
 */
export class SobelPass {
  readonly #run: Dispatch;
  readonly params: GPUBuffer;

  constructor(
    pool: GpuPool,
    dst: GpuPlane,
    src: GpuPlane,
    dx: number,
    dy: number,
    kernels?: { kx: ArrayLike<number>; ky: ArrayLike<number> },
  ) {
    if (!kernels && !((dx === 1 && dy === 0) || (dx === 0 && dy === 1)))
      throw new FramekitError('E_ARGUMENT', `sobel pass: (dx, dy) must be (1, 0) or (0, 1), got (${dx}, ${dy})`);
    if (dst.format !== 'i16' || src.format !== 'gray' || dst.width !== src.width || dst.height !== src.height) {
      throw new FramekitError(
        'E_DIMENSION',
        `sobel pass: dst must be ${src.width}x${src.height} i16, got ${dst.width}x${dst.height} ${dst.format}`,
      );
    }
    const kx = kernels ? threeTaps(kernels.kx) : dx ? DERIV : SMOOTH;
    const ky = kernels ? threeTaps(kernels.ky) : dx ? SMOOTH : DERIV;
    if (!kx || !ky) throw new FramekitError('E_ARGUMENT', 'sobel pass: kernels must have 1 or 3 taps');
    const words = new Int32Array([src.width, src.height, src.strideWords, dst.strideWords, ...kx, ...ky]);
    this.params = pool.uniform(`sobel dx${dx} dy${dy} params`, words);
    this.#run = dispatch(
      pool,
      'sobel',
      'main',
      ['uniform', 'read', 'write'],
      [this.params, src.buffer, dst.buffer],
      dst.strideWords,
      dst.height,
    );
  }

  encode(pass: GPUComputePassEncoder): void {
    this.#run.encode(pass);
  }
}
