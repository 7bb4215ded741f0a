/// <reference types="@webgpu/types" />
import type { GpuContext } from './device.js';
import { GpuPool } from './pool.js';

/** The `detail` of the `gpulost` event. */
export interface GpuLostDetail {
  adapter: string;
  reason: string;
}

/**
 * The GPU framekit holds: its device, the pool every pass allocates from, and whether it still
 * works. It fails once: on the device's `lost` promise, an uncaptured GPU error, a map that fails,
 * or a wait that times out; it then destroys the device, dispatches one `gpulost` event
 * (a CustomEvent with GpuLostDetail) and every chain runs on WASM from the next frame on.
 */
export class GpuBackend extends EventTarget {
  readonly device: GPUDevice;
  readonly pool: GpuPool;
  readonly adapterName: string;
  readonly timestamps: boolean;
  /** Milliseconds any one wait on the GPU (a readback, a queue drain) may take before the GPU counts as failed; applies to waits begun after a change. */
  timeoutMs: number;
  /** Keeps Dawn's instance alive as long as the device (see GpuContext.owner). */
  readonly context: GpuContext;
  #lost: string | null = null;

  constructor(ctx: GpuContext, timeoutMs = 2000) {
    super();
    this.context = ctx;
    this.device = ctx.device;
    this.adapterName = ctx.adapterName;
    this.timestamps = ctx.timestamps;
    this.timeoutMs = timeoutMs;
    this.pool = new GpuPool(ctx.device);
    ctx.device.lost.then(
      (info) => this.fail(`device lost (${info.reason}): ${info.message || 'no message'}`),
      () => undefined,
    );
    ctx.device.addEventListener('uncapturederror', (e) => this.fail(`GPU error: ${(e as GPUUncapturedErrorEvent).error.message}`));
  }

  /** True until the first failure. */
  get alive(): boolean {
    return this.#lost === null;
  }

  /** Why the GPU stopped being used, or null while it works. */
  get lostReason(): string | null {
    return this.#lost;
  }

  /** Marks the GPU failed (once; later calls are ignored), destroys the device, reports the loss. */
  fail(reason: string): void {
    if (this.#lost !== null) return;
    this.#lost = reason;
    // Destroyed on a later turn: fail() may run inside one of Dawn's callbacks (an uncaptured error),
    // and destroying the device from there deadlocks (seen with webgpu 0.6.2). Destroying rejects
    // every map in flight, so their frames fall back at once.
    setTimeout(() => {
      try {
        this.device.destroy();
      } catch {
        // already gone
      }
    }, 0);
    const detail: GpuLostDetail = { adapter: this.adapterName, reason };
    this.dispatchEvent(new CustomEvent('gpulost', { detail }));
  }
}
