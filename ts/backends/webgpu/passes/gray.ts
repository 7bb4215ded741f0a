import { FramekitError } from '../../../errors.js';
import { dispatch, type Dispatch, type GpuPlane, type GpuUpload } from '../pass.js';
import type { GpuPool } from '../pool.js';

/** Byte offsets of R, G, B inside a pixel, and the pixel's size (as ts/kernels/gray/reference.ts). */
const CHANNELS = { rgba: [0, 1, 2, 4], bgra: [2, 1, 0, 4], rgb: [0, 1, 2, 3], bgr: [2, 1, 0, 3], gray: [0, 0, 0, 1] } as const;

/** shaders/gray.wgsl: an uploaded colour plane to a gray plane, bit-exact with OpenCV's cvtColor. */
export class GrayPass {
  readonly #run: Dispatch;
  readonly params: GPUBuffer;

  constructor(pool: GpuPool, dst: GpuPlane, src: GpuUpload) {
    if (dst.format !== 'gray' || dst.width !== src.width || dst.height !== src.height) {
      throw new FramekitError('E_DIMENSION', `gray pass: dst ${dst.width}x${dst.height} ${dst.format}, src ${src.width}x${src.height}`);
    }
    const [r, g, b, bpp] = CHANNELS[src.format];
    const words = new Uint32Array([src.width, src.height, src.strideBytes, dst.strideWords, bpp, r, g, b]);
    this.params = pool.uniform('gray params', words);
    this.#run = dispatch(
      pool,
      'gray',
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
