import { FramekitError, checkDimension } from '../errors.js';
import { loadWasm, type WasmModules } from '../backends/wasm/loader.js';
import { wasmSimdSupported } from '../backends/wasm/simd.js';
import type { WasmSource } from '../backends/wasm/source.js';
import { bindKernels, type Kernels } from '../kernels/registry.js';
import { Arena } from '../memory/arena.js';
import { alignUp, frameSlotBytes, LAYOUT } from '../memory/layout.js';
import { createMemory, memoryPagesFor } from '../memory/memory.js';
import { Scratch } from './scratch.js';

/**
 * Which implementation the kernels run:
 * - `auto`: WASM SIMD where the engine has it, else WASM scalar, else the TypeScript reference;
 * - `wasm`: as `auto`, but an error where WebAssembly is missing;
 * - `wasm-simd` / `wasm-scalar`: that build only (an error if SIMD is asked for and missing);
 * - `reference`: the plain TypeScript oracles (slow; for tests and debugging).
 */
export type Backend = 'auto' | 'wasm' | 'wasm-simd' | 'wasm-scalar' | 'reference';

/** The backend a context runs on once chosen. */
export type ChosenBackend = Exclude<Backend, 'auto' | 'wasm'>;

/** How the memory is sized and which kernels are bound. */
export interface ContextOptions {
  /** Largest frame width the memory is sized for (default 1920). */
  maxWidth?: number;
  /** Largest frame height the memory is sized for (default 1080). */
  maxHeight?: number;
  /** Frame slots to size the memory for (default 4). */
  frames?: number;
  /** Extra arena bytes for planes and scratch beyond the frame slots (default 4 MiB). */
  scratchBytes?: number;
  /** Exact arena size in bytes; overrides the sizing from maxWidth, maxHeight, frames and scratchBytes. */
  arenaBytes?: number;
  /**
   * Back the memory by a SharedArrayBuffer so workers can run kernels on it (default false). In Bun,
   * also where frames are read from files into the arena (`FileHandle.read`/`readv`): Bun copies a
   * read into a plain WebAssembly memory on the calling thread, into a shared one it does not.
   */
  shared?: boolean;
  backend?: Backend;
  /** Where the `.wasm` binaries come from; each entry point supplies a default. */
  wasmSource?: WasmSource;
}

/**
 * The bottom of framekit: one WebAssembly.Memory (never grown), views over it made once, its arena,
 * the kernels bound once to the chosen backend, and the one kernel scratch. Every kernel, frame,
 * pool and GPU pass takes this (never the `Framekit` facade). Made by `createKernelContext`.
 */
export class KernelContext {
  readonly memory: WebAssembly.Memory;
  /** Byte view over the whole memory, made once; valid for the context's life (the memory never grows). */
  readonly heap: Uint8Array;
  /** Int16 view over the whole memory (weight tables). */
  readonly heap16: Int16Array;
  /** Int32 view over the whole memory (kernel outputs such as match tables). */
  readonly heap32: Int32Array;
  readonly arena: Arena;
  readonly wasm: WasmModules | null;
  readonly kernels: Kernels;
  /** The one kernel scratch (see Scratch). */
  readonly scratch: Scratch;
  readonly backend: ChosenBackend;

  /** @internal createKernelContext() */
  constructor(memory: WebAssembly.Memory, arena: Arena, wasm: WasmModules | null, backend: ChosenBackend) {
    this.memory = memory;
    this.arena = arena;
    const buf = memory.buffer;
    this.heap = new Uint8Array(buf);
    this.heap16 = new Int16Array(buf);
    this.heap32 = new Int32Array(buf);
    this.wasm = wasm;
    this.backend = backend;
    this.kernels = bindKernels({ heap: this.heap, wasm });
    this.scratch = new Scratch(arena);
  }
}

/** A context, or anything that holds one (a `Framekit`): what user-facing constructors accept. */
export type ContextSource = KernelContext | { readonly context: KernelContext };

/** The context of `src` (itself when it is one). */
export function contextOf(src: ContextSource): KernelContext {
  return src instanceof KernelContext ? src : src.context;
}

const DEFAULTS = { maxWidth: 1920, maxHeight: 1080, frames: 4, scratchBytes: 4 << 20 };

/**
 * Sizes and creates the memory, its arena, loads the WASM build the backend asks for and binds the
 * kernels: the one way to make a KernelContext.
 */
export async function createKernelContext(options: ContextOptions, defaultSource: WasmSource): Promise<KernelContext> {
  const o = { ...DEFAULTS, ...options };
  const backend = o.backend ?? 'auto';
  if (!['auto', 'wasm', 'wasm-simd', 'wasm-scalar', 'reference'].includes(backend)) {
    throw new FramekitError('E_ARGUMENT', `unknown backend ${JSON.stringify(backend)}`, { backend });
  }
  let arenaBytes: number;
  if (o.arenaBytes !== undefined) {
    checkDimension('arenaBytes', o.arenaBytes, 2 ** 32);
    arenaBytes = alignUp(o.arenaBytes, LAYOUT.alignment);
  } else {
    checkDimension('maxWidth', o.maxWidth);
    checkDimension('maxHeight', o.maxHeight);
    checkDimension('frames', o.frames, 1024);
    if (!Number.isInteger(o.scratchBytes) || o.scratchBytes < 0) {
      throw new FramekitError('E_ARGUMENT', `scratchBytes must be a non-negative integer, got ${o.scratchBytes}`);
    }
    arenaBytes = o.frames * frameSlotBytes(o.maxWidth, o.maxHeight) + alignUp(o.scratchBytes, LAYOUT.alignment);
  }
  const pages = memoryPagesFor(arenaBytes);
  const shared = o.shared === true;
  const memory = createMemory(pages, shared);
  const arena = new Arena(LAYOUT.arenaBase, pages * LAYOUT.pageBytes - LAYOUT.arenaBase);

  const hasWasm = typeof WebAssembly === 'object';
  const simdOk = hasWasm && wasmSimdSupported();
  let simd: boolean | null;
  if (backend === 'reference') simd = null;
  else if (backend === 'wasm-scalar') simd = false;
  else if (backend === 'wasm-simd') {
    if (!simdOk) throw new FramekitError('E_WASM', 'backend "wasm-simd" asked for, but this engine has no WebAssembly SIMD');
    simd = true;
  } else if (!hasWasm) {
    if (backend === 'wasm') throw new FramekitError('E_WASM', 'backend "wasm" asked for, but this engine has no WebAssembly');
    simd = null;
  } else simd = simdOk;

  const wasm = simd === null ? null : await loadWasm({ memory, pages, shared, simd, source: o.wasmSource ?? defaultSource });
  return new KernelContext(memory, arena, wasm, simd === null ? 'reference' : simd ? 'wasm-simd' : 'wasm-scalar');
}

/** Reserves kernel scratch up front so that no later kernel call allocates. Allocates: call it at setup. */
export function reserveScratch(src: ContextSource, bytes: number): void {
  contextOf(src).scratch.reserve(bytes);
}
