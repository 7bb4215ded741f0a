import { FramekitError } from '../../../errors.js';
import { dispatch, type Dispatch, type GpuPlane } from '../pass.js';
import type { GpuPool } from '../pool.js';

/** The 3-tap kernels of Sobel ksize 3: derivative [-1 0 1], smoothing [1 2 1]. */
const DERIV = [-1, 0, 1, 0];
const SMOOTH = [1, 2, 1, 0];

/** shaders/sobel.wgsl: Sobel 3x3, dx=1 dy=0 or dx=0 dy=1, gray to int16, bit-exact with OpenCV. */
export class SobelPass {
  readonly #run: Dispatch;
  readonly params: GPUBuffer;

  constructor(pool: GpuPool, dst: GpuPlane, src: GpuPlane, dx: 0 | 1, dy: 0 | 1) {
    if (dx + dy !== 1) throw new FramekitError('E_ARGUMENT', `sobel pass: (dx, dy) must be (1, 0) or (0, 1), got (${dx}, ${dy})`);
    if (dst.format !== 'i16' || src.format !== 'gray' || dst.width !== src.width || dst.height !== src.height) {
      throw new FramekitError(
        'E_DIMENSION',
        `sobel pass: dst must be ${src.width}x${src.height} i16, got ${dst.width}x${dst.height} ${dst.format}`,
      );
    }
    const kx = dx ? DERIV : SMOOTH;
    const ky = dx ? SMOOTH : DERIV;
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
