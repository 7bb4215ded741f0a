import { FramekitError } from '../../../errors.js';
import { dispatch, gpuPlane, type Dispatch, type GpuPlane } from '../pass.js';
import type { GpuPool } from '../pool.js';

/** Largest kernel side the pass takes (its uniform holds 256 taps); ts/kernels/gaussian's limit too. */
export const GAUSSIAN_PASS_MAX_KSIZE = 255;

/**
 * shaders/gaussian.wgsl: Gaussian blur of a gray plane with any odd kernel, bit-exact with OpenCV's
 * GaussianBlur on 8-bit images. `kernel` is OpenCV's fixed-point kernel (gaussianPlan(...).kx from
 * ts/kernels/gaussian/plan.ts: non-negative integers summing to 256), used along rows and columns.
 * Rows go into an intermediate u16 plane taken from the pool (`mid`), then columns into `dst`.
 * BlurPass is the unrolled 5x5 kernel for sigma 0. Allocates its buffers: call at setup.
 */
export class GaussianPass {
  readonly #rows: Dispatch;
  readonly #cols: Dispatch;
  readonly params: GPUBuffer;
  readonly mid: GpuPlane;

  constructor(pool: GpuPool, dst: GpuPlane, src: GpuPlane, kernel: ArrayLike<number>) {
    if (dst.format !== 'gray' || src.format !== 'gray' || dst.width !== src.width || dst.height !== src.height) {
      throw new FramekitError(
        'E_DIMENSION',
        `gaussian pass: dst ${dst.width}x${dst.height} ${dst.format}, src ${src.width}x${src.height} ${src.format}`,
      );
    }
    const n = kernel.length;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const k = kernel[i]!;
      if (!Number.isInteger(k) || k < 0)
        throw new FramekitError('E_ARGUMENT', `gaussian pass: taps must be non-negative integers, got ${k}`);
      sum += k;
    }
    if (n % 2 === 0 || n > GAUSSIAN_PASS_MAX_KSIZE || sum !== 256) {
      throw new FramekitError(
        'E_ARGUMENT',
        `gaussian pass: the kernel must have an odd number of taps up to ${GAUSSIAN_PASS_MAX_KSIZE}, summing to 256`,
      );
    }
    this.mid = gpuPlane(pool, 'gaussian rows', src.width, src.height, 'u16');
    const words = new Uint32Array(8 + 256);
    words.set([src.width, src.height, src.strideWords, this.mid.strideWords, n]);
    for (let i = 0; i < n; i++) words[8 + i] = kernel[i]!;
    this.params = pool.uniform(`gaussian ${n} params`, words);
    const bindings = ['uniform', 'read', 'write', 'write'] as const;
    const buffers = [this.params, src.buffer, this.mid.buffer, dst.buffer];
    this.#rows = dispatch(pool, 'gaussian', 'rows', [...bindings], buffers, this.mid.strideWords, src.height);
    this.#cols = dispatch(pool, 'gaussian', 'cols', [...bindings], buffers, dst.strideWords, dst.height);
  }

  encode(pass: GPUComputePassEncoder): void {
    this.#rows.encode(pass);
    this.#cols.encode(pass);
  }
}
