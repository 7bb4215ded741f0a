import type { WasmModules } from '../backends/wasm/loader.js';

/** What a kernel binds to, once, when framekit starts: the memory's byte view, and WASM when loaded. */
export interface KernelBackend {
  readonly heap: Uint8Array;
  /** Null when running on the TypeScript references only. */
  readonly wasm: WasmModules | null;
}
