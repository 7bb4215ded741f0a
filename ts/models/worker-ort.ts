/**
 * ONNX Runtime in a worker thread (Node and Bun), shaped as the `OrtModule` a model stage takes
 * (`ort:` option): onnxruntime-node runs a session synchronously on the calling thread, so a stage
 * beside a media loop would stall it for every inference. Here the session lives in a
 * `worker_threads` worker: `run()` copies the input tensors into a mailbox of shared memory the
 * worker also holds (allocated at the first run, grown only for larger inputs), posts a few numbers,
 * and resolves with the outputs the worker transfers back; the calling thread is free meanwhile.
 * Cloning or transferring the inputs instead cost 1.5 to 2 ms of the calling thread per 128x128x3
 * float input in Node 20 (postMessage), the mailbox 0.15 ms (bench/results/track-faces-epyc-2core.json).
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
// NICE is replaced by workerOrt: on Linux, setpriority of thread 0 is this thread alone (and the
// threads it starts); elsewhere it would be the whole process, so it is left alone there.
if (NICE > 0 && process.platform === 'linux') try { require('node:os').setPriority(NICE); } catch {}
let ort = null, session = null, mailbox = null;
const inputs = new Map();
const TYPES = { float32: Float32Array, int64: BigInt64Array, int32: Int32Array };
parentPort.on('message', async (m) => {
  try {
    if (m.op === 'create') {
      try { ort = require('onnxruntime-node'); } catch { ort = require('onnxruntime-web'); }
      session = await ort.InferenceSession.create(m.bytes, m.options);
      parentPort.postMessage({ id: m.id, inputNames: session.inputNames, outputNames: session.outputNames,
        inputMetadata: session.inputMetadata, outputMetadata: session.outputMetadata });
    } else if (m.op === 'run') {
      if (m.mailbox) mailbox = m.mailbox;
      const feeds = {};
      for (const [k, t] of Object.entries(m.feeds)) {
        // The input, copied out of the mailbox into this worker's own array (ONNX Runtime for Node
        // takes no shared memory), reused while its type and size stay the same.
        let own = inputs.get(k);
        const T = TYPES[t.type];
        if (!own || own.type !== t.type || own.data.length !== t.length) {
          own = { type: t.type, data: new T(t.length) };
          inputs.set(k, own);
        }
        own.data.set(new T(mailbox, t.offset, t.length));
        feeds[k] = new ort.Tensor(t.type, own.data, t.dims);
      }
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

export interface WorkerOrtOptions {
  /**
   * Linux: the worker thread's nice value, 0 to 19 (default 0, as the calling thread). A model stage
   * that must never slow the media path gives its thread a higher one: where the cores are all busy,
   * the kernel's scheduler then lets the worker run only when the media thread does not want the core
   * (a woken worker at the same priority preempts the thread that woke it). Elsewhere ignored.
   */
  nice?: number;
}

/**
 * An `OrtModule` whose sessions run in a worker thread. `from`: a URL or path inside the
 * application, so the worker resolves `onnxruntime-node` as the application does (default: framekit's
 * own location).
 */
export async function workerOrt(from: string = import.meta.url, o: WorkerOrtOptions = {}): Promise<OrtModule> {
  const nice = o.nice ?? 0;
  if (!Number.isInteger(nice) || nice < 0 || nice > 19)
    throw new FramekitError('E_ARGUMENT', `workerOrt: nice must be an integer from 0 to 19, got ${String(o.nice)}`);
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
  const source = WORKER_SOURCE.replace('NICE > 0', `${nice} > 0`)
    .replace('setPriority(NICE)', `setPriority(${nice})`)
    .replace(
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

    /** Shared with the worker: the inputs of the run in flight, 8-byte aligned one after another. */
    #mailbox: SharedArrayBuffer | null = null;
    /** Runs queue: the mailbox holds one run's inputs at a time. */
    #runs: Promise<unknown> = Promise.resolve();

    run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
      const p = this.#runs.then(() => this.#run(feeds));
      this.#runs = p.catch(() => undefined);
      return p;
    }

    async #run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
      let bytes = 0;
      for (const t of Object.values(feeds)) bytes += ((t.data as Data).byteLength + 7) & ~7;
      let fresh: SharedArrayBuffer | undefined;
      if (!this.#mailbox || this.#mailbox.byteLength < bytes) this.#mailbox = fresh = new SharedArrayBuffer(bytes);
      const msg: Record<string, { type: string; dims: readonly number[]; offset: number; length: number }> = {};
      let offset = 0;
      for (const [k, t] of Object.entries(feeds)) {
        const data = t.data as Data;
        const T = data.constructor as Float32ArrayConstructor | Int32ArrayConstructor | BigInt64ArrayConstructor;
        if (T !== Float32Array && T !== Int32Array && T !== BigInt64Array)
          throw new FramekitError('E_ARGUMENT', `worker ONNX Runtime: input ${k} must be float32, int32 or int64`);
        // One copy (the input often views the WebAssembly memory) into memory the worker reads.
        (new T(this.#mailbox as unknown as ArrayBuffer, offset, data.length) as Data).set(data as never);
        msg[k] = { type: t.type, dims: t.dims, offset, length: data.length };
        offset += (data.byteLength + 7) & ~7;
      }
      const r = await this.call({ op: 'run', feeds: msg, ...(fresh ? { mailbox: fresh } : {}) });
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
