import { FramekitError } from '../../../errors.js';
import { dispatch, type Dispatch, type GpuPlane } from '../pass.js';
import type { GpuPool } from '../pool.js';

/** Texture formats a frame source may arrive in (what copyExternalImageToTexture and writeTexture fill). */
export type SourceTextureFormat = 'rgba8unorm' | 'bgra8unorm';

/**
 * shaders/gray-texture.wgsl: an rgba8unorm/bgra8unorm texture (a browser frame, or an arena plane
 * sent with writeTexture) to a gray plane, bit-exact with OpenCV's cvtColor.
 */
export class GrayTexturePass {
  readonly #run: Dispatch;
  readonly params: GPUBuffer;

  constructor(pool: GpuPool, dst: GpuPlane, src: GPUTexture) {
    if (dst.format !== 'gray' || dst.width !== src.width || dst.height !== src.height) {
      throw new FramekitError(
        'E_DIMENSION',
        `gray-texture pass: dst ${dst.width}x${dst.height} ${dst.format}, src ${src.width}x${src.height}`,
      );
    }
    this.params = pool.uniform('gray-texture params', new Uint32Array([dst.width, dst.height, dst.strideWords, 0]));
    const view = src.createView({ label: `${src.label} view` });
    this.#run = dispatch(
      pool,
      'gray-texture',
      'main',
      ['uniform', 'texture', 'write'],
      [this.params, view, dst.buffer],
      dst.strideWords,
      dst.height,
    );
  }

  encode(pass: GPUComputePassEncoder): void {
    this.#run.encode(pass);
  }
}
