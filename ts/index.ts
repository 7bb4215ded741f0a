/**
 * framekit for Node and Bun. The browser build (ts/browser.ts) exports the same API.
 *
 * ```ts
 * import { createFramekit } from 'framekit';
 * const fk = await createFramekit({ maxWidth: 1280, maxHeight: 720 });
 * const rgba = fk.allocPlane(1280, 720, 'rgba');
 * const gray = fk.allocPlane(1280, 720, 'gray');
 * fk.writePixels(rgba, pixels);   // or decode straight into rgba.data
 * fk.gray(gray, rgba);            // gray.data now holds the luma
 * ```
 */
import { nodeWasmSource } from './backends/wasm/source-node.js';
import { Framekit, type FramekitOptions } from './framekit.js';

export * from './api.js';

/** Creates the memory, its arena and the kernels. Call once at start; it loads the WASM modules. */
export function createFramekit(options: FramekitOptions = {}): Promise<Framekit> {
  return Framekit.create(options, nodeWasmSource);
}

// Image files (Node and Bun only): decode PNG/JPEG/PGM/PPM, encode PNG/PGM/PPM/RAW.
export { decodeImage, encodeImage, readImageFile, writeFileAtomic, type DecodedImage, type ImageFileKind } from './io/image.js';
// Audio files (Node and Bun only): WAV read by framekit, anything else through ffmpeg, into a SampleRing.
export { openAudio, openFfmpegAudio, probeAudio, AUDIO_RATE, type AudioSource, type AudioProbe } from './io/audio.js';
export { openWav, decodeWav, parseWavHeader, type WavInfo } from './io/wav.js';
