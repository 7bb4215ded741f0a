import { FramekitError } from '../errors.js';
import {
  loadOrt,
  type LoadedOrt,
  type OrtModule,
  type OrtPreference,
  type OrtSession,
  type OrtSessionOptions,
  type OrtTensor,
} from './ort.js';
import { trackLoaded, untrackLoaded, type LoadedModel } from './registry.js';
import { readModelBytes, type ModelSource } from './source.js';

/** What a stage expects of one input or output: its name and, where fixed, its shape. */
export interface TensorSpec {
  readonly name: string;
  /** Expected dims; -1 where the model leaves a dimension free. */
  readonly dims?: readonly number[];
}

/**
 * Session config entries that stop ONNX Runtime's idle threads from spinning (the default here). A
 * fresh object per session: onnxruntime-node adds entries of its own to the `extra` it is given.
 */
const noSpinning = () => ({ session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } });

export interface ModelSessionOptions {
  /** 'auto' (default): onnxruntime-node when installed (Node, Bun), else onnxruntime-web; or a module you imported. */
  ort?: OrtPreference | OrtModule;
  /**
   * Passed to `InferenceSession.create`. Unless given, framekit sets `logSeverityLevel: 3` and turns
   * ONNX Runtime's thread spinning off (`extra: { session: { intra_op: { allow_spinning: '0' },
   * inter_op: { allow_spinning: '0' } } }`): idle threads then sleep instead of keeping cores the media
   * path wants busy. On a 2-core machine spinning threads also made inference time bimodal, 4 or 10-11 ms
   * per BlazeFace back run from process to process, where without spinning it was 5.3-6.4 ms
   * (bench/results/ort-threads-epyc-2core.json). Pass `extra` (even `{}`) to choose yourself.
   */
  sessionOptions?: OrtSessionOptions;
  /** Called with ONNX Runtime right before the session is created (e.g. to hand it a WebGPU device). */
  beforeCreate?: (ort: OrtModule) => void;
}

/** What a loaded session reports (`framekit info` lists these). */
export interface ModelInfo {
  readonly name: string;
  readonly runtime: string;
  readonly bytes: number;
  readonly loadMs: number;
}

/**
 * One ONNX model: its bytes read, its session created and its inputs and outputs checked against
 * what the stage expects, all on the first `load()` (never before) and once. Errors are typed:
 * E_DEPENDENCY when ONNX Runtime is not installed, E_MODEL when the file is missing, is not a
 * model ONNX Runtime accepts, or has inputs or outputs the stage cannot use.
 */
export class ModelSession {
  readonly name: string;
  readonly #source: ModelSource;
  readonly #o: ModelSessionOptions;
  readonly #inputs: readonly TensorSpec[];
  readonly #outputs: readonly TensorSpec[];
  #loading: Promise<void> | null = null;
  #ort: OrtModule | null = null;
  #session: OrtSession | null = null;
  #info: ModelInfo | null = null;

  constructor(
    name: string,
    source: ModelSource,
    inputs: readonly TensorSpec[],
    outputs: readonly TensorSpec[],
    o: ModelSessionOptions = {},
  ) {
    this.name = name;
    this.#source = source;
    this.#inputs = inputs;
    this.#outputs = outputs;
    this.#o = o;
  }

  /** True once the session exists. */
  get loaded(): boolean {
    return this.#session !== null;
  }

  /** The loaded session's report, or null before the first load. */
  get info(): ModelInfo | null {
    return this.#info;
  }

  get ort(): OrtModule {
    if (!this.#ort) throw new FramekitError('E_STATE', `model ${this.name} is not loaded`);
    return this.#ort;
  }

  get session(): OrtSession {
    if (!this.#session) throw new FramekitError('E_STATE', `model ${this.name} is not loaded`);
    return this.#session;
  }

  /** Loads once; later calls share the first call's promise (a failed load is retried by the next call). */
  load(): Promise<void> {
    if (!this.#loading) {
      this.#loading = this.#load();
      this.#loading.catch(() => (this.#loading = null));
    }
    return this.#loading;
  }

  async #load(): Promise<void> {
    const t0 = performance.now();
    const o = this.#o.ort ?? 'auto';
    const loaded: LoadedOrt = typeof o === 'string' ? await loadOrt(o) : { name: 'onnxruntime-web', ort: o };
    const bytes = await readModelBytes(this.#source);
    this.#o.beforeCreate?.(loaded.ort);
    let session: OrtSession;
    try {
      session = await loaded.ort.InferenceSession.create(bytes, { logSeverityLevel: 3, extra: noSpinning(), ...this.#o.sessionOptions });
    } catch (e) {
      throw new FramekitError(
        'E_MODEL',
        `model ${this.name} (${bytes.length} bytes) is not a model ONNX Runtime can load: ${(e as Error).message}`,
        {
          model: this.name,
          bytes: bytes.length,
        },
      );
    }
    this.#check(session, session.inputNames, session.inputMetadata, this.#inputs, 'input');
    this.#check(session, session.outputNames, session.outputMetadata, this.#outputs, 'output');
    this.#ort = loaded.ort;
    this.#session = session;
    this.#info = {
      name: this.name,
      runtime: typeof o === 'string' ? loaded.name : 'given',
      bytes: bytes.length,
      loadMs: performance.now() - t0,
    };
    trackLoaded(this);
  }

  /** What `loadedModels()` and `framekit info` show while the session is loaded. */
  report(): LoadedModel {
    const i = this.#info;
    return { kind: 'onnx', name: this.name, bytes: i?.bytes ?? 0, bytesRead: i?.bytes ?? 0, via: i?.runtime ?? 'none' };
  }

  #check(
    session: OrtSession,
    names: readonly string[],
    meta: readonly { name: string; shape?: ReadonlyArray<number | string> }[] | undefined,
    want: readonly TensorSpec[],
    what: string,
  ): void {
    for (const spec of want) {
      const i = names.indexOf(spec.name);
      const fail = (why: string) => {
        void session.release().catch(() => undefined);
        throw new FramekitError('E_MODEL', `model ${this.name} does not fit its stage: ${why}`, {
          model: this.name,
          [what]: spec.name,
          names: [...names],
        });
      };
      if (i < 0) fail(`it has no ${what} ${JSON.stringify(spec.name)} (it has ${names.join(', ')})`);
      const shape = meta?.[i]?.shape;
      if (!spec.dims || !shape) continue;
      const fixed = shape.map((d) => (typeof d === 'number' && d >= 0 && d < 2 ** 31 ? d : -1));
      const ok = fixed.length === spec.dims.length && fixed.every((d, k) => d === -1 || spec.dims![k] === -1 || d === spec.dims![k]);
      if (!ok) fail(`${what} ${spec.name} has shape [${shape.join(', ')}], the stage needs [${spec.dims.join(', ')}]`);
    }
  }

  /**
   * Runs the model. `outputs` are tensors made once by the stage: onnxruntime-node writes into them;
   * onnxruntime-web ignores CPU tensors handed in for outputs (as of 1.31 it leaves them unwritten),
   * so there the stage reads the returned tensors. Returns the output tensors by name.
   */
  run(feeds: Record<string, OrtTensor>, outputs: Record<string, OrtTensor> | null): Promise<Record<string, OrtTensor>> {
    return this.session.run(feeds, outputs ?? undefined);
  }

  /** Releases the session; a later `load()` makes a new one. */
  async dispose(): Promise<void> {
    const s = this.#session;
    this.#session = null;
    this.#loading = null;
    this.#info = null;
    untrackLoaded(this);
    if (s) await s.release();
  }
}
