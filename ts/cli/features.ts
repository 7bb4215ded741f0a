import { FramekitError } from '../errors.js';
import type { Framekit, Plane } from '../index.js';
import type { Values } from './command.js';

/** The gray plane of an opened image: the image itself when it is gray, else its luma (one more plane). */
export function grayOf(fk: Framekit, src: Plane): Plane {
  if (src.format === 'gray') return src;
  return fk.gray(fk.allocPlane(src.width, src.height, 'gray'), src) as Plane;
}

/** An integer option within [min, max], or its default. */
export function intOption(values: Values, name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new FramekitError('E_ARGUMENT', `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export { orbOf } from '../features/register.js';
