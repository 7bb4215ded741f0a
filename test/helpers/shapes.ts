// The shape sweep the kernel suites share: every width from 1 to 65 (each tail length of a 16-byte
// vector, four times over), the heights a suite picks, sources whose rows are wider than the pixels
// and start off 16-byte alignment, seeded random pixels, and guard bytes around every plane a kernel
// writes. Each case frees what it made, whether its body passed or threw. (Imported from here, not
// through index.ts, which this module uses.)
import { expect } from 'bun:test';
import type { Framekit, PixelFormat, Plane } from '../../ts/index.js';
import { bytesPerPixel } from '../../ts/image/plane.js';
import { fillRandom, guarded } from './index.js';

/** 1, 1 + step, ... up to 65. */
export function widths(step = 1): number[] {
  const out: number[] = [];
  for (let w = 1; w <= 65; w += step) out.push(w);
  return out;
}

/** A seed source: start, start + 1, ... (one per case, so a run of sweeps never repeats an image). */
export function counter(start: number): () => number {
  let next = start;
  return () => next++;
}

export interface ShapeOptions {
  /** Source widths (default widths(): 1..65). */
  widths?: Iterable<number>;
  /** Source heights for a width. */
  heights: (w: number) => Iterable<number>;
  /** Source format (default 'gray'). */
  format?: PixelFormat;
  /** Fills the source (default: fillRandom with the next of `seed`). */
  fill?: (src: Plane, w: number) => void;
  /** Seeds for the default fill (default counter(1), new for each sweep). */
  seed?: () => number;
}

/** One case of a sweep. */
export interface Shape {
  w: number;
  h: number;
  /** The source: rows wider than its pixels by (7w mod 13) bytes, starting (w mod 16) bytes past alignment, inside guards. */
  src: Plane;
  /**
   * An output plane inside guard bytes, checked after the case: rows wider than its pixels by
   * (w mod 5) bytes, starting (3w mod 16) bytes past alignment, unless `o` says otherwise.
   */
  out(width: number, height: number, format: PixelFormat, o?: { stride?: number; offset?: number }): Plane;
  /** A plane for expected results (packed, aligned), freed after the case. */
  ref(width: number, height: number, format: PixelFormat): Plane;
}

/**
 * The cases of a sweep, for a `for...of` whose body runs the kernel into `out` planes and compares
 * them with `ref` planes. After each body that returns: every output's guard bytes and the source's
 * are checked (no write strayed) and the source is unchanged. Every plane is freed after each case.
 */
export function* shapes(fk: Framekit, o: ShapeOptions): Generator<Shape> {
  const format = o.format ?? 'gray';
  const bpp = bytesPerPixel(format);
  const seed = o.seed ?? counter(1);
  for (const w of o.widths ?? widths()) {
    for (const h of o.heights(w)) {
      const src = guarded(fk, w, h, format, { stride: w * bpp + ((w * 7) % 13), offset: w % 16 });
      const checked: Array<ReturnType<typeof guarded>> = [src];
      const made: Array<ReturnType<typeof guarded>> = [src];
      try {
        if (o.fill) o.fill(src.plane, w);
        else fillRandom(src.plane, seed());
        const before = src.plane.data.slice();
        yield {
          w,
          h,
          src: src.plane,
          out: (width, height, f, p = {}) => {
            const g = guarded(fk, width, height, f, {
              stride: p.stride ?? width * bytesPerPixel(f) + (w % 5),
              offset: p.offset ?? (w * 3) % 16,
            });
            made.push(g);
            checked.push(g);
            return g.plane;
          },
          ref: (width, height, f) => {
            const g = guarded(fk, width, height, f);
            made.push(g);
            return g.plane;
          },
        };
        for (const g of checked) g.check();
        expect(src.plane.data).toEqual(before);
      } finally {
        for (const g of made) g.free();
      }
    }
  }
}
