import { FramekitError } from '../errors.js';

/** Bits of a handle that hold the slot index; the generation takes the bits above (handles stay < 2^31). */
export const HANDLE_INDEX_BITS = 10;
const GEN_MASK = (1 << (31 - HANDLE_INDEX_BITS)) - 1;

/**
 * What video frames (Frame) and audio frames (AudioFrame) share: a slot index in their pool, a
 * reference count, a generation that changes on every final release, a handle made of both, and
 * attachment slots (named at pool creation, stored in arrays made once) with the compute-once and
 * attachAsync rules. Every method is allocation-free except `attachAsync` (one callback per call);
 * using a released frame throws E_STATE, an unknown attachment name E_ARGUMENT.
 *
 * `A` maps the built-in attachment names to their types, for typed overloads.
 */
export abstract class PooledFrame<A> {
  readonly index: number;
  /** Position in the pool's acquire order; -1 while the frame is free. */
  seq = -1;
  /** Changes on every final release; async results and handles from an older generation are stale. */
  generation = 0;
  /** @internal */ _refs = 0;
  /** Attachment values by slot, and whether each slot holds one (subclasses read their built-in slots directly). */
  protected readonly attached: unknown[];
  protected readonly present: Uint8Array;
  readonly #keys: ReadonlyMap<string, number>;
  readonly #noun: string;

  protected constructor(index: number, keys: ReadonlyMap<string, number>, noun: string) {
    this.index = index;
    this.#keys = keys;
    this.#noun = noun;
    this.attached = new Array<unknown>(keys.size).fill(null);
    this.present = new Uint8Array(keys.size);
  }

  /** True between acquire and the last release. */
  get live(): boolean {
    return this._refs > 0;
  }

  get refs(): number {
    return this._refs;
  }

  /** The slot index and generation in one non-negative int32: what a ring carries across threads. */
  get handle(): number {
    return (this.generation & GEN_MASK) * (1 << HANDLE_INDEX_BITS) + this.index;
  }

  /** True while the frame is live and still in `generation` (nothing released it since). */
  isCurrent(generation: number): boolean {
    return this._refs > 0 && this.generation === generation;
  }

  /** Adds a reference for another consumer; each `retain()` needs its own `release()`. Returns the frame. */
  retain(): this {
    if (this._refs === 0) this.stale('retain');
    this._refs++;
    return this;
  }

  /** Attaches a result. Throws E_STATE on a released frame and E_ARGUMENT for a key the pool does not have. */
  attach<K extends keyof A & string>(key: K, value: A[K]): this;
  attach(key: string, value: unknown): this;
  attach(key: string, value: unknown): this {
    if (this._refs === 0) this.stale('attach');
    const i = this.#key(key);
    this.attached[i] = value;
    this.present[i] = 1;
    return this;
  }

  /** The attached result, or null when nothing is attached under `key`. */
  get<K extends keyof A & string>(key: K): A[K] | null;
  get(key: string): unknown;
  get(key: string): unknown {
    if (this._refs === 0) this.stale('get');
    const i = this.#key(key);
    return this.present[i] === 1 ? this.attached[i] : null;
  }

  has(key: string): boolean {
    if (this._refs === 0) this.stale('has');
    return this.present[this.#key(key)] === 1;
  }

  detach(key: string): this {
    if (this._refs === 0) this.stale('detach');
    const i = this.#key(key);
    this.attached[i] = null;
    this.present[i] = 0;
    return this;
  }

  /**
   * Compute-once: the attachment under `key`, computing and attaching it with `compute(frame)` only
   * when absent. Pass a function made once (a module-level function), not a fresh closure per frame.
   */
  ensure<K extends keyof A & string>(key: K, compute: (frame: this) => A[K]): A[K];
  ensure<V>(key: string, compute: (frame: this) => V): V;
  ensure(key: string, compute: (frame: this) => unknown): unknown {
    if (this._refs === 0) this.stale('ensure');
    const i = this.#key(key);
    if (this.present[i] === 1) return this.attached[i];
    const v = compute(this);
    this.attached[i] = v;
    this.present[i] = 1;
    return v;
  }

  /**
   * Attaches `promise`'s value under `key` when it settles, unless the frame was released (and perhaps
   * reused) in between: then the value is discarded. Nothing waits for it. Resolves true when attached,
   * false when discarded; rejects when `promise` rejects. Allocates one callback: fine per frame for
   * async work, which allocates anyway, but not in a tight loop.
   */
  attachAsync<K extends keyof A & string>(key: K, promise: PromiseLike<A[K]>): Promise<boolean>;
  attachAsync(key: string, promise: PromiseLike<unknown>): Promise<boolean>;
  attachAsync(key: string, promise: PromiseLike<unknown>): Promise<boolean> {
    if (this._refs === 0) this.stale('attachAsync');
    const i = this.#key(key);
    const gen = this.generation;
    return Promise.resolve(promise).then((v) => this.#attachAt(gen, i, v));
  }

  /**
   * The rule `attachAsync` applies when its promise settles, for a stage that hears its result by
   * callback instead (no promise, no allocation): attaches `value` under `key` and returns true
   * while the frame is live in `generation` (read when the work began); returns false, attaching
   * nothing, once the frame was released since (perhaps reused for other content).
   */
  attachIfCurrent(generation: number, key: string, value: unknown): boolean {
    return this.#attachAt(generation, this.#key(key), value);
  }

  #attachAt(gen: number, i: number, v: unknown): boolean {
    if (this._refs === 0 || this.generation !== gen) return false;
    this.attached[i] = v;
    this.present[i] = 1;
    return true;
  }

  /** Detaches everything (new content was written; every result is out of date). */
  clearAttachments(): void {
    const v = this.attached;
    const p = this.present;
    for (let i = 0; i < p.length; i++) {
      v[i] = null;
      p[i] = 0;
    }
  }

  /** For the pool's last release: no references, not in acquire order, a new generation, no attachments. */
  protected endGeneration(): void {
    this._refs = 0;
    this.seq = -1;
    this.generation = (this.generation + 1) & GEN_MASK;
    this.clearAttachments();
  }

  protected stale(op: string): never {
    throw new FramekitError('E_STATE', `${op}: ${this.#noun} ${this.index} (generation ${this.generation}) was released`, {
      index: this.index,
      generation: this.generation,
    });
  }

  #key(key: string): number {
    const i = this.#keys.get(key);
    if (i === undefined) {
      throw new FramekitError(
        'E_ARGUMENT',
        `unknown ${this.#noun === 'frame' ? '' : 'audio '}attachment ${JSON.stringify(key)}; this pool has ${[...this.#keys.keys()].join(', ')}`,
        { key },
      );
    }
    return i;
  }
}

/**
 * The live frame with the lowest `seq` among those a single reference holds, or null: what a pool's
 * 'drop-oldest' policy may take from its holder. A frame a reader retained (two references or more)
 * is never taken.
 */
export function oldestSingleHeld<F extends { readonly _refs: number; readonly seq: number }>(frames: readonly F[]): F | null {
  let f: F | null = null;
  for (let i = 0; i < frames.length; i++) {
    const c = frames[i]!;
    if (c._refs === 1 && (f === null || c.seq < f.seq)) f = c;
  }
  return f;
}
