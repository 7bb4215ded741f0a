/**
 * ONNX Runtime in a worker thread (Node and Bun), shaped as the `OrtModule` a model stage takes
 * (`ort:` option): onnxruntime-node runs a session synchronously on the calling thread, so a stage
 * beside a media loop would stall it for every inference. Here the session lives in a
 * `worker_threads` worker: `run()` posts the input tensors (one copy of their data per inference)
 * and resolves with the outputs the worker transfers back; the calling thread is free meanwhile.
 */
import { FramekitError } from '../errors.js';
import type { OrtModule, OrtSession, OrtSessionOptions, OrtTensor, OrtValueMetadata } from './ort.js';

type Data = Float32Array | BigInt64Array | Int32Array;

class PlainTensor implements OrtTensor {
  constructor(
    readonly type: string,
    readonly data: Data,
    readonly dims: readonly number[],
  ) {}
}

interface Reply {
  id: number;
  error?: string;
  inputNames?: string[];
  outputNames?: string[];
  inputMetadata?: OrtValueMetadata[];
  outputMetadata?: OrtValueMetadata[];
  outputs?: Record<string, { type: string; dims: number[]; data: Data }>;
}

/** The worker's side: loads onnxruntime-node (or onnxruntime-web) and serves create/run/release. */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
let ort = null, session = null;
parentPort.on('message', async (m) => {
  try {
    if (m.op === 'create') {
      try { ort = require('onnxruntime-node'); } catch { ort = require('onnxruntime-web'); }
      session = await ort.InferenceSession.create(m.bytes, m.options);
      parentPort.postMessage({ id: m.id, inputNames: session.inputNames, outputNames: session.outputNames,
        inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata });
    } else if (m.op === 'run') {
      const feeds = {};
      for (const [k, t] of Object.entries(m.feeds)) feeds[k] = new ort.Tensor(t.type, t.data, t.dims);
      const res = await session.run(feeds);
      const outputs = {}, transfer = [];
      for (const [k, t] of Object.entries(res)) {
        outputs[k] = { type: t.type, dims: t.dims, data: t.data };
        transfer.push(t.data.buffer);
      }
      parentPort.postMessage({ id: m.id, outputs }, transfer);
    } else if (m.op === 'release') {
      await session?.release();
      session = null;
      parentPort.postMessage({ id: m.id });
    }
  } catch (e) {
    parentPort.postMessage({ id: m.id, error: String(e && e.message || e) });
  }
});
`;

/**
 * An `OrtModule` whose sessions run in a worker thread. `from`: a URL or path inside the
 * application, so the worker resolves `onnxruntime-node` as the application does (default: framekit's
 * own location).
 */
export async function workerOrt(from: string = import.meta.url): Promise<OrtModule> {
  const { Worker } = await import('node:worker_threads');
  const { createRequire } = await import('node:module');
  // The worker resolves packages from here (eval'd workers have no location of their own).
  const req = createRequire(from);
  let runtime: string;
  try {
    runtime = req.resolve('onnxruntime-node');
  } catch {
    try {
      runtime = req.resolve('onnxruntime-web');
    } catch {
      throw new FramekitError('E_DEPENDENCY', 'no ONNX Runtime: install onnxruntime-node (or onnxruntime-web)', {
        package: 'onnxruntime-node',
      });
    }
  }
  const source = WORKER_SOURCE.replace(
    "try { ort = require('onnxruntime-node'); } catch { ort = require('onnxruntime-web'); }",
    `ort = require(${JSON.stringify(runtime)});`,
  );

  class WorkerSession implements OrtSession {
    inputNames: readonly string[] = [];
    outputNames: readonly string[] = [];
    inputMetadata?: readonly OrtValueMetadata[];
    outputMetadata?: readonly OrtValueMetadata[];
    readonly #worker = new Worker(source, { eval: true });
    readonly #waiting = new Map<number, { resolve: (r: Reply) => void; reject: (e: unknown) => void }>();
    #id = 0;

    constructor() {
      this.#worker.on('message', (r: Reply) => {
        const w = this.#waiting.get(r.id);
        if (!w) return;
        this.#waiting.delete(r.id);
        if (r.error !== undefined) w.reject(new Error(r.error));
        else w.resolve(r);
      });
      this.#worker.on('error', (e) => {
        for (const w of this.#waiting.values()) w.reject(e);
        this.#waiting.clear();
      });
      // The worker never keeps the process alive on its own.
      this.#worker.unref();
    }

    call(m: Record<string, unknown>, transfer: ArrayBuffer[] = []): Promise<Reply> {
      const id = ++this.#id;
      return new Promise((resolve, reject) => {
        this.#waiting.set(id, { resolve, reject });
        this.#worker.ref();
        this.#worker.postMessage({ ...m, id }, transfer);
      }).finally(() => {
        if (this.#waiting.size === 0) this.#worker.unref();
      }) as Promise<Reply>;
    }

    async run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
      const msg: Record<string, { type: string; dims: readonly number[]; data: unknown }> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [k, t] of Object.entries(feeds)) {
        // A copy of the view only (the input often views the WebAssembly memory), handed over, not cloned again.
        const data = (t.data as Data).slice();
        transfer.push(data.buffer as ArrayBuffer);
        msg[k] = { type: t.type, dims: t.dims, data };
      }
      const r = await this.call({ op: 'run', feeds: msg }, transfer);
      const out: Record<string, OrtTensor> = {};
      for (const [k, t] of Object.entries(r.outputs!)) out[k] = new PlainTensor(t.type, t.data, t.dims);
      return out;
    }

    async release(): Promise<void> {
      await this.call({ op: 'release' }).catch(() => undefined);
      await this.#worker.terminate();
    }
  }

  return {
    Tensor: PlainTensor,
    InferenceSession: {
      async create(bytes: Uint8Array, options?: OrtSessionOptions): Promise<OrtSession> {
        const s = new WorkerSession();
        try {
          const r = await s.call({ op: 'create', bytes, options });
          s.inputNames = r.inputNames!;
          s.outputNames = r.outputNames!;
          s.inputMetadata = r.inputMetadata;
          s.outputMetadata = r.outputMetadata;
        } catch (e) {
          await s.release();
          throw e;
        }
        return s;
      },
    },
  };
}
