import { FramekitError } from '../../../errors.js';
import type { TensorGeometry } from '../../../kernels/tensor-prep/tables.js';
import { dispatch, type Dispatch } from '../pass.js';
import type { GpuPool } from '../pool.js';

/** Usage of the tensor buffer: written by the pass, read by ONNX Runtime's WebGPU provider, copied out by tests. */
export const TENSOR_USAGE = 0x0080 /* STORAGE */ | 0x0004 /* COPY_SRC */ | 0x0008; /* COPY_DST */

/**
 * shaders/tensor-prep.wgsl: a frame texture (rgba8unorm or bgra8unorm) to a letterboxed float32
 * NHWC RGB tensor in `output`, a storage buffer ONNX Runtime's WebGPU provider takes with
 * `Tensor.fromGpuBuffer`; the GPU twin of ts/kernels/tensor-prep. The geometry (what `toTensor`
 * returns for the same sizes) is fixed at construction, so `encode()` only records.
 */
export class TensorPrepPass {
  readonly #run: Dispatch;
  readonly params: GPUBuffer;
  readonly output: GPUBuffer;

  constructor(pool: GpuPool, src: GPUTexture, output: GPUBuffer, g: TensorGeometry, scale: number, bias: number) {
    if (src.width !== g.srcWidth || src.height !== g.srcHeight) {
      throw new FramekitError(
        'E_DIMENSION',
        `tensor-prep pass: texture ${src.width}x${src.height}, geometry for ${g.srcWidth}x${g.srcHeight}`,
      );
    }
    if (output.size < g.dstWidth * g.dstHeight * 12) {
      throw new FramekitError(
        'E_BUFFER_SIZE',
        `tensor-prep pass: output buffer of ${output.size} bytes, the tensor needs ${g.dstWidth * g.dstHeight * 12}`,
      );
    }
    const words = new Uint32Array(12);
    words.set([g.srcWidth, g.srcHeight, g.dstWidth, g.dstHeight, g.ox, g.oy, g.cw, g.ch]);
    new Float32Array(words.buffer, 32, 2).set([scale, bias]);
    this.params = pool.uniform('tensor-prep params', words);
    this.output = output;
    const view = src.createView({ label: `${src.label} view` });
    this.#run = dispatch(
      pool,
      'tensor-prep',
      'main',
      ['uniform', 'texture', 'write'],
      [this.params, view, output],
      g.dstWidth,
      g.dstHeight,
    );
  }

  encode(pass: GPUComputePassEncoder): void {
    this.#run.encode(pass);
  }
}
