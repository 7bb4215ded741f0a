import type { KernelContext } from '../core/context.js';
import { FramekitError } from '../errors.js';
import type { Region } from '../memory/arena.js';
import { LAYOUT } from '../memory/layout.js';
import { CTL } from './control.js';
import type { JobEngine, ThreadSlot } from './engine.js';
import type { InitMessage, WorkerMessage } from './protocol.js';
import { spawnWorker, workerUrl, type WorkerHandle } from './spawn.js';

/** Tries at starting a replacement worker before the pool gives up on that slot (and says so). */
const REPLACE_TRIES = 5;

export interface Slot extends ThreadSlot {
  handle: WorkerHandle | null;
  /** Bumped on every spawn, so a late event from a replaced worker is ignored. */
  life: number;
}

/**
 * The worker threads' lifecycle: each one's Rust stack in the arena, starting it on the shared
 * memory, replacing one that fails (after the engine re-runs its stripe), stopping them all.
 */
export class Threads {
  readonly slots: Slot[];
  readonly #stacks: Region[] = [];
  readonly #ctx: KernelContext;
  readonly #log: (line: string) => void;
  readonly #engine: JobEngine;
  #stopped = false;
  crashes = 0;
  lastCrash: string | null = null;

  /** Fills `slots` (the array `engine` reads) with `n` threads and reserves their Rust stacks; starts nothing (see `startAll`). */
  constructor(ctx: KernelContext, engine: JobEngine, slots: Slot[], n: number, log: (line: string) => void) {
    this.#ctx = ctx;
    this.#engine = engine;
    this.slots = slots;
    this.#log = log;
    for (let i = 0; i < n; i++) {
      this.slots.push({ index: i, handle: null, ready: false, life: 0 });
      this.#stacks.push(ctx.arena.alloc(LAYOUT.rustStackTop, `worker ${i} Rust stack`));
    }
  }

  /** Starts every thread on the engine's control block; resolves once each has instantiated the modules. */
  startAll(): Promise<void> {
    return Promise.all(this.slots.map((s) => this.#spawn(s))).then(() => undefined);
  }

  get ready(): number {
    return this.slots.filter((s) => s.ready).length;
  }

  #spawn(slot: Slot): Promise<void> {
    const life = ++slot.life;
    slot.ready = false;
    const engine = this.#engine;
    const wasm = this.#ctx.wasm!;
    return new Promise<void>((resolve, reject) => {
      const onMessage = (d: unknown) => {
        const m = d as WorkerMessage;
        // A round's end counts even from a worker replaced since it posted it (the engine checks the round).
        if (m.type === 'done') return engine.done(m.seq);
        if (slot.life !== life) return;
        if (m.type === 'ready') {
          slot.ready = true;
          resolve();
        } else if (m.type === 'error') onCrash(m.message);
      };
      const onCrash = (why: string) => {
        if (slot.life !== life || this.#stopped) return;
        if (!slot.ready) {
          slot.life++;
          reject(new FramekitError('E_STATE', `worker ${slot.index} failed to start: ${why}`));
          return;
        }
        this.#crashed(slot, why);
      };
      spawnWorker(workerUrl(), { message: onMessage, crash: onCrash })
        .then((h) => {
          slot.handle = h;
          const init: InitMessage = {
            type: 'init',
            index: slot.index,
            memory: this.#ctx.memory,
            pixels: wasm.compiled.pixels,
            features: wasm.compiled.features,
            simd: wasm.simd,
            ctl: engine.ctlRegion.ptr,
            stackTop: this.#stacks[slot.index]!.ptr + LAYOUT.rustStackTop,
            seq: Atomics.load(engine.ctl, CTL.SEQ),
          };
          h.post(init);
        })
        .catch(reject);
    });
  }

  /** A worker failed: the engine re-runs its work; a new worker takes its place. */
  #crashed(slot: Slot, why: string): void {
    this.crashes++;
    const old = slot.handle;
    slot.life++;
    slot.ready = false;
    slot.handle = null;
    void old?.terminate().catch(() => undefined);
    this.#engine.recover(slot.index);
    this.lastCrash = `worker ${slot.index}: ${why}`;
    this.#replace(slot, 1);
  }

  /**
   * Starts a fresh worker in `slot`. A replacement that dies while starting (killed too, say) counts
   * as a crash and is tried again, up to REPLACE_TRIES times in a row, a little later each time.
   */
  #replace(slot: Slot, attempt: number): void {
    if (this.#stopped) return;
    this.#spawn(slot).catch((e: unknown) => {
      if (this.#stopped) return;
      this.crashes++;
      this.lastCrash = `worker ${slot.index}: ${String((e as Error)?.message ?? e)}`;
      const old = slot.handle;
      slot.handle = null;
      void old?.terminate().catch(() => undefined);
      if (attempt >= REPLACE_TRIES) return this.#log(`framekit: worker ${slot.index} could not be replaced: ${String(e)}`);
      setTimeout(() => this.#replace(slot, attempt + 1), 20 * attempt);
    });
  }

  /**
   * Kills worker `index` as a crash would (for fault tests): the thread is terminated without being
   * asked to stop, so the pool sees it die, re-runs its stripe and starts a replacement. Returns false
   * when that worker is not running.
   */
  kill(index: number): boolean {
    const h = this.slots[index]?.handle;
    if (!h) return false;
    h.kill();
    return true;
  }

  /** Marks the threads stopping: a failure from now on is not replaced. */
  stopping(): void {
    this.#stopped = true;
  }

  /** Tells the workers to leave their loop, waits for them to end, and returns their stacks. */
  async stop(ctl: Int32Array): Promise<void> {
    this.#stopped = true;
    Atomics.store(ctl, CTL.STOP, 1);
    Atomics.add(ctl, CTL.SEQ, 1);
    Atomics.notify(ctl, CTL.SEQ);
    await Promise.all(this.slots.map((s) => s.handle?.terminate().catch(() => undefined)));
    for (const s of this.slots) s.handle = null;
    for (const r of this.#stacks) this.#ctx.arena.free(r);
  }
}
