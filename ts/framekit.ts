import { FramekitError, checkDimension } from './errors.js';
import { loadWasm, type WasmModules } from './backends/wasm/loader.js';
import { wasmSimdSupported } from './backends/wasm/simd.js';
import type { WasmSource } from './backends/wasm/source.js';
import { Plane, bytesPerPixel, checkPlane, planesOverlap, type PixelFormat, type PlaneLike } from './image/plane.js';
import { bindKernels, type Kernels } from './kernels/registry.js';
import { Arena, type ArenaStats } from './memory/arena.js';
import { alignUp, frameSlotBytes, LAYOUT } from './memory/layout.js';
import { createMemory, memoryPagesFor } from './memory/memory.js';
import { runtimeName } from './runtime.js';
import { GpuBackend } from './backends/webgpu/backend.js';
import { gpuForMode, type GpuMode } from './backends/webgpu/device.js';
import { KeypointChain, type ChainOptions } from './backends/webgpu/keypoint-chain.js';
import { gaussianBlur } from './kernels/gaussian/api.js';
import { boxBlur } from './kernels/box/api.js';
import { buildPyramid, pyrDown } from './kernels/pyrdown/api.js';
import { gradientMagnitude, sobel } from './kernels/sobel/api.js';
import { integral } from './kernels/integral/api.js';
import { i420ToRgba, nv12ToRgba } from './kernels/yuv/api.js';
import { resize, type Interpolation } from './kernels/resize/api.js';
import { warpAffine, warpPerspective, type WarpOptions } from './kernels/warp/api.js';
import { equalizeHist, histogram, threshold, thresholdOtsu, type ThresholdType } from './kernels/histogram/api.js';
import { FramePool, type FramePoolOptions } from './frame/pool.js';
import { Keypoints } from './features/keypoints.js';
import { fast, type FastOptions } from './kernels/fast/api.js';
import { goodFeaturesToTrack, type GoodFeaturesOptions } from './kernels/corners/api.js';
import { FlowPoints } from './features/flow-points.js';
import { allocFlowPyramid, buildFlowPyramid, opticalFlow, type FlowOptions } from './kernels/lk/api.js';
import type { FlowPyramid } from './kernels/lk/pyramid.js';
import { Descriptors } from './features/descriptors.js';
import { Matches } from './features/matches.js';
import { matchHamming, type MatchOptions } from './kernels/match/api.js';
import { OrbPyramid, orb, type OrbOptions } from './kernels/orb/api.js';
import { HomographyResult, findHomography, type HomographyOptions } from './kernels/homography/api.js';
import { Pose, poseFromHomography } from './kernels/pose/api.js';

/**
 * Which implementation the kernels run:
 * - `auto`: WASM SIMD where the engine has it, else WASM scalar, else the TypeScript reference;
 * - `wasm`: as `auto`, but an error where WebAssembly is missing;
 * - `wasm-simd` / `wasm-scalar`: that build only (an error if SIMD is asked for and missing);
 * - `reference`: the plain TypeScript oracles (slow; for tests and debugging).
 */
export type Backend = 'auto' | 'wasm' | 'wasm-simd' | 'wasm-scalar' | 'reference';

export interface FramekitOptions {
  /** Largest frame width the memory is sized for (default 1920). */
  maxWidth?: number;
  /** Largest frame height the memory is sized for (default 1080). */
  maxHeight?: number;
  /** Frame slots to size the memory for (default 4). */
  frames?: number;
  /** Extra arena bytes for planes and scratch beyond the frame slots (default 4 MiB). */
  scratchBytes?: number;
  /** Exact arena size in bytes; overrides the sizing from maxWidth, maxHeight, frames and scratchBytes. */
  arenaBytes?: number;
  /** Back the memory by a SharedArrayBuffer so workers can run kernels on it (default false). */
  shared?: boolean;
  backend?: Backend;
  /** Where the `.wasm` binaries come from; each entry point supplies a default. */
  wasmSource?: WasmSource;
  /** Use a WebGPU device: 'off' (default), 'auto' (if one appears, else WASM, saying why in info()), 'require' (E_GPU if none). */
  gpu?: GpuMode;
  /** Milliseconds any one GPU wait may take before the GPU counts as failed and WASM takes over (default 2000). */
  gpuTimeoutMs?: number;
}

export interface FramekitInfo {
  runtime: string;
  /** The WASM build in use, or 'none' when running on the TypeScript references. */
  wasm: 'simd' | 'scalar' | 'none';
  /** Whether this engine could run the SIMD build (whatever was chosen). */
  simdSupported: boolean;
  /** GPU adapter in use; null when off, not found, or lost. */
  gpu: string | null;
  /** Why no GPU is in use (not asked for, none found, or lost mid-stream), or null while one is. */
  gpuFallback: string | null;
  backend: Exclude<Backend, 'auto' | 'wasm'>;
  memory: { bytes: number; shared: boolean; arena: ArenaStats };
}

const DEFAULTS = { maxWidth: 1920, maxHeight: 1080, frames: 4, scratchBytes: 4 << 20 };

/**
 * One framekit instance: one WebAssembly.Memory (never grown), its arena, and kernels bound to the
 * chosen backend. Create it once at start with `createFramekit()`.
 */
export class Framekit {
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  /** A byte view over the whole memory, made once; valid for the instance's life (the memory never grows). */
  readonly heap: Uint8Array;
  readonly wasm: WasmModules | null;
  readonly kernels: Kernels;
  readonly #backend: FramekitInfo['backend'];
  /** The WebGPU device and its pool, when `gpu` is 'auto' or 'require' and one was found; an EventTarget of `gpulost`. */
  gpu: GpuBackend | null = null;
  #gpuReason: string | null = null;

  private constructor(memory: WebAssembly.Memory, arena: Arena, wasm: WasmModules | null, backend: FramekitInfo['backend']) {
    this.memory = memory;
    this.arena = arena;
    this.heap = new Uint8Array(memory.buffer);
    this.wasm = wasm;
    this.#backend = backend;
    this.kernels = bindKernels({ heap: this.heap, wasm });
  }

  /** @internal Use `createFramekit()` from the package entry point, which supplies the WASM source. */
  static async create(options: FramekitOptions, defaultSource: WasmSource): Promise<Framekit> {
    const o = { ...DEFAULTS, ...options };
    const backend = o.backend ?? 'auto';
    if (!['auto', 'wasm', 'wasm-simd', 'wasm-scalar', 'reference'].includes(backend)) {
      throw new FramekitError('E_ARGUMENT', `unknown backend ${JSON.stringify(backend)}`, { backend });
    }
    let arenaBytes: number;
    if (o.arenaBytes !== undefined) {
      checkDimension('arenaBytes', o.arenaBytes, 2 ** 32);
      arenaBytes = alignUp(o.arenaBytes, LAYOUT.alignment);
    } else {
      checkDimension('maxWidth', o.maxWidth);
      checkDimension('maxHeight', o.maxHeight);
      checkDimension('frames', o.frames, 1024);
      if (!Number.isInteger(o.scratchBytes) || o.scratchBytes < 0) {
        throw new FramekitError('E_ARGUMENT', `scratchBytes must be a non-negative integer, got ${o.scratchBytes}`);
      }
      arenaBytes = o.frames * frameSlotBytes(o.maxWidth, o.maxHeight) + alignUp(o.scratchBytes, LAYOUT.alignment);
    }
    const pages = memoryPagesFor(arenaBytes);
    const shared = o.shared === true;
    const memory = createMemory(pages, shared);
    const arena = new Arena(LAYOUT.arenaBase, pages * LAYOUT.pageBytes - LAYOUT.arenaBase);

    const hasWasm = typeof WebAssembly === 'object';
    const simdOk = hasWasm && wasmSimdSupported();
    let simd: boolean | null;
    if (backend === 'reference') simd = null;
    else if (backend === 'wasm-scalar') simd = false;
    else if (backend === 'wasm-simd') {
      if (!simdOk) throw new FramekitError('E_WASM', 'backend "wasm-simd" asked for, but this engine has no WebAssembly SIMD');
      simd = true;
    } else if (!hasWasm) {
      if (backend === 'wasm') throw new FramekitError('E_WASM', 'backend "wasm" asked for, but this engine has no WebAssembly');
      simd = null;
    } else simd = simdOk;

    const wasm = simd === null ? null : await loadWasm({ memory, pages, shared, simd, source: o.wasmSource ?? defaultSource });
    const chosen = simd === null ? 'reference' : simd ? 'wasm-simd' : 'wasm-scalar';
    const picked = await gpuForMode(o.gpu ?? 'off');
    const fk = new Framekit(memory, arena, wasm, chosen);
    fk.gpu = picked.gpu && new GpuBackend(picked.gpu, o.gpuTimeoutMs);
    fk.#gpuReason = picked.reason;
    return fk;
  }

  info(): FramekitInfo {
    return {
      runtime: runtimeName(),
      wasm: this.wasm ? (this.wasm.simd ? 'simd' : 'scalar') : 'none',
      simdSupported: typeof WebAssembly === 'object' && wasmSimdSupported(),
      gpu: this.gpu?.alive ? this.gpu.adapterName : null,
      gpuFallback: this.gpu ? this.gpu.lostReason : this.#gpuReason,
      backend: this.#backend,
      memory: {
        bytes: this.memory.buffer.byteLength,
        shared: this.memory.buffer instanceof globalThis.SharedArrayBuffer,
        arena: this.arena.stats(),
      },
    };
  }

  /**
   * Reserves a plane in the arena. `stride` defaults to the row size rounded up to 16 bytes.
   * Allocates arena space: call it when setting up, not per frame.
   */
  allocPlane(width: number, height: number, format: PixelFormat, opts: { stride?: number } = {}): Plane {
    const bpp = bytesPerPixel(format);
    checkDimension('width', width);
    checkDimension('height', height);
    const stride = opts.stride ?? alignUp(width * bpp, LAYOUT.alignment);
    if (!Number.isInteger(stride) || stride < width * bpp) {
      throw new FramekitError('E_STRIDE', `stride ${stride} is less than a row of ${width * bpp} bytes`, { stride });
    }
    const region = this.arena.alloc(stride * height, `${width}x${height} ${format} plane`);
    return new Plane(this.heap, region.ptr, width, height, stride, format, region);
  }

  /** Returns a plane's region to the arena. */
  freePlane(plane: Plane): void {
    if (!plane.region) throw new FramekitError('E_STATE', 'this plane does not own an arena region');
    this.arena.free(plane.region);
  }

  /**
   * Copies tightly packed (or `srcStride`-spaced) pixels into a plane: the one copy from a JS buffer
   * into the shared memory. Throws E_BUFFER_SIZE, and writes nothing, when `pixels` is too short.
   */
  writePixels(plane: Plane, pixels: Uint8Array | Uint8ClampedArray, srcStride?: number): Plane {
    const row = plane.width * plane.bytesPerPixel;
    const s = srcStride ?? row;
    if (!Number.isInteger(s) || s < row) throw new FramekitError('E_STRIDE', `source stride ${s} is less than a row of ${row} bytes`);
    const need = (plane.height - 1) * s + row;
    if (pixels.length < need) {
      throw new FramekitError('E_BUFFER_SIZE', `${plane.width}x${plane.height} ${plane.format} needs ${need} bytes, got ${pixels.length}`, {
        expected: need,
        actual: pixels.length,
      });
    }
    if (s === row && plane.stride === row) this.heap.set(pixels.subarray(0, need), plane.ptr);
    else for (let y = 0; y < plane.height; y++) this.heap.set(pixels.subarray(y * s, y * s + row), plane.ptr + y * plane.stride);
    return plane;
  }

  /** Copies a plane's pixels out, tightly packed, into `out` (allocated when omitted: not for the frame loop). */
  readPixels(plane: PlaneLike, out?: Uint8Array): Uint8Array {
    const row = plane.width * bytesPerPixel(plane.format);
    const need = row * plane.height;
    const o = out ?? new Uint8Array(need);
    if (o.length < need)
      throw new FramekitError('E_BUFFER_SIZE', `output needs ${need} bytes, got ${o.length}`, { expected: need, actual: o.length });
    for (let y = 0; y < plane.height; y++)
      o.set(this.heap.subarray(plane.ptr + y * plane.stride, plane.ptr + y * plane.stride + row), y * row);
    return o;
  }

  /**
   * 8-bit luma of an RGBA, BGRA, RGB or BGR plane into a gray plane of the same size, bit-exact with
   * OpenCV's cvtColor. Returns `dst`.
   */
  gray(dst: PlaneLike, src: PlaneLike): PlaneLike {
    if (dst.format !== 'gray')
      throw new FramekitError('E_FORMAT', `gray: dst must be a gray plane, got ${dst.format}`, { format: dst.format });
    if (src.format === 'i16' || src.format === 'i32' || src.format === 'f64') {
      throw new FramekitError('E_FORMAT', `gray: src must be a colour or gray plane, got ${src.format}`, { format: src.format });
    }
    checkPlane(src, this.arena, 'src');
    checkPlane(dst, this.arena, 'dst');
    if (dst.width !== src.width || dst.height !== src.height) {
      throw new FramekitError('E_DIMENSION', `gray: dst is ${dst.width}x${dst.height}, src is ${src.width}x${src.height}`);
    }
    if (planesOverlap(dst, src)) throw new FramekitError('E_ARGUMENT', 'gray: dst overlaps src');
    this.kernels.gray(dst, src);
    return dst;
  }

  /** A pool of `size` frames with every region preallocated now (allocates arena space: call at setup). */
  createPool(options: FramePoolOptions): FramePool {
    return new FramePool(this, options);
  }

  /** Gaussian blur, bit-exact with OpenCV's GaussianBlur on 8-bit planes (ts/kernels/gaussian/api.ts). */
  gaussianBlur(dst: PlaneLike, src: PlaneLike, ksize = 5, sigma = 0, ksizeY = ksize, sigmaY = 0): PlaneLike {
    return gaussianBlur(this, dst, src, ksize, sigma, ksizeY, sigmaY);
  }

  /** Normalised box blur, bit-exact with OpenCV's blur on 8-bit planes (ts/kernels/box/api.ts). */
  boxBlur(dst: PlaneLike, src: PlaneLike, ksize = 3, ksizeY = ksize): PlaneLike {
    return boxBlur(this, dst, src, ksize, ksizeY);
  }

  /** One pyramid level down, bit-exact with OpenCV's pyrDown (ts/kernels/pyrdown/api.ts). */
  pyrDown(dst: PlaneLike, src: PlaneLike): PlaneLike {
    return pyrDown(this, dst, src);
  }

  /** Fills preallocated levels: levels[0] = pyrDown(base), levels[i] = pyrDown(levels[i - 1]). */
  buildPyramid(levels: readonly PlaneLike[], base: PlaneLike): readonly PlaneLike[] {
    return buildPyramid(this, levels, base);
  }

  /** int16 derivative, bit-exact with OpenCV's Sobel to CV_16S; ksize -1 is Scharr (ts/kernels/sobel/api.ts). */
  sobel(dst: PlaneLike, src: PlaneLike, dx = 1, dy = 0, ksize = 3): PlaneLike {
    return sobel(this, dst, src, dx, dy, ksize);
  }

  /** Integral image (i32) and optional sum of squares (f64), as OpenCV's integral (ts/kernels/integral/api.ts). */
  integral(sum: PlaneLike, src: PlaneLike, sqsum: PlaneLike | null = null): PlaneLike {
    return integral(this, sum, src, sqsum);
  }

  /** 256-bin histogram of a gray plane into `out` (allocated when omitted) (ts/kernels/histogram/api.ts). */
  histogram(src: PlaneLike, out?: Uint32Array): Uint32Array {
    return histogram(this, src, out);
  }

  /** Histogram equalisation, bit-exact with OpenCV's equalizeHist (ts/kernels/histogram/api.ts). */
  equalizeHist(dst: PlaneLike, src: PlaneLike): PlaneLike {
    return equalizeHist(this, dst, src);
  }

  /** Binary threshold as OpenCV's threshold; returns the threshold (ts/kernels/histogram/api.ts). */
  threshold(dst: PlaneLike, src: PlaneLike, thresh: number, maxval = 255, type: ThresholdType = 'binary'): number {
    return threshold(this, dst, src, thresh, maxval, type);
  }

  /** Binary threshold at Otsu's threshold, as OpenCV's THRESH_OTSU; returns it (ts/kernels/histogram/api.ts). */
  thresholdOtsu(dst: PlaneLike, src: PlaneLike, maxval = 255, type: ThresholdType = 'binary'): number {
    return thresholdOtsu(this, dst, src, maxval, type);
  }

  /** I420 planes to RGBA, bit-exact with OpenCV's COLOR_YUV2RGBA_I420 (ts/kernels/yuv/api.ts). */
  i420ToRgba(dst: PlaneLike, y: PlaneLike, u: PlaneLike, v: PlaneLike): PlaneLike {
    return i420ToRgba(this, dst, y, u, v);
  }

  /** NV12 planes to RGBA, bit-exact with OpenCV's COLOR_YUV2RGBA_NV12 (ts/kernels/yuv/api.ts). */
  nv12ToRgba(dst: PlaneLike, y: PlaneLike, uv: PlaneLike): PlaneLike {
    return nv12ToRgba(this, dst, y, uv);
  }

  /** Resize to dst's size, OpenCV's INTER_LINEAR / INTER_AREA fixed-point arithmetic (ts/kernels/resize/api.ts). */
  resize(dst: PlaneLike, src: PlaneLike, interpolation: Interpolation = 'linear'): PlaneLike {
    return resize(this, dst, src, interpolation);
  }

  /** Bilinear affine warp into dst, byte for byte OpenCV.js's warpAffine (ts/kernels/warp/api.ts). */
  warpAffine(dst: PlaneLike, src: PlaneLike, M: ArrayLike<number>, options?: WarpOptions): PlaneLike {
    return warpAffine(this, dst, src, M, options);
  }

  /** Bilinear perspective warp into dst, byte for byte OpenCV.js's warpPerspective (ts/kernels/warp/api.ts). */
  warpPerspective(dst: PlaneLike, src: PlaneLike, M: ArrayLike<number>, options?: WarpOptions): PlaneLike {
    return warpPerspective(this, dst, src, M, options);
  }

  /** L1 gradient magnitude |dx| + |dy| of two int16 planes (ts/kernels/sobel/api.ts). */
  gradientMagnitude(dst: PlaneLike, dx: PlaneLike, dy: PlaneLike): PlaneLike {
    return gradientMagnitude(this, dst, dx, dy);
  }

  /**
   * gray -> blur -> pyramid -> FAST for frames of one size: on the GPU while `this.gpu` works (only
   * the keypoints come back), on WASM otherwise, with the same keypoints either way
   * (ts/backends/webgpu/keypoint-chain.ts). Allocates GPU buffers and arena planes: call at setup.
   */
  createKeypointChain(options: ChainOptions): Promise<KeypointChain> {
    return KeypointChain.create(this, this.gpu, options);
  }

  /** Sum of a gray plane's bytes, computed by the Rust module: a content fingerprint. */
  planeSum(src: PlaneLike): bigint {
    checkPlane(src, this.arena, 'src');
    if (src.format !== 'gray') throw new FramekitError('E_FORMAT', `planeSum: src must be a gray plane, got ${src.format}`);
    return this.kernels.planeSum(src);
  }

  /** A keypoint list for up to `capacity` keypoints in the arena. Allocates: call at setup. */
  allocKeypoints(capacity: number): Keypoints {
    return new Keypoints(this.arena, this.memory, capacity);
  }

  /** FAST-9 corners of a gray plane into `out`, as OpenCV's FastFeatureDetector (ts/kernels/fast/api.ts). */
  fast(out: Keypoints, src: PlaneLike, options: FastOptions = {}): Keypoints {
    return fast(this, out, src, options);
  }

  /** Shi-Tomasi or Harris corners of a gray plane into `out`, as OpenCV's goodFeaturesToTrack (ts/kernels/corners/api.ts). */
  goodFeaturesToTrack(out: Keypoints, src: PlaneLike, options: GoodFeaturesOptions = {}): Keypoints {
    return goodFeaturesToTrack(this, out, src, options);
  }

  /** A Lucas-Kanade pyramid for `width` x `height` frames (ts/kernels/lk/pyramid.ts). Allocates: call at setup. */
  allocFlowPyramid(width: number, height: number, options: { maxLevel?: number; win?: number; derivatives?: boolean } = {}): FlowPyramid {
    return allocFlowPyramid(this, width, height, options);
  }

  /** Fills a Lucas-Kanade pyramid from a gray frame, once per frame (ts/kernels/lk/api.ts). */
  buildFlowPyramid(pyr: FlowPyramid, gray: PlaneLike): FlowPyramid {
    return buildFlowPyramid(this, pyr, gray);
  }

  /** A list for up to `capacity` tracked points. Allocates: call at setup. */
  allocFlowPoints(capacity: number): FlowPoints {
    return new FlowPoints(this.arena, this.memory, capacity);
  }

  /** Pyramidal Lucas-Kanade, as OpenCV's calcOpticalFlowPyrLK (ts/kernels/lk/api.ts). */
  opticalFlow(points: FlowPoints, prev: FlowPyramid, next: FlowPyramid, options: FlowOptions = {}): FlowPoints {
    return opticalFlow(this, points, prev, next, options);
  }

  /** A list for up to `capacity` 256-bit descriptors. Allocates: call at setup. */
  allocDescriptors(capacity: number): Descriptors {
    return new Descriptors(this.arena, this.heap, capacity);
  }

  /** A list for up to `capacity` matches. Allocates: call at setup. */
  allocMatches(capacity: number): Matches {
    return new Matches(this.arena, this.memory, capacity);
  }

  /** Brute-force Hamming matching, as OpenCV's BFMatcher(NORM_HAMMING) (ts/kernels/match/api.ts). */
  match(out: Matches, query: Descriptors, train: Descriptors, options: MatchOptions = {}): Matches {
    return matchHamming(this, out, query, train, options);
  }

  /** ORB's scale pyramid for `width` x `height` frames (ts/kernels/orb/api.ts). Allocates: call at setup. */
  allocOrbPyramid(width: number, height: number, options: { levels?: number; scaleFactor?: number } = {}): OrbPyramid {
    return new OrbPyramid(this, width, height, options);
  }

  /** ORB keypoints and descriptors, as OpenCV's ORB (ts/kernels/orb/api.ts). */
  orb(out: Keypoints, descriptors: Descriptors, pyramid: OrbPyramid, src: PlaneLike, options: OrbOptions = {}): Keypoints {
    return orb(this, out, descriptors, pyramid, src, options);
  }

  /** `capacity` interleaved x, y f32 point slots in the arena (free with freePoints). Allocates: call at setup. */
  allocPoints(capacity: number): Float32Array {
    checkDimension('capacity', capacity, 1 << 24);
    return new Float32Array(this.memory.buffer, this.arena.alloc(capacity * 8, `points(${capacity})`).ptr, 2 * capacity);
  }

  /** Returns the region of an allocPoints() array to the arena. */
  freePoints(points: Float32Array): void {
    this.arena.free({ ptr: points.byteOffset, size: points.byteLength });
  }

  /** Where findHomography writes, for up to `capacity` point pairs. Allocates: call at setup. */
  allocHomography(capacity: number): HomographyResult {
    return new HomographyResult(this.arena, this.memory, capacity);
  }

  /** RANSAC homography from `count` src points to dst points, refined on its inliers (ts/kernels/homography/api.ts). */
  findHomography(
    out: HomographyResult,
    src: Float32Array,
    dst: Float32Array,
    count: number,
    options?: HomographyOptions,
  ): HomographyResult {
    return findHomography(this, out, src, dst, count, options);
  }

  /** Where poseFromHomography writes (R and t). Allocates: call at setup. */
  allocPose(): Pose {
    return new Pose(this.arena, this.memory);
  }

  /** Camera pose (R, t) from a plane-to-image homography and intrinsics K (ts/kernels/pose/api.ts). */
  poseFromHomography(out: Pose, H: ArrayLike<number>, K: ArrayLike<number>): Pose {
    return poseFromHomography(this, out, H, K);
  }
}
