// Everything the package exports besides createFramekit, shared by the Node/Bun and browser entries.
export { Framekit, type Backend, type FramekitInfo, type FramekitOptions } from './framekit.js';
export { FramekitError, type FramekitErrorCode } from './errors.js';
export { Plane, PIXEL_FORMATS, bytesPerPixel, type PixelFormat, type PlaneLike } from './image/plane.js';
export { Arena, type ArenaStats, type Region } from './memory/arena.js';
export { LAYOUT } from './memory/layout.js';
export { wasmSimdSupported } from './backends/wasm/simd.js';
export type { WasmSource, WasmFile } from './backends/wasm/source.js';
export { grayReference } from './kernels/gray/reference.js';
