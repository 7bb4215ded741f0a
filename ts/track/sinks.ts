import { FramekitError } from '../errors.js';
import { encodeImage, writeFileAtomic } from '../io/image.js';
import type { KernelContext } from '../core/context.js';
import { allocPlane } from '../image/alloc.js';
import type { PlaneLike } from '../image/plane.js';
import { gray } from '../kernels/gray/api.js';
import type { Canvas } from './annotate.js';

/** Where `framekit track -o` writes annotated frames. */
export interface FrameSink {
  write(c: Canvas): Promise<void>;
  close(): Promise<void>;
}

/**
 * RGBA to 4:2:0 with full-range BT.601 (the C420jpeg colour of Y4M), chroma averaged over 2x2. The
 * luma is the gray kernel's (BT.601, as cvtColor): it has been written into `out` already.
 */
function chromaI420(c: Canvas, out: Uint8Array): void {
  const { width: w, height: h, data: d } = c;
  const cw = Math.ceil(w / 2);
  const chh = Math.ceil(h / 2);
  const u0 = w * h;
  const v0 = u0 + cw * chh;
  for (let y = 0; y < chh; y++) {
    for (let x = 0; x < cw; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const px = 2 * x + dx;
          const py = 2 * y + dy;
          if (px >= w || py >= h) continue;
          const o = (py * w + px) * 4;
          r += d[o]!;
          g += d[o + 1]!;
          b += d[o + 2]!;
          n++;
        }
      }
      r /= n;
      g /= n;
      b /= n;
      out[u0 + y * cw + x] = Math.max(0, Math.min(255, Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b)));
      out[v0 + y * cw + x] = Math.max(0, Math.min(255, Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b)));
    }
  }
}

/** The canvas as an RGBA plane of `ctx`'s memory (E_ARGUMENT when it is not in it). */
function canvasPlane(ctx: KernelContext, c: Canvas): PlaneLike {
  if (c.data.buffer !== ctx.heap.buffer)
    throw new FramekitError('E_ARGUMENT', "a .y4m sink takes canvases in the framekit memory (an rgba plane's data)");
  return { ptr: c.data.byteOffset, width: c.width, height: c.height, stride: c.width * 4, format: 'rgba' };
}

/**
 * Opens an output by its name: `NAME%04d.png` (any printf-style `%d`) writes one PNG per frame,
 * `.y4m` a YUV4MPEG2 file written by framekit, any other extension a video encoded by ffmpeg. A Y4M
 * sink takes its luma from the gray kernel on `ctx`, so its canvases must be rgba planes' data in
 * that memory; it reserves one packed gray plane there (at open: call at setup).
 */
export async function openSink(path: string, width: number, height: number, fps: number, ctx: KernelContext): Promise<FrameSink> {
  const fs = await import('node:fs/promises');
  const pattern = path.match(/%(0?\d*)d/);
  if (pattern && /\.png$/i.test(path)) {
    let k = 0;
    const pad = Number(pattern[1] || 0);
    return {
      async write(c) {
        const file = path.replace(pattern[0], String(k++).padStart(pad, '0'));
        await writeFileAtomic(file, encodeImage({ width: c.width, height: c.height, format: 'rgba', data: c.data }, 'png'));
      },
      async close() {},
    };
  }
  if (/\.y4m$/i.test(path)) {
    const fh = await fs.open(path, 'w').catch((e: NodeJS.ErrnoException) => {
      throw new FramekitError('E_IO', `cannot write ${path}: ${e.code ?? e.message}`);
    });
    const frame = new Uint8Array(width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2));
    const luma = allocPlane(ctx, width, height, 'gray', { stride: width });
    const rate = Math.round(fps * 1000);
    await fh.write(`YUV4MPEG2 W${width} H${height} F${rate}:1000 Ip A1:1 C420jpeg\n`);
    const tag = new TextEncoder().encode('FRAME\n');
    return {
      async write(c) {
        gray(ctx, luma, canvasPlane(ctx, c));
        frame.set(luma.data.subarray(0, width * height));
        chromaI420(c, frame);
        await fh.write(tag);
        await fh.write(frame);
      },
      close: () => {
        ctx.arena.free(luma.region!);
        return fh.close();
      },
    };
  }
  if (!/\.[a-z0-9]+$/i.test(path)) throw new FramekitError('E_ARGUMENT', `-o ${path}: give NAME%04d.png, NAME.y4m or a video file name`);
  const { spawn } = await import('node:child_process');
  const child = spawn(
    'ffmpeg',
    [
      '-v',
      'error',
      '-y',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgba',
      '-s',
      `${width}x${height}`,
      '-r',
      String(fps),
      '-i',
      '-',
      '-pix_fmt',
      'yuv420p',
      path,
    ],
    {
      stdio: ['pipe', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => void (stderr.length < 4096 && (stderr += d)));
  const exited = new Promise<number | null>((resolve, reject) =>
    child
      .on('error', (e: NodeJS.ErrnoException) =>
        reject(
          new FramekitError(
            'E_IO',
            e.code === 'ENOENT' ? 'ffmpeg is not installed (apt-get install ffmpeg); write NAME.y4m or NAME%04d.png instead' : e.message,
          ),
        ),
      )
      .on('close', resolve),
  );
  exited.catch(() => {});
  return {
    async write(c) {
      if (!child.stdin.write(c.data)) await new Promise((r) => child.stdin.once('drain', r));
    },
    async close() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw new FramekitError('E_IO', `ffmpeg could not write ${path}: ${stderr.trim() || `exit ${code}`}`);
    },
  };
}
