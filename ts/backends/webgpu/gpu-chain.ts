/// <reference types="@webgpu/types" />
// The keypoint record (ts/core/formats.ts), short names for the decoding loops.
import {
  FAST_KEYPOINT_SIZE,
  KEYPOINT_BYTES,
  KEYPOINT_HEADER_BYTES,
  KEYPOINT_HEADER_WORDS as HEAD,
  KEYPOINT_LEVEL_SHIFT as LEVEL_SHIFT,
  KEYPOINT_RESPONSE_MASK as RESPONSE_MASK,
  KEYPOINT_WORDS as WORDS,
  KEYPOINT_X_MASK as X_MASK,
  KEYPOINT_Y_SHIFT as Y_SHIFT,
} from '../../core/formats.js';
import { FramekitError } from '../../errors.js';
import type { Keypoints } from '../../features/keypoints.js';
import type { PlaneLike } from '../../image/plane.js';
import type { GpuBackend } from './backend.js';
import { gpuPlane, type GpuPlane, type GpuUpload } from './pass.js';
import { BlurPass } from './passes/blur.js';
import { FastPass } from './passes/fast.js';
import { GrayPass } from './passes/gray.js';
import { GrayTexturePass } from './passes/gray-texture.js';
import { PyrDownPass, pyrDownSize } from './passes/pyrdown.js';
import { withTimeout } from './timeout.js';
import { gpuUpload, uploadPlane } from './transfer.js';

/** What a keypoint chain computes, fixed when it is made. */
export interface ChainConfig {
  width: number;
  height: number;
  format: GpuUpload['format'];
  /** Images in the pyramid, the base included (default 3: full, half, quarter size). */
  levels: number;
  /** FAST threshold, 0..255 (default 20). */
  threshold: number;
  /** FAST non-maximum suppression (default true). */
  nonmax: boolean;
  /** Keypoints kept over all levels (default 8192); more found are counted in `found`. */
  capacity: number;
  /** Readback buffers in the ring: frames whose keypoints may be on their way back at once (default 3). */
  ring: number;
  /**
   * Where frames land on the device: 'buffer' (default; writeBuffer from the arena, any format) or
   * 'texture' (rgba/bgra only: copyExternalImageToTexture from a VideoFrame, ImageBitmap or canvas
   * in the browser, writeTexture from the arena elsewhere).
   */
  input: 'buffer' | 'texture';
  /**
   * Sort the keypoints by (level, y, x), OpenCV's order, as the WASM path gives them (default true).
   * false leaves the GPU's order (it varies from run to run) and saves an O(n) pass on the CPU.
   */
  sort: boolean;
}

/** What copyExternalImageToTexture takes (VideoFrame, ImageBitmap, canvas, ...), typed loosely for non-DOM builds. */
export type ExternalSource = GPUCopyExternalImageSource;

/** The mapped-readback ring: a buffer per slot and the map in flight on it, if any. */
interface Slot {
  readonly buffer: GPUBuffer;
  busy: Promise<unknown> | null;
}

const MAP_READ = 0x0001;
const KEYPOINT_USAGE = 0x0080 /* STORAGE */ | 0x0004 /* COPY_SRC */ | 0x0008; /* COPY_DST */

/**
 * gray -> blur -> pyramid -> FAST on the device, for one frame size. Everything is made in the
 * constructor from the backend's pool: the upload buffer, the gray, blurred, pyramid and score
 * planes, the keypoint buffer, every pass (pipelines and bind groups) and `ring` readback buffers.
 * A frame then costs one upload, one command buffer, and a readback of the counter and the keypoint
 * list only: the planes stay on the device (`planes`), for later passes to use.
 *
 * The blur is the smoothed image ORB samples its descriptors from; FAST runs on the unblurred
 * pyramid (level i + 1 = pyrDown(level i)), as OpenCV's ORB does.
 */
export class GpuChain {
  readonly planes: { readonly gray: GpuPlane; readonly blurred: GpuPlane; readonly levels: readonly GpuPlane[] };
  readonly #backend: GpuBackend;
  readonly #upload: GpuUpload | null;
  readonly #texture: GPUTexture | null;
  readonly #tail: Uint8Array;
  readonly #keypoints: GPUBuffer;
  readonly #readBytes: number;
  readonly #passes: Array<{ encode(p: GPUComputePassEncoder): void }>;
  readonly #slots: Slot[];
  /** Sorting scratch, made once: counts per column and per (level, row), and the list after the first pass. */
  readonly #countX: Uint32Array;
  readonly #countRow: Uint32Array;
  readonly #levelRow: Uint32Array;
  readonly #sorted: Uint32Array;
  readonly #owned: GPUBuffer[] = [];
  #next = 0;

  constructor(
    backend: GpuBackend,
    readonly config: ChainConfig,
  ) {
    const { width, height, format, levels, threshold, nonmax, capacity, ring } = config;
    const pool = backend.pool;
    this.#backend = backend;
    const own = <T extends { buffer: GPUBuffer }>(x: T): T => (this.#owned.push(x.buffer), x);
    const texture = config.input === 'texture';
    if (texture && format !== 'rgba' && format !== 'bgra')
      throw new FramekitError('E_FORMAT', `chain: texture input takes rgba or bgra frames, not ${format}`);
    this.#upload = texture ? null : own(gpuUpload(pool, 'chain upload', width, height, format));
    // TEXTURE_BINDING | COPY_DST | RENDER_ATTACHMENT (copyExternalImageToTexture needs the last).
    this.#texture = texture ? pool.texture('chain frame', width, height, `${format as 'rgba' | 'bgra'}8unorm`, 0x04 | 0x02 | 0x10) : null;
    this.#tail = new Uint8Array(this.#upload?.strideBytes ?? 0);
    const gray = own(gpuPlane(pool, 'chain gray', width, height, 'gray'));
    const blurred = own(gpuPlane(pool, 'chain blurred', width, height, 'gray'));
    const lv: GpuPlane[] = [gray];
    for (let i = 1; i < levels; i++) {
      const [w, h] = pyrDownSize(lv[i - 1]!.width, lv[i - 1]!.height);
      lv.push(own(gpuPlane(pool, `chain level ${i}`, w, h, 'gray')));
    }
    this.planes = { gray, blurred, levels: lv };
    this.#readBytes = KEYPOINT_HEADER_BYTES + capacity * KEYPOINT_BYTES;
    this.#keypoints = pool.buffer('chain keypoints', this.#readBytes, KEYPOINT_USAGE);
    this.#owned.push(this.#keypoints);
    const passes: Array<{ encode(p: GPUComputePassEncoder): void; params: GPUBuffer }> = [
      this.#texture ? new GrayTexturePass(pool, gray, this.#texture) : new GrayPass(pool, gray, this.#upload!),
      new BlurPass(pool, blurred, gray),
    ];
    for (let i = 1; i < levels; i++) passes.push(new PyrDownPass(pool, lv[i]!, lv[i - 1]!));
    lv.forEach((plane, level) => {
      const scores = own(gpuPlane(pool, `chain scores ${level}`, plane.width, plane.height, 'u16'));
      passes.push(new FastPass(pool, this.#keypoints, capacity, plane, scores, { threshold, nonmax, level }));
    });
    for (const p of passes) this.#owned.push(p.params);
    this.#passes = passes;
    this.#slots = [];
    for (let i = 0; i < ring; i++) {
      const buffer = pool.buffer(`chain readback ${i}`, this.#readBytes, MAP_READ | 0x0008 /* COPY_DST */);
      this.#owned.push(buffer);
      this.#slots.push({ buffer, busy: null });
    }
    this.#countX = new Uint32Array(width + 1);
    this.#levelRow = new Uint32Array(levels);
    for (let i = 1; i < levels; i++) this.#levelRow[i] = this.#levelRow[i - 1]! + lv[i - 1]!.height;
    this.#countRow = new Uint32Array(this.#levelRow[levels - 1]! + lv[levels - 1]!.height + 1);
    this.#sorted = new Uint32Array(2 * capacity);
  }

  /** Records the chain's dispatches into a compute pass (no upload, no readback). */
  encodeCompute(pass: GPUComputePassEncoder): void {
    for (const p of this.#passes) p.encode(pass);
  }

  /** Copies the source plane to the device: the frame's one upload. */
  upload(heap: Uint8Array, src: PlaneLike): void {
    if (src.format !== this.config.format || src.width !== this.config.width || src.height !== this.config.height) {
      throw new FramekitError(
        'E_DIMENSION',
        `chain: made for ${this.config.width}x${this.config.height} ${this.config.format}, got ${src.width}x${src.height} ${src.format}`,
      );
    }
    const queue = this.#backend.device.queue;
    if (this.#upload) uploadPlane(queue, this.#upload, heap, src, this.#tail);
    else
      queue.writeTexture(
        { texture: this.#texture! },
        heap as Uint8Array<ArrayBuffer>,
        { offset: src.ptr, bytesPerRow: src.stride, rowsPerImage: src.height },
        [src.width, src.height],
      );
  }

  /** Copies a browser frame (VideoFrame, ImageBitmap, canvas) to the device: the frame's one upload, GPU to GPU where the browser can. */
  uploadExternal(source: ExternalSource): void {
    if (!this.#texture) throw new FramekitError('E_STATE', 'chain: external sources need input: "texture"');
    this.#backend.device.queue.copyExternalImageToTexture({ source }, { texture: this.#texture }, [this.config.width, this.config.height]);
  }

  /**
   * Runs one frame: upload, compute, and a copy of the keypoint buffer into the next readback slot;
   * then waits (with the backend's timeout) for that slot's map and decodes it into `out`, sorted by
   * (level, y, x): OpenCV's order, so the result equals the CPU path's. A slot still mapping from
   * `ring` frames ago is waited for first, so the ring bounds the frames in flight. Throws when the
   * GPU fails (the caller falls back). `src` null runs on the frame already on the device.
   */
  run(out: Keypoints, heap: Uint8Array, src: PlaneLike | ExternalSource | null): Promise<Keypoints> {
    const slot = this.#slots[this.#next++ % this.#slots.length]!;
    // Set synchronously: a later frame on this slot waits for this one, whatever order they settle in.
    const done = this.#frame(slot, slot.busy, out, heap, src);
    slot.busy = done;
    return done;
  }

  async #frame(
    slot: Slot,
    previous: Promise<unknown> | null,
    out: Keypoints,
    heap: Uint8Array,
    src: PlaneLike | ExternalSource | null,
  ): Promise<Keypoints> {
    if (previous) await previous.catch(() => undefined);
    const device = this.#backend.device;
    if (src === null) {
      // the frame is already on the device (uploaded before, or written there by an earlier pass)
    } else if ('ptr' in src && 'stride' in src) this.upload(heap, src);
    else this.uploadExternal(src);
    const enc = device.createCommandEncoder({ label: 'chain frame' });
    enc.clearBuffer(this.#keypoints, 0, KEYPOINT_HEADER_BYTES);
    const pass = enc.beginComputePass({ label: 'chain' });
    this.encodeCompute(pass);
    pass.end();
    enc.copyBufferToBuffer(this.#keypoints, 0, slot.buffer, 0, this.#readBytes);
    device.queue.submit([enc.finish()]);
    await withTimeout(slot.buffer.mapAsync(MAP_READ, 0, this.#readBytes), this.#backend.timeoutMs, 'keypoint readback');
    this.#decode(out, new Uint32Array(slot.buffer.getMappedRange(0, this.#readBytes)));
    slot.buffer.unmap();
    return out;
  }

  /**
   * The mapped list into `out`, sorted by (level, y, x): OpenCV's order. The GPU appends in no
   * particular order; a comparison sort of 94k keys took 15-22 ms here (Float64Array.sort, Node 20),
   * so this is an LSD radix sort in two stable counting passes, O(n + width + rows), no allocation:
   *   pass 1: count keypoints per x, prefix-sum, scatter the (xy, score|level) pairs by x into #sorted
   *   pass 2: count per (level, y) row, prefix-sum, scatter #sorted by row straight into out's fields
   */
  #decode(out: Keypoints, words: Uint32Array): void {
    const found = words[0]!;
    const n = Math.min(found, this.config.capacity, out.capacity);
    if (!this.config.sort) return this.#copy(out, words, n, found);
    const cx = this.#countX.fill(0);
    const cr = this.#countRow.fill(0);
    const base = this.#levelRow;
    const tmp = this.#sorted;
    for (let i = 0, r = HEAD; i < n; i++, r += WORDS) cx[(words[r]! & X_MASK) + 1]!++;
    for (let x = 1; x < cx.length; x++) cx[x]! += cx[x - 1]!;
    for (let i = 0, r = HEAD; i < n; i++, r += WORDS) {
      const xy = words[r]!;
      const at = cx[xy & X_MASK]!++;
      tmp[2 * at] = xy;
      tmp[2 * at + 1] = words[r + 1]!;
    }
    for (let i = 0; i < n; i++) cr[base[tmp[2 * i + 1]! >>> LEVEL_SHIFT]! + (tmp[2 * i]! >>> Y_SHIFT) + 1]!++;
    for (let r = 1; r < cr.length; r++) cr[r]! += cr[r - 1]!;
    for (let i = 0; i < n; i++) {
      const xy = tmp[2 * i]!;
      const sl = tmp[2 * i + 1]!;
      const at = cr[base[sl >>> LEVEL_SHIFT]! + (xy >>> Y_SHIFT)]!++;
      out.x[at] = xy & X_MASK;
      out.y[at] = xy >>> Y_SHIFT;
      out.response[at] = sl & RESPONSE_MASK;
      out.octave[at] = sl >>> LEVEL_SHIFT;
    }
    out.size.fill(FAST_KEYPOINT_SIZE, 0, n);
    out.angle.fill(-1, 0, n);
    out.count = n;
    out.found = found;
  }

  /** The mapped list into `out` in the GPU's order. */
  #copy(out: Keypoints, words: Uint32Array, n: number, found: number): void {
    for (let i = 0, r = HEAD; i < n; i++, r += WORDS) {
      const xy = words[r]!;
      const sl = words[r + 1]!;
      out.x[i] = xy & X_MASK;
      out.y[i] = xy >>> Y_SHIFT;
      out.response[i] = sl & RESPONSE_MASK;
      out.octave[i] = sl >>> LEVEL_SHIFT;
    }
    out.size.fill(FAST_KEYPOINT_SIZE, 0, n);
    out.angle.fill(-1, 0, n);
    out.count = n;
    out.found = found;
  }

  /** Returns every buffer to the pool (after the frames in flight settle). */
  async destroy(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.busy?.catch(() => undefined)));
    for (const b of this.#owned) this.#backend.pool.release(b);
    this.#owned.length = 0;
    this.#texture?.destroy();
  }
}
