import { FramekitError } from '../errors.js';
import type { DecodedImage } from './image.js';

/**
 * Binary PGM (P5) and PPM (P6) with 8-bit samples (maxval <= 255): a text header and raw rows.
 * The format is a header and a memcpy, so it is handled here rather than through a codec library.
 */
export function decodePnm(bytes: Uint8Array, maxPixels = 1 << 26): DecodedImage {
  const magic = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (magic !== 'P5' && magic !== 'P6')
    throw new FramekitError('E_DECODE', `unsupported PNM type ${JSON.stringify(magic)} (P5 and P6 are read)`);
  const fields: number[] = [];
  let i = 2;
  while (fields.length < 3) {
    const c = bytes[i];
    if (c === undefined) throw new FramekitError('E_DECODE', 'truncated PNM header');
    if (c === 0x23) {
      while (i < bytes.length && bytes[i] !== 0x0a) i++;
    } else if (c >= 0x30 && c <= 0x39) {
      let n = 0;
      while (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) n = n * 10 + bytes[i++]! - 0x30;
      fields.push(n);
      continue;
    } else if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) {
      throw new FramekitError('E_DECODE', `corrupt PNM header at byte ${i}`);
    }
    i++;
  }
  i++; // the single whitespace byte after maxval
  const [width, height, maxval] = fields as [number, number, number];
  if (width < 1 || height < 1) throw new FramekitError('E_DECODE', `PNM size ${width}x${height} is empty`);
  if (width * height > maxPixels)
    throw new FramekitError('E_DIMENSION', `PNM size ${width}x${height} is more than the ${maxPixels} pixels allowed`, {
      width,
      height,
      maxPixels,
    });
  if (maxval < 1 || maxval > 255) throw new FramekitError('E_DECODE', `PNM maxval ${maxval} is not 8-bit`);
  const channels = magic === 'P5' ? 1 : 3;
  const need = width * height * channels;
  if (bytes.length - i < need) throw new FramekitError('E_DECODE', `PNM data truncated: ${bytes.length - i} of ${need} bytes`);
  return { width, height, format: channels === 1 ? 'gray' : 'rgb', data: bytes.subarray(i, i + need) };
}

/** A P5 (gray) or P6 (rgb) file of tightly packed pixels. */
export function encodePnm(img: DecodedImage): Uint8Array {
  const magic = img.format === 'gray' ? 'P5' : img.format === 'rgb' ? 'P6' : null;
  if (!magic) throw new FramekitError('E_FORMAT', `PNM holds gray or rgb, not ${img.format}`);
  const header = new TextEncoder().encode(`${magic}\n${img.width} ${img.height}\n255\n`);
  const out = new Uint8Array(header.length + img.data.length);
  out.set(header);
  out.set(img.data, header.length);
  return out;
}
