import type { Arena, Region } from '../memory/arena.js';

/**
 * Kernel scratch: ONE arena region per kernel context, for the rows of intermediate sums, weight
 * tables, candidate lists and match tables that kernels need during a call. There is no other
 * scratch allocator, so two kernels can never hold different ones believing each is private.
 *
 * Rule for kernels: a pointer from `take()` is valid until the next kernel call on the same context
 * (any kernel may take it). A kernel that calls a sibling kernel takes its scratch again afterwards
 * rather than holding it across the call. Calls are synchronous, so one region serves all of them.
 *
 * Lazy and grow-only: the first call at a new largest need allocates (arena bookkeeping); the frame
 * loop at a steady size never touches the arena. `reserve()` (public as `reserveScratch`) moves even
 * that first allocation to setup.
 */
export class Scratch {
  readonly #arena: Arena;
  #region: Region | null = null;

  constructor(arena: Arena) {
    this.#arena = arena;
  }

  /** A 16-byte-aligned pointer to at least `bytes` bytes of scratch, valid until the next kernel call. */
  take(bytes: number): number {
    const r = this.#region;
    if (r && r.size >= bytes) return r.ptr;
    const next = this.#arena.alloc(Math.max(bytes, 4096), 'kernel scratch');
    if (r) this.#arena.free(r);
    this.#region = next;
    return next.ptr;
  }

  /** Makes sure later `take(n)` calls with n <= `bytes` allocate nothing. Allocates: call at setup. */
  reserve(bytes: number): void {
    this.take(bytes);
  }

  /** Bytes held now (0 before the first use). */
  get bytes(): number {
    return this.#region?.size ?? 0;
  }
}
