import { FramekitError } from '../../errors.js';
import { exportStackPointer, patchMemoryImport, readMemoryImport } from './binary.js';
import type { WasmFile, WasmSource } from './source.js';

/** A kernel over one plane to another: `(src, srcStride, dst, dstStride, width, height)`. */
export type PlaneToPlane = (src: number, srcStride: number, dst: number, dstStride: number, width: number, height: number) => void;

/** What the AssemblyScript module (wasm/index.ts) exports. */
export interface PixelsExports {
  simd(): number;
  gray_rgba: PlaneToPlane;
  gray_bgra: PlaneToPlane;
  gray_rgb: PlaneToPlane;
  gray_bgr: PlaneToPlane;
  /** wasm/blur.ts: Gaussian blur, OpenCV's fixed-point 8-bit path (see ts/kernels/gaussian). */
  gaussian_blur(src: number, srcStride: number, dst: number, dstStride: number, width: number, height: number,
    kx: number, nx: number, ky: number, ny: number, shift: number, wide: number, work: number): void;
  /** wasm/blur.ts: output rows [y0, y1) of gaussian_blur, straight into those rows of dst (see ts/workers/blur/stripe.ts). */
  gaussian_blur_rows(src: number, srcStride: number, dst: number, dstStride: number, width: number, height: number, y0: number, y1: number,
    kx: number, nx: number, ky: number, ny: number, shift: number, wide: number, work: number): void;
  /** wasm/blur.ts: OpenCV's normalised box filter, kw * kh <= 256 (see ts/kernels/box). */
  box_blur(src: number, srcStride: number, dst: number, dstStride: number, width: number, height: number,
    ones: number, kw: number, kh: number, divDelta: number, divScale: number, work: number): void;
  /** wasm/pyramid.ts: one pyramid level down (see ts/kernels/pyrdown). */
  pyr_down(src: number, srcStride: number, srcWidth: number, srcHeight: number, dst: number, dstStride: number, dstWidth: number, dstHeight: number, work: number): void;
  /** wasm/gradients.ts: separable integer derivative to int16 (see ts/kernels/sobel), L1 magnitude. */
  deriv_i16(src: number, srcStride: number, dst: number, dstStride: number, width: number, height: number,
    kx: number, nx: number, symX: number, ky: number, ny: number, symY: number, work: number): void;
  /** wasm/integral.ts: integral image (i32) and, when sq is not 0, sum of squares (f64) (see ts/kernels/integral). */
  integral(src: number, srcStride: number, sum: number, sumStride: number, width: number, height: number, sq: number, sqStride: number): void;
  /** wasm/histogram.ts: 256 u32 counts into out (3 KiB of work), a 256-byte table, binary threshold (see ts/kernels/histogram). */
  histogram(src: number, srcStride: number, width: number, height: number, out: number, work: number): void;
  lut_u8(src: number, srcStride: number, dst: number, dstStride: number, width: number, height: number, lut: number): void;
  threshold_u8(src: number, srcStride: number, dst: number, dstStride: number, width: number, height: number, thresh: number, hi: number, lo: number): void;
  /** wasm/yuv.ts: YUV 4:2:0 to RGBA, uStep 1 for I420 planes, 2 for NV12 (v = u + 1) (see ts/kernels/yuv). */
  yuv420_to_rgba(y: number, yStride: number, u: number, uStride: number, v: number, vStride: number, uStep: number,
    dst: number, dstStride: number, width: number, height: number): void;
  /** wasm/resize.ts: bilinear resize from precomputed tables, integer-factor area resize (see ts/kernels/resize). */
  resize_linear(src: number, srcStride: number, srcHeight: number, dst: number, dstStride: number, dstWidth: number, dstHeight: number,
    xofs: number, xofs1: number, alpha: number, yofs: number, beta: number, work: number): void;
  resize_area_fast(src: number, srcStride: number, dst: number, dstStride: number, dstWidth: number, dstHeight: number, kx: number, ky: number, scale: number): void;
  /** wasm/warp.ts: bilinear warpAffine / warpPerspective of gray (cn 1) or 4-channel images; m points at the inverse map as f64s (see ts/kernels/warp). */
  warp_affine(src: number, srcStride: number, srcWidth: number, srcHeight: number, dst: number, dstStride: number, dstWidth: number, dstHeight: number,
    cn: number, m: number, border: number, value: number, work: number, v8: number): void;
  warp_perspective(src: number, srcStride: number, srcWidth: number, srcHeight: number, dst: number, dstStride: number, dstWidth: number, dstHeight: number,
    cn: number, m: number, border: number, value: number, work: number, v8: number): void;
  /** Rows [y0, y1) of warp_perspective (the same bytes as those rows of the whole warp): a worker pool's stripe. */
  warp_perspective_rows(src: number, srcStride: number, srcWidth: number, srcHeight: number, dst: number, dstStride: number, dstWidth: number, dstHeight: number,
    cn: number, m: number, border: number, value: number, work: number, v8: number, y0: number, y1: number): void;
  magnitude_l1(dx: number, dxStride: number, dy: number, dyStride: number, dst: number, dstStride: number, width: number, height: number): void;
  /** Sample ring copies (wasm/ring.ts): a block into / out of wrapping ring storage, sizes in bytes. */
  ring_write(storage: number, capacity: number, offset: number, src: number, bytes: number): void;
  ring_read(dst: number, storage: number, capacity: number, offset: number, bytes: number): void;
  /** wasm/tensor.ts: RGBA/BGRA pixels to a letterboxed float32 NHWC RGB tensor (see ts/kernels/tensor-prep). */
  to_tensor_rgba(src: number, srcStride: number, dst: number, dstWidth: number, dstHeight: number, ox: number, oy: number,
    cw: number, ch: number, xtab: number, ytab: number, scale: number, bias: number, swapRB: number): void;
  /** wasm/mel.ts: one Whisper log-mel column from a sample ring, and a block's RMS and peak (see ts/kernels/mel). */
  mel_column(src: number, mask: number, base: number, lead: number, tail: number, tables: number, out: number, work: number): void;
  audio_level(src: number, n: number, out: number): void;
  /** wasm/resample.ts: rational polyphase resampling of f32 samples (see ts/kernels/resample). */
  resample_f32(src: number, dst: number, count: number, phase: number, M: number, L: number, taps: number, table: number): void;
}

/** What the Rust crate (rust/src/lib.rs) exports. */
export interface FeaturesExports {
  fk_simd(): number;
  fk_plane_sum(src: number, width: number, height: number, stride: number): bigint;
  // rust/src/fast: FAST-9 corners (see ts/kernels/fast)
  fk_fast9_scratch_bytes(width: number): number;
  fk_fast9(src: number, width: number, height: number, stride: number, threshold: number, nonmax: number, scratch: number,
    outX: number, outY: number, outResponse: number, capacity: number): number;
  // rust/src/corners: Shi-Tomasi / Harris responses (see ts/kernels/corners)
  fk_corner_response_scratch_bytes(width: number, block: number): number;
  fk_corner_response(src: number, width: number, height: number, stride: number, block: number, harris: number, k: number,
    scratch: number, dst: number): void;
  // rust/src/corners/select.rs: goodFeaturesToTrack's selection (see ts/kernels/corners/select.ts)
  fk_gftt_select(resp: number, width: number, height: number, quality: number, minDistance: number, maxCorners: number,
    cand: number, next: number, heads: number, outX: number, outY: number, outResponse: number, capacity: number): number;
  // rust/src/lk: pyramidal Lucas-Kanade (see ts/kernels/lk)
  fk_pad_reflect101(img: number, width: number, height: number, stride: number, pad: number): void;
  fk_lk_max_win(): number;
  fk_lk_level(prev: number, prevStride: number, next: number, nextStride: number, width: number, height: number,
    prevPts: number, nextPts: number, status: number, err: number, n: number, winW: number, winH: number, level: number, maxLevel: number,
    maxCount: number, eps: number, minEig: number, flags: number): void;
  // rust/src/hamming: brute-force Hamming matching (see ts/kernels/match)
  fk_hamming_match(a: number, na: number, b: number, nb: number, best: number, d1: number, d2: number, colBest: number, colD: number): void;
  // rust/src/orb: ORB's per-keypoint kernels and its pyramid's resize (see ts/kernels/orb)
  fk_orb_harris(img: number, stride: number, xs: number, ys: number, n: number, out: number): void;
  fk_orb_angles(img: number, stride: number, xs: number, ys: number, n: number, out: number): void;
  fk_orb_describe(img: number, stride: number, xs: number, ys: number, angles: number, n: number, kernel: number, out: number): void;
  fk_orb_pattern(): number;
  fk_resize_scratch_bytes(sw: number, dw: number): number;
  fk_resize_bilinear(src: number, sw: number, sh: number, ss: number, dst: number, dw: number, dh: number, ds: number, xtab: number): void;
  // rust/src/homography and rust/src/pose: RANSAC homography, pose from a plane (see ts/kernels/homography, ts/kernels/pose)
  fk_find_homography(src: number, dst: number, count: number, threshold: number, confidence: number, maxIters: number, seed: number,
    refineIters: number, minInliers: number, sorted: number, outH: number, outMask: number, outIters: number): number;
  fk_pose_from_homography(h: number, k: number, outR: number, outT: number): number;
  __data_end: WebAssembly.Global;
  __heap_base: WebAssembly.Global;
  /** The Rust stack pointer, exported on shared memories only (binary.ts exportStackPointer). */
  __stack_pointer?: WebAssembly.Global;
}

export interface WasmModules {
  /** True when the SIMD builds are loaded. */
  simd: boolean;
  pixels: PixelsExports;
  features: FeaturesExports;
  /** The compiled modules, for workers that instantiate them on the same memory. */
  compiled: { pixels: WebAssembly.Module; features: WebAssembly.Module };
}

export interface LoadOptions {
  memory: WebAssembly.Memory;
  pages: number;
  shared: boolean;
  simd: boolean;
  source: WasmSource;
}

const compiledCache = new Map<string, Promise<WebAssembly.Module>>();

/**
 * Compiles one binary once per process and memory kind. A module built against a plain memory is
 * re-declared to import a shared one when `shared` is set; its code does not change.
 */
function compile(file: WasmFile, source: WasmSource, shared: boolean, pages: number): Promise<WebAssembly.Module> {
  const key = `${file}|${shared ? `shared:${pages}` : 'plain'}`;
  let p = compiledCache.get(key);
  if (!p) {
    p = (async () => {
      let bytes = await source(file);
      const declared = readMemoryImport(bytes);
      if (!declared) throw new FramekitError('E_WASM', `${file} imports no memory`, { file });
      if (declared.initial > pages) {
        throw new FramekitError('E_WASM', `${file} needs ${declared.initial} pages, the memory has ${pages}`, { file });
      }
      if (shared) bytes = patchMemoryImport(bytes, { initial: declared.initial, maximum: pages, shared: true });
      // Threads sharing the memory each need their own Rust stack: let workers move it (binary.ts).
      if (shared && file.startsWith('features')) bytes = exportStackPointer(bytes);
      try {
        return await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
      } catch (e) {
        throw new FramekitError('E_WASM', `${file} failed to compile: ${(e as Error).message}`, { file });
      }
    })();
    p.catch(() => compiledCache.delete(key));
    compiledCache.set(key, p);
  }
  return p;
}

function abort(msg: number, file: number, line: number, column: number): never {
  throw new FramekitError('E_WASM', `AssemblyScript abort at ${line}:${column}`, { msg, file, line, column });
}

/** Instantiates both modules, SIMD or scalar builds, on the one memory. */
export async function loadWasm(o: LoadOptions): Promise<WasmModules> {
  const kind = o.simd ? 'simd' : 'scalar';
  const [pm, fm] = await Promise.all([
    compile(`pixels.${kind}.wasm`, o.source, o.shared, o.pages),
    compile(`features.${kind}.wasm`, o.source, o.shared, o.pages),
  ]);
  return instantiateWasm(o.memory, pm, fm, o.simd);
}

/** Instantiates already-compiled modules on `memory` (workers use this with modules posted to them). */
export async function instantiateWasm(
  memory: WebAssembly.Memory,
  pixels: WebAssembly.Module,
  features: WebAssembly.Module,
  simd: boolean,
): Promise<WasmModules> {
  const env = { memory, abort };
  const [pi, fi] = await Promise.all([
    WebAssembly.instantiate(pixels, { env }),
    WebAssembly.instantiate(features, { env: { memory } }),
  ]);
  return {
    simd,
    pixels: pi.exports as unknown as PixelsExports,
    features: fi.exports as unknown as FeaturesExports,
    compiled: { pixels, features },
  };
}
