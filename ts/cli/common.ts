import { FramekitError } from '../errors.js';
import { createFramekit, type Backend, type Framekit, type Plane } from '../index.js';
import { encodeImage, imageKindOf, readImageFile, writeFileAtomic, type DecodedImage } from '../io/image.js';
import type { Values } from './command.js';

/** `--backend auto|reference|wasm|webgpu` to a framekit backend. */
export function backendOf(values: Values): Backend {
  const b = values.backend ?? 'auto';
  if (b === 'auto' || b === 'reference' || b === 'wasm') return b;
  if (b === 'webgpu') throw new FramekitError('E_ARGUMENT', 'the webgpu backend is not available for this command yet');
  throw new FramekitError('E_ARGUMENT', `--backend must be auto, reference, wasm or webgpu, got ${JSON.stringify(b)}`);
}

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
  const kind = imageKindOf(path);
  const data = fk.readPixels(plane);
  const format = plane.format === 'gray' ? 'gray' : plane.format === 'rgb' ? 'rgb' : 'rgba';
  if (format !== plane.format && kind !== 'raw') {
    throw new FramekitError('E_FORMAT', `cannot write a ${plane.format} plane as .${kind}`);
  }
  await writeFileAtomic(path, encodeImage({ width: plane.width, height: plane.height, format, data }, kind));
}
