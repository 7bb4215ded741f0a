import { FramekitError } from '../../../errors.js';
import { dispatch, type Dispatch, type GpuPlane } from '../pass.js';
import type { GpuPool } from '../pool.js';

/** shaders/blur.wgsl: Gaussian 5x5 (sigma 0) of a gray plane, bit-exact with OpenCV's GaussianBlur. */
export class BlurPass {
  readonly #run: Dispatch;
  readonly params: GPUBuffer;

  constructor(pool: GpuPool, dst: GpuPlane, src: GpuPlane) {
    if (dst.format !== 'gray' || src.format !== 'gray' || dst.width !== src.width || dst.height !== src.height) {
      throw new FramekitError(
        'E_DIMENSION',
        `blur pass: dst ${dst.width}x${dst.height} ${dst.format}, src ${src.width}x${src.height} ${src.format}`,
      );
    }
    this.params = pool.uniform('blur params', new Uint32Array([src.width, src.height, src.strideWords, 0]));
    this.#run = dispatch(
      pool,
      'blur',
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
