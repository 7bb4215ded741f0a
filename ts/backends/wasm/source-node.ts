import { FramekitError } from '../../errors.js';
import type { WasmFile, WasmSource } from './source.js';

/**
 * Reads the shipped binaries from disk in Node and Bun. The path is relative to this module, which
 * sits three folders below the package root both as source (ts/backends/wasm/) and as build output
 * (dist/ts/backends/wasm/, beside dist/wasm/bin/), so one expression serves both.
 */
export const nodeWasmSource: WasmSource = async (file: WasmFile) => {
  const { readFile } = await import('node:fs/promises');
  const url = new URL(`../../../wasm/bin/${file}`, import.meta.url);
  try {
    return new Uint8Array(await readFile(url));
  } catch (e) {
    throw new FramekitError('E_WASM', `cannot read ${url.pathname}: ${(e as Error).message}`, { file });
  }
};
