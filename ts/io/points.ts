import { FramekitError } from '../errors.js';

/** Most points a point file may hold (the flow kernel's buffers are sized from it). */
export const MAX_POINTS = 1 << 20;

/**
 * Parses `[{x, y}, ...]` (JSON text) into x, y pairs. E_DECODE when the text is not JSON,
 * E_ARGUMENT when it is JSON of another shape, a point is not two finite numbers, or there are
 * more than MAX_POINTS. Allocates the pairs: for loading inputs, not for the frame loop.
 */
export function parsePoints(text: string, name = 'points'): number[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new FramekitError('E_DECODE', `${name}: not JSON (${(e as Error).message})`, { name });
  }
  if (!Array.isArray(data)) throw new FramekitError('E_ARGUMENT', `${name}: expected an array of {x, y}`, { name });
  if (data.length > MAX_POINTS) throw new FramekitError('E_ARGUMENT', `${name}: ${data.length} points, more than ${MAX_POINTS}`, { name });
  const xy: number[] = [];
  data.forEach((p: unknown, i) => {
    const q = p as { x?: unknown; y?: unknown } | null;
    const ok =
      q !== null &&
      typeof q === 'object' &&
      typeof q.x === 'number' &&
      typeof q.y === 'number' &&
      Number.isFinite(q.x) &&
      Number.isFinite(q.y);
    if (!ok) throw new FramekitError('E_ARGUMENT', `${name}: point ${i} is not {x, y} with finite numbers`, { name, index: i });
    xy.push(q.x as number, q.y as number);
  });
  return xy;
}

/** Reads a point file (see parsePoints); E_IO when it cannot be read. */
export async function readPoints(path: string): Promise<number[]> {
  const { readFile } = await import('node:fs/promises');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new FramekitError('E_IO', `cannot read points from ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      path,
    });
  }
  return parsePoints(text, path);
}
