import { FramekitError } from '../errors.js';
import { encodeImage, writeFileAtomic } from '../io/image.js';
import type { Canvas } from './annotate.js';

/** Where `framekit track -o` writes annotated frames. */
export interface FrameSink {
  write(c: Canvas): Promise<void>;
  close(): Promise<void>;
}

/** RGBA to 4:2:0 with full-range BT.601 (the C420jpeg colour of Y4M), chroma averaged over 2x2. */
function rgbaToI420(c: Canvas, out: Uint8Array): void {
  const { width: w, height: h, data: d } = c;
  const cw = Math.ceil(w / 2);
  const chh = Math.ceil(h / 2);
  for (let i = 0; i < w * h; i++) out[i] = (9798 * d[i * 4]! + 19235 * d[i * 4 + 1]! + 3735 * d[i * 4 + 2]! + 16384) >> 15;
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

/**
 * Opens an output by its name: `NAME%04d.png` (any printf-style `%d`) writes one PNG per frame,
 * `.y4m` a YUV4MPEG2 file written by framekit, any other extension a video encoded by ffmpeg.
 */
export async function openSink(path: string, width: number, height: number, fps: number): Promise<FrameSink> {
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
    const rate = Math.round(fps * 1000);
    await fh.write(`YUV4MPEG2 W${width} H${height} F${rate}:1000 Ip A1:1 C420jpeg\n`);
    const tag = new TextEncoder().encode('FRAME\n');
    return {
      async write(c) {
        rgbaToI420(c, frame);
        await fh.write(tag);
        await fh.write(frame);
      },
      close: () => fh.close(),
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
