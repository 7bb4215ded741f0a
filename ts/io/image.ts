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

/** Largest image framekit decodes by default (pixels): 64 MP, so a lying header cannot ask for gigabytes. */
export const MAX_PIXELS = 1 << 26;

export interface DecodeOptions {
  /** Refuse (E_DIMENSION) an image whose header claims more pixels, before anything is allocated (default MAX_PIXELS). */
  maxPixels?: number;
}

/** The size a PNG's IHDR or a JPEG's frame header claims, read without decoding; null if not found. */
export function claimedSize(bytes: Uint8Array): { width: number; height: number } | null {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] === 0x89 && bytes[1] === 0x50) {
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return null;
    return { width: dv.getUint32(16), height: dv.getUint32(20) };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    // Walk the marker segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
    let i = 2;
    while (i + 4 <= bytes.length) {
      if (bytes[i] !== 0xff) return null;
      const m = bytes[i + 1]!;
      if (m === 0xff) {
        i++;
        continue;
      }
      if (m === 0xd8 || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
        i += 2;
        continue;
      }
      const len = dv.getUint16(i + 2);
      if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
        if (i + 9 > bytes.length) return null;
        return { width: dv.getUint16(i + 7), height: dv.getUint16(i + 5) };
      }
      if (m === 0xda || len < 2) return null;
      i += 2 + len;
    }
  }
  return null;
}

/**
 * Decodes PNG (pngjs), JPEG (jpeg-js) or binary PGM/PPM by content, not by name. PNG and JPEG come
 * back as RGBA, PGM as gray, PPM as RGB. Throws E_DECODE for anything else or anything corrupt.
 * Allocates the decoded pixels: for loading inputs, not for the frame loop.
 */
export function decodeImage(bytes: Uint8Array, name = 'image', o: DecodeOptions = {}): DecodedImage {
  const b0 = bytes[0];
  const b1 = bytes[1];
  const maxPixels = o.maxPixels ?? MAX_PIXELS;
  const claimed = claimedSize(bytes);
  if (claimed && claimed.width * claimed.height > maxPixels) {
    throw new FramekitError(
      'E_DIMENSION',
      `${name}: ${claimed.width}x${claimed.height} is more than the ${maxPixels} pixels allowed; refused before decoding`,
      { name, width: claimed.width, height: claimed.height, maxPixels },
    );
  }
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
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxPixels / 1e6 });
      return { width: img.width, height: img.height, format: 'rgba', data: img.data };
    }
    if (b0 === 0x50 && (b1 === 0x35 || b1 === 0x36)) return decodePnm(bytes, maxPixels);
  } catch (e) {
    if (e instanceof FramekitError)
      throw new FramekitError(e.code === 'E_DIMENSION' ? 'E_DIMENSION' : 'E_DECODE', `${name}: ${e.message.replace(/^E_\w+: /, '')}`, {
        name,
      });
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
export async function readImageFile(path: string, o: DecodeOptions = {}): Promise<DecodedImage> {
  const { readFile } = await import('node:fs/promises');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new FramekitError('E_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path });
  }
  return decodeImage(bytes, path, o);
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
