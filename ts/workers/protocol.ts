/** Messages between the pool and its workers (one at start, one per job: stripes go through Atomics). */
export interface InitMessage {
  type: 'init';
  index: number;
  memory: WebAssembly.Memory;
  pixels: WebAssembly.Module;
  features: WebAssembly.Module;
  simd: boolean;
  /** Byte offset of the control block in the memory. */
  ctl: number;
  /** Top of this worker's own Rust stack (a region of the arena): its Rust instance's stack pointer. */
  stackTop: number;
  /** The job number at start: the worker waits for the next one. */
  seq: number;
}

export type WorkerMessage =
  { type: 'ready'; index: number } | { type: 'done'; index: number; seq: number } | { type: 'error'; index: number; message: string };
