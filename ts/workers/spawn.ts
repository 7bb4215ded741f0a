/**
 * One worker thread, whatever the runtime: Node and Bun through `node:worker_threads` (Bun implements
 * it), browsers through Web Workers (module type). Messages arrive as their data in both.
 */
export interface WorkerHandle {
  post(msg: unknown): void;
  /** Stops the thread; resolves when it is gone. */
  terminate(): Promise<void>;
  /** Terminates the thread unasked: `crash` is called once it is gone, as for any other death. */
  kill(): void;
}

export interface WorkerEvents {
  message(data: unknown): void;
  /** The thread failed (an uncaught error) or exited without being asked to. */
  crash(reason: string): void;
}

type NodeWorkerCtor = new (url: URL) => {
  postMessage(v: unknown): void;
  on(ev: string, cb: (v: never) => void): void;
  terminate(): Promise<number>;
};

let nodeWorker: Promise<NodeWorkerCtor | null> | undefined;

/** `worker_threads.Worker` in Node and Bun, null elsewhere; looked up once (concurrent spawns share the lookup). */
function nodeWorkerCtor(): Promise<NodeWorkerCtor | null> {
  nodeWorker ??= (async () => {
    const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
    if (!p?.versions?.node) return null;
    try {
      return (await import('node:worker_threads')).Worker as unknown as NodeWorkerCtor;
    } catch {
      return null;
    }
  })();
  return nodeWorker;
}

/** The worker entry next to this module: `worker.ts` when running from sources (Bun), else `worker.js`. */
export function workerUrl(): URL {
  return new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
}

export async function spawnWorker(url: URL, on: WorkerEvents): Promise<WorkerHandle> {
  const NodeWorker = await nodeWorkerCtor();
  let stopping = false;
  if (NodeWorker) {
    const w = new NodeWorker(url);
    w.on('message', (d: never) => on.message(d));
    w.on('error', (e: never) => on.crash(String((e as Error)?.message ?? e)));
    w.on('exit', (code: never) => {
      if (!stopping) on.crash(`exited with code ${code as number}`);
    });
    return {
      post: (m) => w.postMessage(m),
      terminate: async () => {
        stopping = true;
        await w.terminate();
      },
      kill: () => void w.terminate().catch(() => undefined), // 'exit' follows, and reports the crash
    };
  }
  const w = new Worker(url, { type: 'module' });
  w.onmessage = (e) => on.message(e.data);
  w.onerror = (e) => {
    e.preventDefault();
    on.crash(e.message || 'worker error');
  };
  return {
    post: (m) => w.postMessage(m),
    terminate: async () => {
      stopping = true;
      w.terminate();
    },
    kill: () => {
      // A Web Worker ends at once and says nothing: report it here.
      w.terminate();
      if (!stopping) on.crash('terminated');
    },
  };
}
