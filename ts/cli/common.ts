import { FramekitError } from '../errors.js';
import { createFramekit, type Backend, type Framekit, type Plane } from '../index.js';
import { encodeImage, imageKindOf, readImageFile, writeFileAtomic, type DecodedImage } from '../io/image.js';
import type { Values } from './command.js';

/** `--backend auto|reference|wasm|webgpu` to a framekit backend. */
export function backendOf(values: Values): Backend {
  const b = values.backend ?? 'auto';
  if (b === 'auto' || b === 'reference' || b === 'wasm') return b;
  // The commands that run on the GPU (info, gray, blur, sobel, pyrdown, fast, track) check for
  // 'webgpu' before they get here.
  if (b === 'webgpu')
    throw new FramekitError('E_ARGUMENT', '--backend webgpu runs info, gray, blur, sobel, pyrdown, fast and track only; use wasm here');
  throw new FramekitError('E_ARGUMENT', `--backend must be auto, reference, wasm or webgpu, got ${JSON.stringify(b)}`);
}

/**
 * Whether an arena that frames are read into from files should be a shared WebAssembly memory. Bun
 * copies a file read into a plain WebAssembly memory on the calling thread (0.264 ms per 1080p I420
 * frame) and into a shared one it does not (0.017 ms); Node costs about the same either way (0.088
 * and 0.061 ms) and keeps the plain memory (bench/results/read-into-arena-epyc-2core.json).
 */
export const sharedForFileReads: boolean = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';

export function requireArg(value: string | undefined, what: string): string {
  if (!value) throw new FramekitError('E_ARGUMENT', `missing ${what}`);
  return value;
}

/**
 * Decodes an image file and places it in a framekit sized for it, with `extraBytesPerPixel` more
 * arena per pixel for the command's outputs.
 */
export async function openImage(
  path: string,
  values: Values,
  extraBytesPerPixel: number,
): Promise<{ fk: Framekit; src: Plane; image: DecodedImage }> {
  const image = await readImageFile(path);
  const px = image.width * image.height;
  const fk = await createFramekit({ arenaBytes: px * (4 + extraBytesPerPixel) + (1 << 16), backend: backendOf(values) });
  const src = fk.writePixels(fk.allocPlane(image.width, image.height, image.format), image.data);
  return { fk, src, image };
}

/** Writes an 8-bit plane as .png/.pgm, or any plane's bytes as .raw, whole or not at all. */
export async function writePlaneFile(fk: Framekit, plane: Plane, path: string): Promise<void> {
  checkPlaneFile(plane.format, path);
  await writePlaneBytes(path, plane.width, plane.height, plane.format, fk.readPixels(plane));
}

/** E_FORMAT unless a plane of `format` can be written to `path` (8-bit planes as images, any plane as .raw). */
export function checkPlaneFile(format: Plane['format'], path: string): void {
  const kind = imageKindOf(path);
  if (format !== 'gray' && format !== 'rgb' && format !== 'rgba' && kind !== 'raw') {
    throw new FramekitError('E_FORMAT', `cannot write a ${format} plane as .${kind}`);
  }
}

/** Writes a plane's tightly packed bytes to `path` as writePlaneFile does, whole or not at all. */
export async function writePlaneBytes(
  path: string,
  width: number,
  height: number,
  format: Plane['format'],
  data: Uint8Array,
): Promise<void> {
  checkPlaneFile(format, path);
  const as = format === 'gray' ? 'gray' : format === 'rgb' ? 'rgb' : 'rgba';
  await writeFileAtomic(path, encodeImage({ width, height, format: as, data }, imageKindOf(path)));
}
