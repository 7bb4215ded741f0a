/** Where the loader gets a `.wasm` file's bytes: a file name in `wasm/bin/` to its contents. */
export type WasmSource = (file: WasmFile) => Promise<Uint8Array>;

/** The binaries framekit ships: AssemblyScript's pixel kernels and Rust's feature kernels, each twice. */
export const WASM_FILES = ['pixels.simd.wasm', 'pixels.scalar.wasm', 'features.simd.wasm', 'features.scalar.wasm'] as const;
export type WasmFile = (typeof WASM_FILES)[number];
