/// <reference types="@webgpu/types" />
import { FAST_KEYPOINT_SIZE } from '../../core/formats.js';
import { FramekitError, checkDimension } from '../../errors.js';
import { Keypoints } from '../../features/keypoints.js';
import type { Frame } from '../../frame/frame.js';
import { contextOf, type ContextSource, type KernelContext } from '../../core/context.js';
import { allocPlane, freePlane } from '../../image/alloc.js';
import { checkGray } from '../../kernels/gray/api.js';
import { runPyrDown } from '../../kernels/pyrdown/api.js';
import { planFast, runFast, type FastPlan } from '../../kernels/fast/api.js';
import { checkPlane, type Plane, type PlaneLike } from '../../image/plane.js';
import type { GpuBackend } from './backend.js';
import { GpuChain, type ChainConfig, type ExternalSource } from './gpu-chain.js';
import { pyrDownSize } from './passes/pyrdown.js';
import { withTimeout } from './timeout.js';

export type ChainOptions = Pick<ChainConfig, 'width' | 'height' | 'format'> & Partial<ChainConfig>;

/** Where a chain's results were computed. */
export type ResultLocation = 'webgpu' | 'wasm';

/** A chain's result for one frame: the keypoints, and where they were computed. Made by `createOutput()`. */
export interface ChainOutput {
  readonly keypoints: Keypoints;
  where: ResultLocation;
}

/**
 * gray -> pyramid -> FAST for frames of one size, on the GPU while it works and on WASM otherwise,
 * with the same answer either way (keypoints sorted by level, y, x, as OpenCV lists them). The GPU
 * half also keeps a blurred plane on the device for later GPU passes (`gpuPlanes`); the WASM twin
 * computes only what its keypoints need.
 *
 * - GPU failure of any kind (device lost, `device.destroy()`, an uncaptured error, a readback past
 *   its timeout) is reported once by the backend (`gpulost` event, `fk.info().gpuFallback`); the
 *   frame it happened to, and every frame in flight with it, is recomputed on WASM, so `run` never
 *   rejects for a GPU reason and no frame is lost. Later frames go straight to WASM.
 * - The WASM twin's planes are allocated with the chain, so a fallback mid-stream allocates nothing.
 * - `src` must stay unchanged until its `run` settles (a fallback reads it again).
 */
export class KeypointChain {
  readonly config: ChainConfig;
  /** Why this chain runs on WASM, or null while it runs on the GPU. */
  fallbackReason: string | null;
  readonly #ctx: KernelContext;
  readonly #backend: GpuBackend | null;
  #gpu: GpuChain | null;
  /** The WASM twin's planes (levels[0] is the gray plane) and per-level list; FAST's options as checked at creation. */
  readonly #cpu: { levels: Plane[]; level: Keypoints; fast: FastPlan };

  private constructor(ctx: KernelContext, backend: GpuBackend | null, gpu: GpuChain | null, config: ChainConfig, reason: string | null) {
    this.#ctx = ctx;
    this.#backend = backend;
    this.#gpu = gpu;
    this.config = config;
    this.fallbackReason = reason;
    const { width, height, levels, capacity } = config;
    const lv = [allocPlane(ctx, width, height, 'gray')];
    for (let i = 1; i < levels; i++) lv.push(allocPlane(ctx, ...pyrDownSize(lv[i - 1]!.width, lv[i - 1]!.height), 'gray'));
    // Checked here, once: the WASM twin's FAST runs on these planes with this plan every frame.
    const fast = planFast({ threshold: config.threshold, nonmax: config.nonmax });
    this.#cpu = { levels: lv, level: Keypoints.alloc(ctx, capacity), fast };
  }

  /**
   * Builds the chain: the GPU half when `backend` works (its shaders compiled and checked inside an
   * error scope, with a timeout), the WASM half always. Allocates GPU buffers and arena planes: call at setup.
   */
  static async create(src: ContextSource, backend: GpuBackend | null, o: ChainOptions): Promise<KeypointChain> {
    const ctx = contextOf(src);
    const config: ChainConfig = { levels: 3, threshold: 20, nonmax: true, capacity: 8192, ring: 3, input: 'buffer', sort: true, ...o };
    checkDimension('width', config.width);
    checkDimension('height', config.height);
    checkDimension('levels', config.levels, 12);
    checkDimension('capacity', config.capacity, 1 << 20);
    checkDimension('ring', config.ring, 16);
    planFast({ threshold: config.threshold, nonmax: config.nonmax }); // the options FAST accepts, checked where FAST checks them
    if (!['rgba', 'bgra', 'rgb', 'bgr', 'gray'].includes(config.format))
      throw new FramekitError('E_FORMAT', `chain: unknown format ${String(config.format)}`);
    let gpu: GpuChain | null = null;
    let reason: string | null = backend ? backend.lostReason : 'no GPU (gpu: "off" or none found)';
    if (backend?.alive) {
      const device = backend.device;
      device.pushErrorScope('validation');
      device.pushErrorScope('out-of-memory');
      try {
        gpu = new GpuChain(backend, config);
      } catch (e) {
        reason = `GPU chain not built: ${(e as Error).message}`;
      }
      const oom = await withTimeout(device.popErrorScope(), backend.timeoutMs, 'popErrorScope').catch((e: Error) => e);
      const invalid = await withTimeout(device.popErrorScope(), backend.timeoutMs, 'popErrorScope').catch((e: Error) => e);
      const err = oom ?? invalid;
      if (err) {
        reason = `GPU chain not built: ${err.message}`;
        if (gpu) await gpu.destroy();
        gpu = null;
        if (err instanceof Error && err.name === 'GpuTimeout') backend.fail(err.message);
      }
    }
    return new KeypointChain(ctx, backend, gpu, config, gpu ? null : reason);
  }

  /** Where the next frame will run. */
  get where(): ResultLocation {
    return this.#gpu && this.#backend?.alive ? 'webgpu' : 'wasm';
  }

  /** The device-resident planes (gray, blurred, pyramid levels) while on the GPU; null on WASM. */
  get gpuPlanes(): GpuChain['planes'] | null {
    return this.where === 'webgpu' ? this.#gpu!.planes : null;
  }

  /** An output for `run`: a keypoint list of the chain's capacity in the arena. Allocates: call at setup. */
  createOutput(): ChainOutput {
    return { keypoints: Keypoints.alloc(this.#ctx, this.config.capacity), where: 'wasm' };
  }

  /** Keypoints of `src` into `out`; resolves with `out` once they are on the CPU. Never rejects for a GPU failure. */
  async run(out: ChainOutput, src: PlaneLike): Promise<ChainOutput> {
    checkPlane(src, this.#ctx.arena, 'src');
    if (await this.#onGpu(out, src)) return out;
    this.runCpu(out.keypoints, src);
    out.where = 'wasm';
    return out;
  }

  /**
   * The chain on a pool frame's pixels: attaches `out` as the frame's `keypoints` (unless the frame
   * was released meanwhile); `out.where` says whether the GPU or WASM computed them, and while on
   * the GPU `gpuPlanes` holds the frame's gray, blurred and pyramid planes on the device.
   */
  async runFrame(out: ChainOutput, frame: Frame): Promise<ChainOutput> {
    await frame.attachAsync('keypoints', this.run(out, frame.pixels));
    return out;
  }

  /**
   * Keypoints of a browser frame (VideoFrame, ImageBitmap, canvas; the chain made with
   * `input: 'texture'`): on the GPU it is copied texture to texture, never through the arena. Where
   * the GPU is gone, `toPlane` must bring the frame's pixels into the arena (for example
   * `ingestVideoFrame` into a pool frame) and return that plane; the WASM twin then runs on it.
   */
  async runExternal(out: ChainOutput, source: ExternalSource, toPlane: () => PlaneLike | Promise<PlaneLike>): Promise<ChainOutput> {
    if (await this.#onGpu(out, source)) return out;
    const src = await toPlane();
    checkPlane(src, this.#ctx.arena, 'src');
    this.runCpu(out.keypoints, src);
    out.where = 'wasm';
    return out;
  }

  /** The frame on the GPU: true when `out` holds its keypoints; false (the GPU failed, reported once) to run it on WASM. */
  async #onGpu(out: ChainOutput, src: PlaneLike | ExternalSource): Promise<boolean> {
    const gpu = this.#gpu;
    const backend = this.#backend;
    if (!gpu || !backend?.alive) return false;
    try {
      await gpu.run(out.keypoints, this.#ctx.heap, src);
      // A loss while this frame was in flight makes its readback untrustworthy: recompute.
      if (backend.alive) {
        out.where = 'webgpu';
        return true;
      }
    } catch (e) {
      if (e instanceof FramekitError) throw e; // bad input, not a GPU failure
      backend.fail(`${(e as Error).name}: ${(e as Error).message}`);
    }
    this.fallbackReason = backend.lostReason;
    return false;
  }

  /** Returns the chain's arena planes and GPU buffers (after its frames in flight settle). Outputs stay the caller's. */
  async destroy(): Promise<void> {
    const gpu = this.#gpu;
    this.#gpu = null;
    if (gpu) await gpu.destroy();
    const { levels, level } = this.#cpu;
    for (const p of levels) freePlane(this.#ctx, p);
    this.#ctx.arena.free(level.region);
  }

  /** The WASM twin of the GPU chain, synchronously: the same keypoints in the same order. */
  runCpu(out: Keypoints, src: PlaneLike): Keypoints {
    const ctx = this.#ctx;
    const { levels, level, fast } = this.#cpu;
    // Only `src` is new each frame; the chain's own planes and list were made (and fit) at creation.
    // No blur here: the GPU chain's blurred plane is for later GPU passes, and FAST reads the
    // unblurred pyramid, so a CPU blur would be computed for no reader.
    checkGray(ctx, levels[0]!, src);
    ctx.kernels.gray(levels[0]!, src);
    for (let i = 1; i < levels.length; i++) runPyrDown(ctx, levels[i]!, levels[i - 1]!);
    let n = 0;
    let found = 0;
    for (let l = 0; l < levels.length; l++) {
      runFast(ctx, fast, level, levels[l]!);
      found += level.found;
      const take = Math.min(level.count, out.capacity - n);
      out.x.set(level.x.subarray(0, take), n);
      out.y.set(level.y.subarray(0, take), n);
      out.response.set(level.response.subarray(0, take), n);
      out.size.fill(FAST_KEYPOINT_SIZE, n, n + take);
      out.angle.fill(-1, n, n + take);
      out.octave.fill(l, n, n + take);
      n += take;
    }
    out.count = n;
    out.found = found;
    return out;
  }
}
