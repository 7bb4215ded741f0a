import { FramekitError } from '../errors.js';

/*
 * ONNX Runtime, loaded only when a model stage first runs. framekit declares `onnxruntime-web` and
 * `onnxruntime-node` as optional peer dependencies and never imports them statically: the package
 * names below are held in variables so that no bundler follows them into framekit's core bundle.
 *
 * The few members framekit uses are typed here (a subset of onnxruntime-common's API), so framekit's
 * own type declarations do not require ONNX Runtime to be installed.
 */

/** A tensor as ONNX Runtime's `Tensor` class holds it. */
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  dispose?(): void;
}

export interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: ReadonlyArray<number | string>;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadata[];
  readonly outputMetadata?: readonly OrtValueMetadata[];
  run(feeds: Record<string, OrtTensor>, fetches?: Record<string, OrtTensor | null>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtSessionOptions {
  executionProviders?: unknown[];
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Session config entries, nested by their dotted names: `{ session: { intra_op: { allow_spinning: '0' } } }`
   * is `session.intra_op.allow_spinning = 0` (threads that sleep when idle instead of spinning on a core).
   */
  extra?: Record<string, unknown>;
}

/** The part of an ONNX Runtime package (onnxruntime-web or onnxruntime-node) framekit calls. */
export interface OrtModule {
  Tensor: (new (type: string, data: Float32Array | BigInt64Array | Int32Array, dims: readonly number[]) => OrtTensor) & {
    /** onnxruntime-web with WebGPU: a tensor over a GPUBuffer of ORT's device (no copy to the CPU). */
    fromGpuBuffer?(buffer: object, o: { dataType: string; dims: readonly number[] }): OrtTensor;
  };
  InferenceSession: { create(model: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> };
  env?: { wasm?: { numThreads?: number; simd?: boolean }; webgpu?: { device?: unknown } };
}

/** Which ONNX Runtime package to use: 'auto' takes onnxruntime-node when installed (Node, Bun), else onnxruntime-web. */
export type OrtPreference = 'auto' | 'node' | 'web';

/** The package a runtime loaded, and the module. */
export interface LoadedOrt {
  readonly name: 'onnxruntime-node' | 'onnxruntime-web';
  readonly ort: OrtModule;
}

const PACKAGES = { node: 'onnxruntime-node', web: 'onnxruntime-web' } as const;
const cache = new Map<string, Promise<LoadedOrt>>();

function inServerRuntime(): boolean {
  const g = globalThis as { process?: { versions?: { node?: string } }; Bun?: unknown };
  return g.Bun !== undefined || g.process?.versions?.node !== undefined;
}

function isMissing(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  const msg = String((e as Error | null)?.message ?? e);
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)|Failed to resolve/i.test(msg);
}

/** Imports a package by name; replaceable in tests (`loadOrt`'s second argument). */
export type PackageImporter = (name: string) => Promise<unknown>;

// A specifier in a variable: bundlers leave the import alone, so ORT never enters framekit's bundle.
const importByName: PackageImporter = (name) => import(/* @vite-ignore */ name);

async function importPackage(name: string, importer: PackageImporter): Promise<OrtModule> {
  const m = (await importer(name)) as OrtModule & { default?: OrtModule };
  if (typeof m?.InferenceSession === 'object' || typeof m?.InferenceSession === 'function') return m;
  if (m?.default?.InferenceSession) return m.default;
  throw new Error('it has no InferenceSession');
}

/**
 * Imports ONNX Runtime once per process (later calls share the promise). Throws E_DEPENDENCY naming
 * the package to add when none is installed: `npm i onnxruntime-web` (every runtime) or
 * `npm i onnxruntime-node` (Node and Bun, native, faster).
 */
export function loadOrt(prefer: OrtPreference = 'auto', importer: PackageImporter = importByName): Promise<LoadedOrt> {
  // Only the real importer's results are cached.
  let p = importer === importByName ? cache.get(prefer) : undefined;
  if (!p) {
    p = (async () => {
      const order: Array<'node' | 'web'> = prefer === 'auto' ? (inServerRuntime() ? ['node', 'web'] : ['web']) : [prefer];
      const missing: string[] = [];
      for (const k of order) {
        try {
          return { name: PACKAGES[k], ort: await importPackage(PACKAGES[k], importer) };
        } catch (e) {
          if (!isMissing(e)) {
            throw new FramekitError('E_DEPENDENCY', `${PACKAGES[k]} is installed but failed to load: ${(e as Error).message}`, {
              package: PACKAGES[k],
            });
          }
          missing.push(PACKAGES[k]);
        }
      }
      const want = prefer === 'node' ? 'onnxruntime-node' : 'onnxruntime-web';
      throw new FramekitError(
        'E_DEPENDENCY',
        `model stages need ONNX Runtime, which is not installed (looked for ${missing.join(', ')}): add it with \`npm i ${want}\``,
        { package: want, missing },
      );
    })();
    if (importer === importByName) {
      p.catch(() => cache.delete(prefer));
      cache.set(prefer, p);
    }
  }
  return p;
}
