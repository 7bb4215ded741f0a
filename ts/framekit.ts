import type { ArenaStats, Arena } from './memory/arena.js';
import { wasmSimdSupported } from './backends/wasm/simd.js';
import type { WasmModules } from './backends/wasm/loader.js';
import type { WasmSource } from './backends/wasm/source.js';
import { createKernelContext, type ChosenBackend, type ContextOptions, type KernelContext } from './core/context.js';
import type { Kernels } from './kernels/registry.js';
import { runtimeName } from './runtime.js';
import type { Plane, PixelFormat, PlaneLike } from './image/plane.js';
import { allocPlane, freePlane, readPixels, writePixels } from './image/alloc.js';
import { GpuBackend } from './backends/webgpu/backend.js';
import { gpuForMode, type GpuMode } from './backends/webgpu/device.js';
import { KeypointChain, type ChainOptions } from './backends/webgpu/keypoint-chain.js';
import { FramePool, type FramePoolOptions } from './frame/pool.js';
import { Keypoints } from './features/keypoints.js';
import { FlowPoints } from './features/flow-points.js';
import { Descriptors } from './features/descriptors.js';
import { Matches } from './features/matches.js';
import { allocPoints, freePoints } from './features/points.js';
import { gray } from './kernels/gray/api.js';
import { planeSum } from './kernels/plane-sum/api.js';
import { gaussianBlur } from './kernels/gaussian/api.js';
import { boxBlur } from './kernels/box/api.js';
import { buildPyramid, pyrDown } from './kernels/pyrdown/api.js';
import { gradientMagnitude, sobel } from './kernels/sobel/api.js';
import { integral } from './kernels/integral/api.js';
import { i420ToRgba, nv12ToRgba } from './kernels/yuv/api.js';
import { resize, type Interpolation } from './kernels/resize/api.js';
import { toTensor, type TensorTarget, type ToTensorOptions } from './kernels/tensor-prep/api.js';
import type { TensorGeometry } from './kernels/tensor-prep/tables.js';
import { warpAffine, warpPerspective, type WarpOptions } from './kernels/warp/api.js';
import { equalizeHist, histogram, threshold, thresholdOtsu, type ThresholdType } from './kernels/histogram/api.js';
import { fast, type FastOptions } from './kernels/fast/api.js';
import { goodFeaturesToTrack, type GoodFeaturesOptions } from './kernels/corners/api.js';
import { allocFlowPyramid, buildFlowPyramid, opticalFlow, type FlowOptions } from './kernels/lk/api.js';
import type { FlowPyramid } from './kernels/lk/pyramid.js';
import { matchHamming, type MatchOptions } from './kernels/match/api.js';
import { OrbPyramid, orb, type OrbOptions } from './kernels/orb/api.js';
import { HomographyResult, findHomography, type HomographyOptions } from './kernels/homography/api.js';
import { Pose, poseFromHomography } from './kernels/pose/api.js';

export type { Backend } from './core/context.js';

export interface FramekitOptions extends ContextOptions {
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
  backend: ChosenBackend;
  memory: { bytes: number; shared: boolean; arena: ArenaStats };
}

/**
 * One framekit instance: the facade over one kernel context (ts/core/context.ts: one
 * WebAssembly.Memory, never grown, its arena, the kernels bound to the chosen backend, the kernel
 * scratch) and an optional GPU. It composes and holds no logic: each method delegates to the kernel's
 * own module. Create it once at start with `createFramekit()`.
 */
export class Framekit {
  /** The kernel context every kernel, frame, pool and GPU pass runs on. */
  readonly context: KernelContext;
  /** The WebGPU device and its pool, when `gpu` is 'auto' or 'require' and one was found; an EventTarget of `gpulost`. */
  gpu: GpuBackend | null = null;
  #gpuReason: string | null = null;

  private constructor(context: KernelContext) {
    this.context = context;
  }

  /** @internal Use `createFramekit()` from the package entry point, which supplies the WASM source. */
  static async create(options: FramekitOptions, defaultSource: WasmSource): Promise<Framekit> {
    const ctx = await createKernelContext(options, defaultSource);
    const picked = await gpuForMode(options.gpu ?? 'off');
    const fk = new Framekit(ctx);
    fk.gpu = picked.gpu && new GpuBackend(picked.gpu, options.gpuTimeoutMs);
    fk.#gpuReason = picked.reason;
    return fk;
  }

  get memory(): WebAssembly.Memory {
    return this.context.memory;
  }
  get arena(): Arena {
    return this.context.arena;
  }
  /** A byte view over the whole memory, made once; valid for the instance's life (the memory never grows). */
  get heap(): Uint8Array {
    return this.context.heap;
  }
  get wasm(): WasmModules | null {
    return this.context.wasm;
  }
  get kernels(): Kernels {
    return this.context.kernels;
  }

  info(): FramekitInfo {
    const ctx = this.context;
    return {
      runtime: runtimeName(),
      wasm: ctx.wasm ? (ctx.wasm.simd ? 'simd' : 'scalar') : 'none',
      simdSupported: typeof WebAssembly === 'object' && wasmSimdSupported(),
      gpu: this.gpu?.alive ? this.gpu.adapterName : null,
      gpuFallback: this.gpu ? this.gpu.lostReason : this.#gpuReason,
      backend: ctx.backend,
      memory: {
        bytes: ctx.memory.buffer.byteLength,
        shared: ctx.memory.buffer instanceof globalThis.SharedArrayBuffer,
        arena: ctx.arena.stats(),
      },
    };
  }

  /** Reserves a plane in the arena (ts/image/alloc.ts); `stride` defaults to the row rounded up to 16. Allocates: call at setup. */
  allocPlane(width: number, height: number, format: PixelFormat, opts: { stride?: number } = {}): Plane {
    return allocPlane(this.context, width, height, format, opts);
  }

  /** Returns a plane's region to the arena. */
  freePlane(plane: Plane): void {
    freePlane(this.context, plane);
  }

  /** Copies tightly packed (or `srcStride`-spaced) pixels into a plane; E_BUFFER_SIZE, writing nothing, when too short. */
  writePixels(plane: Plane, pixels: Uint8Array | Uint8ClampedArray, srcStride?: number): Plane {
    return writePixels(this.context, plane, pixels, srcStride);
  }

  /** Copies a plane's pixels out, tightly packed, into `out` (allocated when omitted: not for the frame loop). */
  readPixels(plane: PlaneLike, out?: Uint8Array): Uint8Array {
    return readPixels(this.context, plane, out);
  }

  /** 8-bit luma of an RGBA, BGRA, RGB or BGR plane, bit-exact with OpenCV's cvtColor (ts/kernels/gray/api.ts). */
  gray(dst: PlaneLike, src: PlaneLike): PlaneLike {
    return gray(this.context, dst, src);
  }

  /** A pool of `size` frames with every region preallocated now (allocates arena space: call at setup). */
  createPool(options: FramePoolOptions): FramePool {
    return new FramePool(this.context, options);
  }

  /** Gaussian blur, bit-exact with OpenCV's GaussianBlur on 8-bit planes (ts/kernels/gaussian/api.ts). */
  gaussianBlur(dst: PlaneLike, src: PlaneLike, ksize = 5, sigma = 0, ksizeY = ksize, sigmaY = 0): PlaneLike {
    return gaussianBlur(this.context, dst, src, ksize, sigma, ksizeY, sigmaY);
  }

  /** Normalised box blur, bit-exact with OpenCV's blur on 8-bit planes (ts/kernels/box/api.ts). */
  boxBlur(dst: PlaneLike, src: PlaneLike, ksize = 3, ksizeY = ksize): PlaneLike {
    return boxBlur(this.context, dst, src, ksize, ksizeY);
  }

  /** One pyramid level down, bit-exact with OpenCV's pyrDown (ts/kernels/pyrdown/api.ts). */
  pyrDown(dst: PlaneLike, src: PlaneLike): PlaneLike {
    return pyrDown(this.context, dst, src);
  }

  /** Fills preallocated levels: levels[0] = pyrDown(base), levels[i] = pyrDown(levels[i - 1]). */
  buildPyramid(levels: readonly PlaneLike[], base: PlaneLike): readonly PlaneLike[] {
    return buildPyramid(this.context, levels, base);
  }

  /** int16 derivative, bit-exact with OpenCV's Sobel to CV_16S; ksize -1 is Scharr (ts/kernels/sobel/api.ts). */
  sobel(dst: PlaneLike, src: PlaneLike, dx = 1, dy = 0, ksize = 3): PlaneLike {
    return sobel(this.context, dst, src, dx, dy, ksize);
  }

  /** Integral image (i32) and optional sum of squares (f64), as OpenCV's integral (ts/kernels/integral/api.ts). */
  integral(sum: PlaneLike, src: PlaneLike, sqsum: PlaneLike | null = null): PlaneLike {
    return integral(this.context, sum, src, sqsum);
  }

  /** 256-bin histogram of a gray plane into `out` (allocated when omitted) (ts/kernels/histogram/api.ts). */
  histogram(src: PlaneLike, out?: Uint32Array): Uint32Array {
    return histogram(this.context, src, out);
  }

  /** Histogram equalisation, bit-exact with OpenCV's equalizeHist (ts/kernels/histogram/api.ts). */
  equalizeHist(dst: PlaneLike, src: PlaneLike): PlaneLike {
    return equalizeHist(this.context, dst, src);
  }

  /** Binary threshold as OpenCV's threshold; returns the threshold (ts/kernels/histogram/api.ts). */
  threshold(dst: PlaneLike, src: PlaneLike, thresh: number, maxval = 255, type: ThresholdType = 'binary'): number {
    return threshold(this.context, dst, src, thresh, maxval, type);
  }

  /** Binary threshold at Otsu's threshold, as OpenCV's THRESH_OTSU; returns it (ts/kernels/histogram/api.ts). */
  thresholdOtsu(dst: PlaneLike, src: PlaneLike, maxval = 255, type: ThresholdType = 'binary'): number {
    return thresholdOtsu(this.context, dst, src, maxval, type);
  }

  /** I420 planes to RGBA, bit-exact with OpenCV's COLOR_YUV2RGBA_I420 (ts/kernels/yuv/api.ts). */
  i420ToRgba(dst: PlaneLike, y: PlaneLike, u: PlaneLike, v: PlaneLike): PlaneLike {
    return i420ToRgba(this.context, dst, y, u, v);
  }

  /** NV12 planes to RGBA, bit-exact with OpenCV's COLOR_YUV2RGBA_NV12 (ts/kernels/yuv/api.ts). */
  nv12ToRgba(dst: PlaneLike, y: PlaneLike, uv: PlaneLike): PlaneLike {
    return nv12ToRgba(this.context, dst, y, uv);
  }

  /** Resize to dst's size, OpenCV's INTER_LINEAR / INTER_AREA fixed-point arithmetic (ts/kernels/resize/api.ts). */
  resize(dst: PlaneLike, src: PlaneLike, interpolation: Interpolation = 'linear'): PlaneLike {
    return resize(this.context, dst, src, interpolation);
  }

  /** RGBA/BGRA plane to a letterboxed float32 NHWC RGB tensor in the arena, a model's input (ts/kernels/tensor-prep/api.ts). */
  toTensor(dst: TensorTarget, src: PlaneLike, options?: ToTensorOptions): TensorGeometry {
    return toTensor(this.context, dst, src, options);
  }

  /** Bilinear affine warp into dst, byte for byte OpenCV.js's warpAffine (ts/kernels/warp/api.ts). */
  warpAffine(dst: PlaneLike, src: PlaneLike, M: ArrayLike<number>, options?: WarpOptions): PlaneLike {
    return warpAffine(this.context, dst, src, M, options);
  }

  /** Bilinear perspective warp into dst, byte for byte OpenCV.js's warpPerspective (ts/kernels/warp/api.ts). */
  warpPerspective(dst: PlaneLike, src: PlaneLike, M: ArrayLike<number>, options?: WarpOptions): PlaneLike {
    return warpPerspective(this.context, dst, src, M, options);
  }

  /** L1 gradient magnitude |dx| + |dy| of two int16 planes (ts/kernels/sobel/api.ts). */
  gradientMagnitude(dst: PlaneLike, dx: PlaneLike, dy: PlaneLike): PlaneLike {
    return gradientMagnitude(this.context, dst, dx, dy);
  }

  /**
   * gray -> pyramid -> FAST for frames of one size: on the GPU while `this.gpu` works (only the
   * keypoints come back; a blurred plane stays on the device for later passes), on WASM otherwise, with the same keypoints either way
   * (ts/backends/webgpu/keypoint-chain.ts). Allocates GPU buffers and arena planes: call at setup.
   */
  createKeypointChain(options: ChainOptions): Promise<KeypointChain> {
    return KeypointChain.create(this.context, this.gpu, options);
  }

  /** Sum of a gray plane's bytes, computed by the Rust module: a content fingerprint (ts/kernels/plane-sum/api.ts). */
  planeSum(src: PlaneLike): bigint {
    return planeSum(this.context, src);
  }

  /** A keypoint list for up to `capacity` keypoints in the arena. Allocates: call at setup. */
  allocKeypoints(capacity: number): Keypoints {
    return Keypoints.alloc(this.context, capacity);
  }

  /** FAST-9 corners of a gray plane into `out`, as OpenCV's FastFeatureDetector (ts/kernels/fast/api.ts). */
  fast(out: Keypoints, src: PlaneLike, options: FastOptions = {}): Keypoints {
    return fast(this.context, out, src, options);
  }

  /** Shi-Tomasi or Harris corners of a gray plane into `out`, as OpenCV's goodFeaturesToTrack (ts/kernels/corners/api.ts). */
  goodFeaturesToTrack(out: Keypoints, src: PlaneLike, options: GoodFeaturesOptions = {}): Keypoints {
    return goodFeaturesToTrack(this.context, out, src, options);
  }

  /** A Lucas-Kanade pyramid for `width` x `height` frames (ts/kernels/lk/pyramid.ts). Allocates: call at setup. */
  allocFlowPyramid(width: number, height: number, options: { maxLevel?: number; win?: number; derivatives?: boolean } = {}): FlowPyramid {
    return allocFlowPyramid(this.context, width, height, options);
  }

  /** Fills a Lucas-Kanade pyramid from a gray frame, once per frame (ts/kernels/lk/api.ts). */
  buildFlowPyramid(pyr: FlowPyramid, gray: PlaneLike): FlowPyramid {
    return buildFlowPyramid(this.context, pyr, gray);
  }

  /** A list for up to `capacity` tracked points. Allocates: call at setup. */
  allocFlowPoints(capacity: number): FlowPoints {
    return FlowPoints.alloc(this.context, capacity);
  }

  /** Pyramidal Lucas-Kanade, as OpenCV's calcOpticalFlowPyrLK (ts/kernels/lk/api.ts). */
  opticalFlow(points: FlowPoints, prev: FlowPyramid, next: FlowPyramid, options: FlowOptions = {}): FlowPoints {
    return opticalFlow(this.context, points, prev, next, options);
  }

  /** A list for up to `capacity` 256-bit descriptors. Allocates: call at setup. */
  allocDescriptors(capacity: number): Descriptors {
    return Descriptors.alloc(this.context, capacity);
  }

  /** A list for up to `capacity` matches. Allocates: call at setup. */
  allocMatches(capacity: number): Matches {
    return Matches.alloc(this.context, capacity);
  }

  /** Brute-force Hamming matching, as OpenCV's BFMatcher(NORM_HAMMING) (ts/kernels/match/api.ts). */
  match(out: Matches, query: Descriptors, train: Descriptors, options: MatchOptions = {}): Matches {
    return matchHamming(this.context, out, query, train, options);
  }

  /** ORB's scale pyramid for `width` x `height` frames (ts/kernels/orb/api.ts). Allocates: call at setup. */
  allocOrbPyramid(width: number, height: number, options: { levels?: number; scaleFactor?: number } = {}): OrbPyramid {
    return new OrbPyramid(this.context, width, height, options);
  }

  /** ORB keypoints and descriptors, as OpenCV's ORB (ts/kernels/orb/api.ts). */
  orb(out: Keypoints, descriptors: Descriptors, pyramid: OrbPyramid, src: PlaneLike, options: OrbOptions = {}): Keypoints {
    return orb(this.context, out, descriptors, pyramid, src, options);
  }

  /** `capacity` interleaved x, y f32 point slots in the arena (free with freePoints). Allocates: call at setup. */
  allocPoints(capacity: number): Float32Array {
    return allocPoints(this.context, capacity);
  }

  /** Returns the region of an allocPoints() array to the arena. */
  freePoints(points: Float32Array): void {
    freePoints(this.context, points);
  }

  /** Where findHomography writes, for up to `capacity` point pairs. Allocates: call at setup. */
  allocHomography(capacity: number): HomographyResult {
    return HomographyResult.alloc(this.context, capacity);
  }

  /** RANSAC homography from `count` src points to dst points, refined on its inliers (ts/kernels/homography/api.ts). */
  findHomography(
    out: HomographyResult,
    src: Float32Array,
    dst: Float32Array,
    count: number,
    options?: HomographyOptions,
  ): HomographyResult {
    return findHomography(this.context, out, src, dst, count, options);
  }

  /** Where poseFromHomography writes (R and t). Allocates: call at setup. */
  allocPose(): Pose {
    return Pose.alloc(this.context);
  }

  /** Camera pose (R, t) from a plane-to-image homography and intrinsics K (ts/kernels/pose/api.ts). */
  poseFromHomography(out: Pose, H: ArrayLike<number>, K: ArrayLike<number>): Pose {
    return poseFromHomography(this.context, out, H, K);
  }
}
