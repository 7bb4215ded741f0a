import { arg, type StripeKernel } from '../stripe.js';

/** Int32s per pyramid level in the job's level table: I ptr, I stride, J ptr, J stride, width, height. */
export const LK_LEVEL_INTS = 6;

/** f32 arguments travel as their bits in the int32 control block. */
const FLOATS = new Float32Array(2);
const BITS = new Int32Array(FLOATS.buffer);

/** The int32 that carries `x` rounded to f32. */
export function f32Bits(x: number): number {
  FLOATS[0] = x;
  return BITS[0]!;
}

/**
 * Pyramidal Lucas-Kanade (rust/src/lk) for points [y0, y1): the stripe's "rows" are points. Every
 * point descends the pyramid on its own (no point reads another's result), so a range of points
 * run from the top level to level 0 gives exactly what the whole call gives for them. Arguments:
 * level table (byte offset, LK_LEVEL_INTS int32s per level), maxLevel, prev points, next points,
 * status, err (byte offsets of the whole arrays), win, maxCount, eps and minEig (f32 bits), flags.
 */
export const lkStripe: StripeKernel = (c, y0, y1) => {
  const [table, maxLevel, prev, next, status, err, win, maxCount, epsBits, minEigBits, flags] = [
    arg(c, 0),
    arg(c, 1),
    arg(c, 2),
    arg(c, 3),
    arg(c, 4),
    arg(c, 5),
    arg(c, 6),
    arg(c, 7),
    arg(c, 8),
    arg(c, 9),
    arg(c, 10),
  ];
  BITS[0] = epsBits;
  BITS[1] = minEigBits;
  const t = c.i32;
  const lk = c.wasm.features.fk_lk_level;
  for (let level = maxLevel; level >= 0; level--) {
    const e = (table >> 2) + level * LK_LEVEL_INTS;
    lk(
      t[e]!,
      t[e + 1]!,
      t[e + 2]!,
      t[e + 3]!,
      t[e + 4]!,
      t[e + 5]!,
      prev + 8 * y0,
      next + 8 * y0,
      status + y0,
      err + 4 * y0,
      y1 - y0,
      win,
      win,
      level,
      maxLevel,
      maxCount,
      FLOATS[0]!,
      FLOATS[1]!,
      flags,
    );
  }
};
