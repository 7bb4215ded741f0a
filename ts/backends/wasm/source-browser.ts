import { FramekitError } from '../../errors.js';
import type { WasmFile, WasmSource } from './source.js';
import pixelsSimd from '../../../wasm/bin/pixels.simd.wasm';
import pixelsScalar from '../../../wasm/bin/pixels.scalar.wasm';
import featuresSimd from '../../../wasm/bin/features.simd.wasm';
import featuresScalar from '../../../wasm/bin/features.scalar.wasm';

/**
 * In the browser bundle (`bun build --loader .wasm:file`) each import above is the URL of a copy of
 * the binary next to the bundle; only the build the engine needs is fetched.
 */
const URLS: Record<WasmFile, string> = {
  'pixels.simd.wasm': pixelsSimd,
  'pixels.scalar.wasm': pixelsScalar,
  'features.simd.wasm': featuresSimd,
  'features.scalar.wasm': featuresScalar,
};

export function fetchWasmSource(base: string | URL = import.meta.url): WasmSource {
  return async (file: WasmFile) => {
    const url = new URL(URLS[file], base);
    const res = await fetch(url);
    if (!res.ok) throw new FramekitError('E_WASM', `cannot fetch ${url.href}: HTTP ${res.status}`, { file });
    return new Uint8Array(await res.arrayBuffer());
  };
}
