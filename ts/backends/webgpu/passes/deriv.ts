import { FramekitError } from '../../../errors.js';
import { dispatch, gpuPlane, type Dispatch, type GpuPlane } from '../pass.js';
import type { GpuPool } from '../pool.js';

/** Longest kernel the pass takes (its uniform holds 32 taps an axis); derivPlan's ksize limit too. */
export const DERIV_PASS_MAX_TAPS = 31;

/**
 * shaders/deriv.wgsl: a separable integer derivative of a gray plane into int16 with kernels of any
 * odd length up to 31, bit-exact with OpenCV's Sobel to CV_16S (ksize 5 and up; SobelPass is the
 * 3-tap case). `kx` runs along rows, `ky` along columns, as derivPlan (ts/kernels/sobel/kernels.ts)
 * makes them; the caller guarantees, as derivPlan checks, that row sums and results fit int16.
 * Rows go into an intermediate int16 plane taken from the pool (`mid`). Allocates: call at setup.
 */
export class DerivPass {
  readonly #rows: Dispatch;
  readonly #cols: Dispatch;
  readonly params: GPUBuffer;
  readonly mid: GpuPlane;

  constructor(pool: GpuPool, dst: GpuPlane, src: GpuPlane, kx: ArrayLike<number>, ky: ArrayLike<number>) {
    if (dst.format !== 'i16' || src.format !== 'gray' || dst.width !== src.width || dst.height !== src.height) {
      throw new FramekitError(
        'E_DIMENSION',
        `deriv pass: dst must be ${src.width}x${src.height} i16, got ${dst.width}x${dst.height} ${dst.format}`,
      );
    }
    for (const k of [kx, ky]) {
      if (k.length % 2 === 0 || k.length > DERIV_PASS_MAX_TAPS || !Array.from(k).every((v) => Number.isInteger(v) && Math.abs(v) < 1 << 15))
        throw new FramekitError('E_ARGUMENT', `deriv pass: kernels must have an odd number of integer taps up to ${DERIV_PASS_MAX_TAPS}`);
    }
    this.mid = gpuPlane(pool, 'deriv rows', src.width, src.height, 'i16');
    const words = new Int32Array(8 + 32 + 32);
    words.set([src.width, src.height, src.strideWords, dst.strideWords, kx.length, ky.length]);
    words.set(Array.from(kx), 8);
    words.set(Array.from(ky), 40);
    this.params = pool.uniform(`deriv ${kx.length}x${ky.length} params`, words);
    const bindings = ['uniform', 'read', 'write', 'write'] as const;
    const buffers = [this.params, src.buffer, this.mid.buffer, dst.buffer];
    this.#rows = dispatch(pool, 'deriv', 'rows', [...bindings], buffers, dst.strideWords, src.height);
    this.#cols = dispatch(pool, 'deriv', 'cols', [...bindings], buffers, dst.strideWords, dst.height);
  }

  encode(pass: GPUComputePassEncoder): void {
    this.#rows.encode(pass);
    this.#cols.encode(pass);
  }
}
