import { FramekitError } from '../errors.js';
import type { Frame } from './frame.js';

/** What ImageData offers (tests and non-DOM hosts may pass any object of this shape). */
export interface ImageDataLike {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray | Uint8Array;
}

/** A canvas or OffscreenCanvas: anything with a 2D context that can read its pixels back. */
export interface CanvasLike {
  readonly width: number;
  readonly height: number;
  getContext(type: '2d'): { getImageData(x: number, y: number, w: number, h: number): ImageDataLike } | null;
}

/** The part of WebCodecs' VideoFrame that ingest uses. */
export interface VideoFrameLike {
  readonly codedWidth: number;
  readonly codedHeight: number;
  readonly visibleRect?: { readonly width: number; readonly height: number } | null;
  readonly format: string | null;
  allocationSize(options?: VideoFrameCopyOptions): number;
  copyTo(destination: Uint8Array, options?: VideoFrameCopyOptions): Promise<unknown>;
}

export interface VideoFrameCopyOptions {
  layout?: Array<{ offset: number; stride: number }>;
  format?: string;
  colorSpace?: string;
}

export type IngestSource = Uint8Array | Uint8ClampedArray | ImageDataLike | CanvasLike;

/**
 * Copies `src`'s pixels into the frame's arena region (one copy) and detaches every attachment
 * (they described the old pixels). `src` is packed rows in the frame's format, or rows `srcStride`
 * bytes apart. A source that is already the frame's own region (a decoder wrote into `frame.data`)
 * is not copied at all. Throws E_BUFFER_SIZE when the length does not match, writing nothing.
 * Packed rows take one `set`; strided rows make one view per row (allocates: pack them in the loop).
 */
export function ingestPixels(frame: Frame, src: Uint8Array | Uint8ClampedArray, srcStride?: number): Frame {
  const dst = frame.data;
  const row = frame.stride;
  const s = srcStride ?? row;
  if (!Number.isInteger(s) || s < row)
    throw new FramekitError('E_STRIDE', `source stride ${s} is less than a row of ${row} bytes`, { stride: s });
  const h = frame.height;
  if (src.length !== h * s && src.length !== (h - 1) * s + row) {
    throw new FramekitError(
      'E_BUFFER_SIZE',
      `${frame.width}x${h} ${frame.format} with stride ${s} needs ${h * s} bytes, got ${src.length}`,
      {
        expected: h * s,
        actual: src.length,
      },
    );
  }
  frame.clearAttachments();
  if (src.buffer === dst.buffer && src.byteOffset === dst.byteOffset && s === row) return frame;
  if (s === row) dst.set(src);
  else for (let y = 0; y < h; y++) dst.set(src.subarray(y * s, y * s + row), y * row);
  return frame;
}

/** Copies an ImageData (RGBA) into an 'rgba' frame of the same size. Throws E_FORMAT / E_DIMENSION otherwise. */
export function ingestImageData(frame: Frame, img: ImageDataLike): Frame {
  if (frame.format !== 'rgba')
    throw new FramekitError('E_FORMAT', `ImageData is RGBA; the frame is ${frame.format}`, { format: frame.format });
  checkSize(frame, img.width, img.height);
  return ingestPixels(frame, img.data);
}

/**
 * Reads a canvas back into an 'rgba' frame. The browser's getImageData allocates an ImageData per
 * call (no API reads a canvas into a caller's buffer); `new VideoFrame(canvas)` with
 * `ingestVideoFrame` avoids the JS-heap copy where WebCodecs exists.
 */
export function ingestCanvas(frame: Frame, canvas: CanvasLike): Frame {
  checkSize(frame, canvas.width, canvas.height);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new FramekitError('E_ARGUMENT', 'the canvas has no 2D context');
  return ingestImageData(frame, ctx.getImageData(0, 0, canvas.width, canvas.height));
}

/** Any of the synchronous sources, told apart by shape. */
export function ingest(frame: Frame, src: IngestSource, srcStride?: number): Frame {
  if (src instanceof Uint8Array || src instanceof Uint8ClampedArray) return ingestPixels(frame, src, srcStride);
  if (typeof (src as CanvasLike).getContext === 'function') return ingestCanvas(frame, src as CanvasLike);
  if ((src as ImageDataLike).data instanceof Uint8ClampedArray || (src as ImageDataLike).data instanceof Uint8Array)
    return ingestImageData(frame, src as ImageDataLike);
  throw new FramekitError(
    'E_ARGUMENT',
    'ingest takes a Uint8Array, Uint8ClampedArray, ImageData or canvas; use ingestVideoFrame for a VideoFrame',
  );
}

const VF_FORMAT = { rgba: ['RGBA', 'RGBX'], bgra: ['BGRA', 'BGRX'] } as const;

/**
 * Copies a VideoFrame's visible pixels straight into the frame's region with `copyTo` (one copy;
 * the browser converts YUV to RGBA/BGRA when asked). The frame is retained during the copy, so it
 * cannot be recycled under it. Frames must be 'rgba' or 'bgra'. Allocates the copy options and
 * the promise (WebCodecs' API).
 */
export async function ingestVideoFrame(frame: Frame, vf: VideoFrameLike): Promise<Frame> {
  const fmt = frame.format;
  if (fmt !== 'rgba' && fmt !== 'bgra')
    throw new FramekitError('E_FORMAT', `a VideoFrame can be copied into an rgba or bgra frame, not ${fmt}`, { format: fmt });
  checkSize(frame, vf.visibleRect?.width ?? vf.codedWidth, vf.visibleRect?.height ?? vf.codedHeight);
  const opts: VideoFrameCopyOptions = { layout: [{ offset: 0, stride: frame.stride }] };
  if (!(VF_FORMAT[fmt] as readonly string[]).includes(vf.format ?? '')) {
    opts.format = fmt === 'rgba' ? 'RGBA' : 'BGRA';
    opts.colorSpace = 'srgb';
  }
  const dst = frame.data;
  const need = vf.allocationSize(opts);
  if (need > dst.length) {
    throw new FramekitError('E_BUFFER_SIZE', `the VideoFrame needs ${need} bytes, the frame region has ${dst.length}`, {
      expected: dst.length,
      actual: need,
    });
  }
  frame.retain();
  try {
    frame.clearAttachments();
    await vf.copyTo(dst, opts);
  } finally {
    frame.release();
  }
  return frame;
}

function checkSize(frame: Frame, width: number, height: number): void {
  if (width !== frame.width || height !== frame.height) {
    throw new FramekitError('E_DIMENSION', `source is ${width}x${height}, the frame is ${frame.width}x${frame.height}`, {
      width,
      height,
    });
  }
}
