/**
 * A pool worker: instantiates framekit's WASM modules on the pool's shared memory, then sleeps on the
 * control block's job number (Atomics.wait) and runs stripes until told to stop. Runs under Node and
 * Bun `worker_threads` and as a browser module worker.
 */
import { instantiateWasm } from '../backends/wasm/loader.js';
import { CTL, CTL_INTS } from './control.js';
import type { InitMessage, WorkerMessage } from './protocol.js';
import { runStripes } from './runner.js';
import type { StripeContext } from './kernels.js';

interface Port {
  post(m: WorkerMessage): void;
  listen(cb: (m: InitMessage) => void): void;
  exit(): void;
}

async function parentPort(): Promise<Port> {
  const p = (globalThis as { process?: { versions?: { node?: string }; exit(code: number): void } }).process;
  if (p?.versions?.node) {
    const wt = await import('node:worker_threads');
    const port = wt.parentPort;
    if (port) return { post: (m) => port.postMessage(m), listen: (cb) => port.on('message', cb), exit: () => p.exit(1) };
  }
  const self = globalThis as unknown as {
    postMessage(m: unknown): void;
    onmessage: ((e: { data: InitMessage }) => void) | null;
    close(): void;
  };
  return { post: (m) => self.postMessage(m), listen: (cb) => (self.onmessage = (e) => cb(e.data)), exit: () => self.close() };
}

function loop(c: StripeContext, index: number, seen: number, port: Port): void {
  const ctl = c.ctl;
  const bit = 1 << index;
  for (;;) {
    Atomics.wait(ctl, CTL.SEQ, seen);
    if (Atomics.load(ctl, CTL.STOP) !== 0) return;
    const seq = Atomics.load(ctl, CTL.SEQ);
    if (seq === seen) continue;
    seen = seq;
    const participants = Atomics.load(ctl, CTL.PARTICIPANTS);
    if ((participants & bit) === 0) continue; // not counted in this round (still starting when it began)
    runStripes(c, index);
    // One atomic step out of the round: the worker whose bit completes the mask reports it.
    // SEQ is read again: a worker left out of one round may have joined the next one as it began.
    if ((Atomics.or(ctl, CTL.EXITED, bit) | bit) === participants) port.post({ type: 'done', index, seq: Atomics.load(ctl, CTL.SEQ) });
  }
}

const port = await parentPort();
port.listen((m) => {
  if (m.type !== 'init') return;
  void (async () => {
    try {
      const wasm = await instantiateWasm(m.memory, m.pixels, m.features, m.simd);
      // Every instance starts with the same Rust stack pointer; this thread gets a stack of its own.
      const sp = wasm.features.__stack_pointer;
      if (!sp) throw new Error('the Rust module does not export its stack pointer: it cannot run on two threads at once');
      sp.value = m.stackTop;
      const ctl = new Int32Array(m.memory.buffer, m.ctl, CTL_INTS);
      const buf = m.memory.buffer;
      const c: StripeContext = {
        wasm,
        heap: new Uint8Array(buf),
        f32: new Float32Array(buf),
        i32: new Int32Array(buf),
        ctl,
        scratchSlot: CTL.SCRATCH + 2 * m.index,
      };
      port.post({ type: 'ready', index: m.index });
      loop(c, m.index, m.seq, port);
    } catch (e) {
      port.post({ type: 'error', index: m.index, message: String((e as Error)?.message ?? e) });
      port.exit();
    }
  })();
});
