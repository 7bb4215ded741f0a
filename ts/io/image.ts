import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { FramekitError } from '../errors.js';
import { decodePnm, encodePnm } from './pnm.js';

/** A decoded image, tightly packed: `data.length === width * height * bytes per pixel`. */
export interface DecodedImage {
  width: number;
  height: number;
  format: 'rgba' | 'rgb' | 'gray';
  data: Uint8Array;
}

/** Largest image framekit decodes (pixels), so a corrupt header cannot ask for gigabytes. */
const MAX_PIXELS = 1 << 28;

/**
 * Decodes PNG (pngjs), JPEG (jpeg-js) or binary PGM/PPM by content, not by name. PNG and JPEG come
 * back as RGBA, PGM as gray, PPM as RGB. Throws E_DECODE for anything else or anything corrupt.
 * Allocates the decoded pixels: for loading inputs, not for the frame loop.
 */
export function decodeImage(bytes: Uint8Array, name = 'image'): DecodedImage {
  const b0 = bytes[0];
  const b1 = bytes[1];
  try {
    if (b0 === 0x89 && b1 === 0x50) {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return {
        width: png.width,
        height: png.height,
        format: 'rgba',
        data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length),
      };
    }
    if (b0 === 0xff && b1 === 0xd8) {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6 });
      return { width: img.width, height: img.height, format: 'rgba', data: img.data };
    }
    if (b0 === 0x50 && (b1 === 0x35 || b1 === 0x36)) return decodePnm(bytes);
  } catch (e) {
    if (e instanceof FramekitError) throw new FramekitError('E_DECODE', `${name}: ${e.message.replace(/^E_\w+: /, '')}`, { name });
    throw new FramekitError('E_DECODE', `${name}: corrupt image (${(e as Error).message})`, { name });
  }
  throw new FramekitError('E_DECODE', `${name}: unknown image format (PNG, JPEG, PGM and PPM are read)`, { name });
}

/** Output kinds by file extension. `.raw` writes the plane's bytes as they are, row-major, no padding. */
export type ImageFileKind = 'png' | 'pgm' | 'ppm' | 'raw';

export function imageKindOf(path: string): ImageFileKind {
  const ext = path.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if (ext === 'png' || ext === 'pgm' || ext === 'ppm' || ext === 'raw') return ext;
  throw new FramekitError('E_ARGUMENT', `cannot write ${JSON.stringify(path)}: the extension must be .png, .pgm, .ppm or .raw`, { path });
}

/** Encodes an image for `kind`. Allocates the file's bytes. */
export function encodeImage(img: DecodedImage, kind: ImageFileKind): Uint8Array {
  if (kind === 'raw') return img.data;
  if (kind === 'pgm' || kind === 'ppm') {
    if ((kind === 'pgm') !== (img.format === 'gray')) throw new FramekitError('E_FORMAT', `.${kind} cannot hold a ${img.format} image`);
    return encodePnm(img);
  }
  const colorType = img.format === 'gray' ? 0 : img.format === 'rgb' ? 2 : 6;
  const png = new PNG({
    width: img.width,
    height: img.height,
    colorType,
    inputColorType: colorType,
    inputHasAlpha: img.format === 'rgba',
  } as never);
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  const out = PNG.sync.write(png, { colorType, inputColorType: colorType, inputHasAlpha: img.format === 'rgba' } as never);
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/** Reads and decodes an image file. Throws E_IO when it cannot be read, E_DECODE when it is not an image. */
export async function readImageFile(path: string): Promise<DecodedImage> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new FramekitError('E_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path });
  }
  return decodeImage(bytes, path);
}

/**
 * Writes a file whole or not at all: the bytes go to a temporary file beside it, renamed into place
 * once complete, so a failure never leaves a partial output.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const { writeFile, rename, rm } = await import('node:fs/promises');
  const tmp = `${path}.${process.pid}.partial`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new FramekitError('E_IO', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path });
  }
}
