import { FramekitError } from '../../../errors.js';
import { dispatch, type Dispatch, type GpuPlane } from '../pass.js';
import type { GpuPool } from '../pool.js';

/** Size of the level below a w x h gray plane, as OpenCV's pyrDown: ((w + 1) / 2, (h + 1) / 2). */
export function pyrDownSize(width: number, height: number): [number, number] {
  return [(width + 1) >> 1, (height + 1) >> 1];
}

/** shaders/pyrdown.wgsl: one pyramid level down, bit-exact with OpenCV's pyrDown. */
export class PyrDownPass {
  readonly #run: Dispatch;
  readonly params: GPUBuffer;

  constructor(pool: GpuPool, dst: GpuPlane, src: GpuPlane) {
    const [w, h] = pyrDownSize(src.width, src.height);
    if (dst.format !== 'gray' || src.format !== 'gray' || dst.width !== w || dst.height !== h) {
      throw new FramekitError('E_DIMENSION', `pyrDown pass: dst must be ${w}x${h} gray for a ${src.width}x${src.height} src`);
    }
    const words = new Uint32Array([src.width, src.height, src.strideWords, dst.width, dst.height, dst.strideWords, 0, 0]);
    this.params = pool.uniform('pyrdown params', words);
    this.#run = dispatch(
      pool,
      'pyrdown',
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
