import { FramekitError } from '../errors.js';
import { contextOf, type ContextSource, type KernelContext } from '../core/context.js';
import { allocPlane, freePlane, writePixels } from '../image/alloc.js';
import { warpPerspective } from '../kernels/warp/api.js';
import { gray as grayKernel } from '../kernels/gray/api.js';
import type { Plane } from '../image/plane.js';
import { grayReference } from '../kernels/gray/reference.js';
import { readImageFile, type DecodedImage } from '../io/image.js';
import { openVideo, type VideoSource } from '../io/video.js';
import { cameraPath, photoMap, type SyntheticFrame, type SyntheticPath } from './synthetic.js';
import type { WorkerPool } from '../workers/pool.js';

/**
 * Where `framekit track` gets its frames. `read(gray)` fills a gray plane in the arena (a pool
 * frame's pixels) with the next frame, one copy or none: video luma is read straight into it, the
 * synthetic path renders into it, image files are decoded then converted by the gray kernel.
 */
export interface TrackSource {
  readonly width: number;
  readonly height: number;
  readonly fps: number | null;
  readonly name: string;
  /** Frames in the source, when known. */
  readonly length: number | null;
  /** Ground truth of frame `index` (the synthetic path only). */
  truth?(index: number): SyntheticFrame;
  readonly path?: SyntheticPath;
  /**
   * Called once with the framekit whose pool frames `read` fills, before the first read (sources
   * that render with its kernels). `workers`: a worker pool on that framekit's shared memory; a
   * source that renders hands its kernel work to it, so a read started before the previous frame is
   * processed runs beside it.
   */
  attach?(ctx: ContextSource, o?: { workers?: WorkerPool }): void;
  /**
   * Fills `gray` with the next frame; false at the end. A caller may start the next read before it
   * has processed the frame the previous one filled (one read in flight at a time, on another pool
   * frame): the source's work then overlaps that processing where it runs elsewhere (a worker, a
   * decoder process, file reads).
   */
  read(gray: Plane): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The luma of a decoded photograph, by the gray kernel's reference (the same BT.601 formula and
 * bytes as every gray implementation): the photo is decoded at its own size outside the arena and
 * converted once at setup, before any framekit exists (its frame size comes from the source), so
 * there is no context to run the WASM kernel on, and copying the photo into an arena sized for
 * frames would need room it was not sized for.
 */
function photoLuma(img: DecodedImage): Uint8Array {
  const { width, height } = img;
  if (img.format === 'gray') return img.data.subarray(0, width * height);
  const bpp = img.format === 'rgb' ? 3 : 4;
  const heap = new Uint8Array(width * height * (bpp + 1));
  heap.set(img.data.subarray(0, width * height * bpp));
  const src = { ptr: 0, width, height, stride: width * bpp, format: img.format === 'rgb' ? ('rgb' as const) : ('rgba' as const) };
  const dst = { ptr: width * height * bpp, width, height, stride: width, format: 'gray' as const };
  grayReference(heap, dst, src);
  return heap.subarray(dst.ptr, dst.ptr + width * height);
}

/**
 * The embedded default: a photograph shipped with the package filmed along a known camera path.
 * `attach` copies the photo's luma into the arena once; each read renders a frame with the
 * warpPerspective kernel (ts/track/synthetic.ts renderFrame gives the same bytes): on the calling
 * thread, or, given a worker pool at `attach`, on its workers (the same bytes, in the pool frame,
 * no copy), so a read started early renders while the caller tracks the frame before.
 */
export async function syntheticSource(photoPath: string, width: number, height: number, frames: number): Promise<TrackSource> {
  const img = await readImageFile(photoPath);
  const luma = photoLuma(img);
  const path = cameraPath(width, height, img.width);
  const map = new Float64Array(9);
  let fk: KernelContext | null = null;
  let photo: Plane | null = null;
  let workers: WorkerPool | null = null;
  const warpOptions = { inverseMap: true, border: 'replicate' } as const;
  const rendered = () => true;
  let k = 0;
  return {
    width,
    height,
    fps: 30,
    name: `synthetic camera path over ${photoPath.split('/').pop()}`,
    length: frames,
    path,
    truth: (i) => path.frame(i),
    attach(src, o) {
      fk = contextOf(src);
      workers = o?.workers ?? null;
      photo = writePixels(fk, allocPlane(fk, img.width, img.height, 'gray', { stride: img.width }), luma);
    },
    async read(gray) {
      if (!fk || !photo) throw new FramekitError('E_STATE', 'the synthetic source renders with a framekit: call attach(fk) first');
      if (k >= frames) return false;
      photoMap(path.frame(k++), img.width, img.height, map);
      if (workers) return workers.warpPerspective(gray, photo, map, warpOptions).then(rendered);
      warpPerspective(fk, gray, photo, map, warpOptions);
      return true;
    },
    async close() {
      if (fk && photo) freePlane(fk, photo);
      photo = null;
    },
  };
}

/** A video file: Y4M read by framekit, anything else decoded by ffmpeg; the luma lands in the frame. */
export async function videoSource(path: string): Promise<TrackSource> {
  const v: VideoSource = await openVideo(path);
  const { width, height } = v.info;
  const chroma = new Uint8Array(v.info.frameBytes - width * height);
  return {
    width,
    height,
    fps: v.info.fps,
    name: path,
    length: null,
    async read(gray) {
      if (gray.stride !== width) throw new FramekitError('E_STRIDE', 'video frames need packed gray planes');
      return v.readFrame(gray.data, chroma);
    },
    close: () => v.close(),
  };
}

const IMAGE = /\.(png|jpe?g|pgm|ppm)$/i;

/** Matches one path segment against a pattern with `*` and `?`. */
function segmentMatcher(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '[^/]*')
      .replace(/\?/g, '[^/]')}$`,
  );
}

/** The image files of a folder, or of a pattern whose last segment has `*` or `?`, sorted by name. */
export async function listImages(input: string): Promise<string[]> {
  const { readdir, stat } = await import('node:fs/promises');
  const { basename, dirname, join } = await import('node:path');
  let dir = input;
  let match = IMAGE;
  if (/[*?]/.test(basename(input))) {
    dir = dirname(input);
    match = segmentMatcher(basename(input));
  } else {
    const s = await stat(input).catch(() => null);
    if (!s?.isDirectory()) throw new FramekitError('E_IO', `${input} is not a folder, video or image pattern`);
  }
  const names = await readdir(dir).catch(() => {
    throw new FramekitError('E_IO', `cannot read the folder ${dir}`);
  });
  const files = names
    .filter((n) => match.test(n) && IMAGE.test(n))
    .sort()
    .map((n) => join(dir, n));
  if (!files.length) throw new FramekitError('E_IO', `no images in ${input}`);
  return files;
}

/**
 * A sequence of image files of one size, decoded one at a time (decoding allocates: it is the input
 * stage). `first` is the first file, already decoded (its size sized the framekit).
 */
export function imageSource(src: ContextSource, files: string[], first: DecodedImage): TrackSource {
  const ctx = contextOf(src);
  const { width, height } = first;
  const rgba = allocPlane(ctx, width, height, 'rgba', { stride: width * 4 });
  let k = 0;
  let pending: DecodedImage | null = first;
  return {
    width,
    height,
    fps: null,
    name: `${files.length} images`,
    length: files.length,
    async read(gray) {
      if (k >= files.length) return false;
      const img = pending ?? (await readImageFile(files[k]!));
      pending = null;
      if (img.width !== width || img.height !== height) {
        throw new FramekitError('E_DIMENSION', `${files[k]} is ${img.width}x${img.height}, the sequence is ${width}x${height}`);
      }
      k++;
      if (img.format === 'gray') {
        for (let y = 0; y < height; y++) gray.data.set(img.data.subarray(y * width, (y + 1) * width), y * gray.stride);
        return true;
      }
      const plane = img.format === 'rgba' ? rgba : { ...rgba, format: 'rgb' as const, stride: width * 3 };
      ctx.heap.set(img.data, rgba.ptr);
      grayKernel(ctx, gray, plane);
      return true;
    },
    async close() {
      freePlane(ctx, rgba);
    },
  };
}
