import { FramekitError } from '../errors.js';
import { alignUp, LAYOUT } from './layout.js';

/** How big the one memory must be: the fixed low regions plus the arena. */
export function memoryPagesFor(arenaBytes: number): number {
  const pages = alignUp(LAYOUT.arenaBase + arenaBytes, LAYOUT.pageBytes) / LAYOUT.pageBytes;
  if (pages > LAYOUT.maxPages) {
    throw new FramekitError(
      'E_OUT_OF_MEMORY',
      `an arena of ${arenaBytes} bytes needs ${pages} pages, more than WebAssembly's 4 GiB (${LAYOUT.maxPages} pages)`,
      { arenaBytes, pages },
    );
  }
  return pages;
}

/**
 * Creates framekit's one memory with `maximum` equal to `initial`: it is never grown, so every
 * typed-array view laid over it stays valid for the memory's lifetime.
 */
export function createMemory(pages: number, shared: boolean): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
  } catch (e) {
    throw new FramekitError('E_OUT_OF_MEMORY', `cannot reserve ${pages * LAYOUT.pageBytes} bytes: ${(e as Error).message}`, {
      pages,
      shared,
    });
  }
}
