/** Thrown when a GPU wait outlives its limit: the device is then treated as lost. */
export class GpuTimeout extends Error {
  constructor(what: string, ms: number) {
    super(`${what} did not finish within ${ms} ms`);
    this.name = 'GpuTimeout';
  }
}

/**
 * Settles with `p`, or rejects with GpuTimeout after `ms`. Every wait on the GPU goes through this:
 * a driver that never answers must not hang the caller. Allocates a timer and a promise: fine once
 * per frame (mapAsync itself returns a promise), never per pixel or per pass.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GpuTimeout(what, ms)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}
