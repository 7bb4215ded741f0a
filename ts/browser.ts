/** framekit for the browser: the same API as ts/index.ts, with the WASM binaries fetched by URL. */
import { fetchWasmSource } from './backends/wasm/source-browser.js';
import { Framekit, type FramekitOptions } from './framekit.js';

export * from './api.js';

/** Creates the memory, its arena and the kernels. Call once at start; it fetches the WASM modules. */
export function createFramekit(options: FramekitOptions = {}): Promise<Framekit> {
  return Framekit.create(options, fetchWasmSource());
}
// Audio capture (browser only): getUserMedia through an AudioWorklet into a SampleRing, resampled to 16 kHz.
export { captureAudio, type AudioCapture, type CaptureOptions } from './audio/capture.js';
