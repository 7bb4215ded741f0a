import { FramekitError } from '../errors.js';

/** What a video source delivers: planar 4:2:0 (Y, then U, then V; chroma at half size, rounded up). */
export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second when the container says, else null. */
  fps: number | null;
  format: 'i420';
  /** Bytes one frame occupies: width * height + 2 * ceil(width / 2) * ceil(height / 2). */
  frameBytes: number;
}

/**
 * A stream of frames read one at a time into memory the caller owns (typically a pool frame's
 * region of the shared WebAssembly memory): the bytes go from the file or pipe straight there, one
 * copy, and the source allocates nothing per frame. The Y plane at the start of each frame is the
 * 8-bit luma the tracking kernels read, so gray needs no conversion.
 */
export interface VideoSource {
  readonly info: VideoInfo;
  /**
   * Reads the next frame: the whole frame into `dst[0, frameBytes)`, or, when `chroma` is given, the
   * Y plane into `dst[0, width * height)` and the U and V planes into `chroma` (so a gray frame's
   * pixels can receive the luma directly). False at the end of the stream; E_DECODE if it ends mid-frame.
   * In Bun, views over a framekit made with `shared: true`: Bun copies a read into a plain
   * WebAssembly memory on the calling thread (bench/results/read-into-arena-epyc-2core.json).
   */
  readFrame(dst: Uint8Array, chroma?: Uint8Array): Promise<boolean>;
  close(): Promise<void>;
}

export function i420Bytes(width: number, height: number): number {
  return width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
}

type Handle = import('node:fs/promises').FileHandle;

/** Reads exactly `length` bytes into `dst` at `offset`; returns the bytes read (short only at end of stream). */
async function readFully(fh: Handle, dst: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(dst, offset + got, length - got, position === null ? null : position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got;
}

/**
 * Reads into `bufs` one after another from `position` with vectored reads (one preadv for a file, so
 * one trip through the thread pool); returns the bytes read (short only at end of file). `bufs` is
 * reused for the first read; only a short read makes the views for the rest.
 */
async function readvFully(fh: Handle, bufs: Uint8Array[], position: number): Promise<number> {
  let total = 0;
  for (const b of bufs) total += b.length;
  let got = 0;
  let parts = bufs;
  while (got < total) {
    const { bytesRead } = await fh.readv(parts, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
    if (got < total) {
      // The rest of the buffer the read ended in, and the buffers after it.
      let skip = got;
      let i = 0;
      while (skip >= bufs[i]!.length) skip -= bufs[i++]!.length;
      parts = [bufs[i]!.subarray(skip), ...bufs.slice(i + 1)];
    }
  }
  return got;
}

/** Reads one frame's bytes into `dst` (whole) or into `dst` (luma) and `chroma`; returns the bytes read. */
async function readPlanes(
  fh: Handle,
  info: VideoInfo,
  dst: Uint8Array,
  chroma: Uint8Array | undefined,
  position: number | null,
): Promise<number> {
  if (!chroma) return readFully(fh, dst, 0, info.frameBytes, position);
  const y = info.width * info.height;
  const got = await readFully(fh, dst, 0, y, position);
  if (got < y) return got;
  return got + (await readFully(fh, chroma, 0, info.frameBytes - y, position === null ? null : position + y));
}

/**
 * YUV4MPEG2 (.y4m), read by framekit itself: a text header line, then per frame a `FRAME` line and
 * the raw planes. 4:2:0 chroma (C420, C420jpeg, C420paldv, C420mpeg2) and 8-bit only.
 */
export async function openY4M(path: string, o: { maxPixels?: number } = {}): Promise<VideoSource> {
  const { open } = await import('node:fs/promises');
  let fh: Handle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new FramekitError('E_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path });
  }
  try {
    const head = new Uint8Array(512);
    const n = await readFully(fh, head, 0, head.length, 0);
    const nl = head.subarray(0, n).indexOf(0x0a);
    const line = new TextDecoder().decode(head.subarray(0, nl < 0 ? n : nl));
    if (!line.startsWith('YUV4MPEG2 ') || nl < 0) throw new FramekitError('E_DECODE', `${path}: not a YUV4MPEG2 file`, { path });
    let width = 0;
    let height = 0;
    let fps: number | null = null;
    let colour = '420jpeg';
    for (const tok of line.split(' ').slice(1)) {
      const v = tok.slice(1);
      if (tok[0] === 'W') width = Number(v);
      else if (tok[0] === 'H') height = Number(v);
      else if (tok[0] === 'F') {
        const [a, b] = v.split(':').map(Number);
        fps = a && b ? a / b : null;
      } else if (tok[0] === 'C') colour = v;
    }
    if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
      throw new FramekitError('E_DECODE', `${path}: bad size W${width} H${height}`, { path });
    }
    if (width > 1 << 16 || height > 1 << 16 || width * height > (o.maxPixels ?? 1 << 26)) {
      throw new FramekitError('E_DIMENSION', `${path}: W${width} H${height} is larger than allowed; refused before reading frames`, {
        path,
        width,
        height,
      });
    }
    if (!/^420(jpeg|paldv|mpeg2)?$/.test(colour)) {
      throw new FramekitError('E_DECODE', `${path}: colour space C${colour} is not supported (4:2:0 8-bit is)`, { path });
    }
    const info: VideoInfo = { width, height, fps, format: 'i420', frameBytes: i420Bytes(width, height) };
    let pos = nl + 1;
    const tag = new Uint8Array(6);
    const one = new Uint8Array(1);
    return {
      info,
      async readFrame(dst, chroma) {
        // The usual frame line is "FRAME\n": it and the planes come in one vectored read (a read of the
        // line alone, then of the planes, would wait for this thread to see the first finish).
        const y = width * height;
        if (dst.length < (chroma ? y : info.frameBytes) || (chroma && chroma.length < info.frameBytes - y))
          throw new FramekitError(
            'E_BUFFER_SIZE',
            `${path}: a frame needs ${chroma ? `${y} bytes for its luma and ${info.frameBytes - y} for its chroma` : `${info.frameBytes} bytes`}, got ${dst.length}${chroma ? ` and ${chroma.length}` : ''}`,
            { path },
          );
        const parts = chroma ? [tag, dst.subarray(0, y), chroma.subarray(0, info.frameBytes - y)] : [tag, dst.subarray(0, info.frameBytes)];
        const all = await readvFully(fh, parts, pos);
        if (all === 0) return false;
        if (all < 6 || tag[0] !== 0x46 || tag[4] !== 0x45)
          throw new FramekitError('E_DECODE', `${path}: corrupt frame header at byte ${pos}`, { path });
        pos += 6;
        let got = all - 6;
        // "FRAME" may carry parameters before its newline: skip them, then read the planes again.
        if (tag[5] !== 0x0a) {
          for (;;) {
            if ((await readFully(fh, one, 0, 1, pos)) === 0)
              throw new FramekitError('E_DECODE', `${path}: ends inside a frame header`, { path });
            pos++;
            if (one[0] === 0x0a) break;
          }
          got = await readPlanes(fh, info, dst, chroma, pos);
        }
        pos += got;
        if (got < info.frameBytes) {
          throw new FramekitError('E_DECODE', `${path}: the video ends mid-frame (${got} of ${info.frameBytes} bytes)`, { path });
        }
        return true;
      },
      close: () => fh.close(),
    };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function probe(path: string): Promise<{ width: number; height: number; fps: number | null }> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,avg_frame_rate', '-of', 'json', path],
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
          return reject(
            new FramekitError('E_IO', 'ffmpeg is not installed (apt-get install ffmpeg), or give a .y4m file, which framekit reads itself'),
          );
        }
        if (err) return reject(new FramekitError('E_DECODE', `${path}: ffprobe cannot read it: ${stderr.trim() || err.message}`, { path }));
        const s = (JSON.parse(stdout) as { streams?: Array<{ width?: number; height?: number; avg_frame_rate?: string }> }).streams?.[0];
        if (!s?.width || !s.height) return reject(new FramekitError('E_DECODE', `${path}: no video stream`, { path }));
        const [a, b] = (s.avg_frame_rate ?? '0/0').split('/').map(Number);
        resolve({ width: s.width, height: s.height, fps: a && b ? a / b : null });
      },
    );
  });
}

/**
 * Any video ffmpeg decodes. ffmpeg runs as a child process writing raw 4:2:0 frames into a named
 * pipe; framekit reads the pipe straight into the caller's buffer, so no chunk is allocated per
 * frame and the file is never held in memory. Needs `ffmpeg`/`ffprobe` on the PATH and mkfifo (Linux, macOS).
 */
export async function openFfmpeg(path: string): Promise<VideoSource> {
  const { access, open, mkdtemp, rm, constants } = await import('node:fs/promises');
  const { spawn, execFileSync } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  try {
    await access(path);
  } catch (e) {
    throw new FramekitError('E_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path });
  }
  const p = await probe(path);
  const info: VideoInfo = { ...p, format: 'i420', frameBytes: i420Bytes(p.width, p.height) };
  const dir = await mkdtemp(join(tmpdir(), 'framekit-'));
  const fifo = join(dir, 'frames.yuv');
  execFileSync('mkfifo', [fifo]);
  const child = spawn('ffmpeg', ['-v', 'error', '-nostdin', '-i', path, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-y', fifo], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => void (stderr.length < 4096 && (stderr += d)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.on('close', (code, signal) => r({ code, signal })),
  );
  // Opening a FIFO for reading waits for a writer: if ffmpeg exits without ever opening it (it could
  // not decode the file, or was killed first), open it for writing here so the read end opens and
  // sees the end of the stream, and report why below instead of waiting forever.
  // O_NONBLOCK: this open never waits (ENXIO when no reader is there, which is then harmless).
  let opened = false;
  const opening = open(fifo, 'r').then((h) => ((opened = true), h));
  void exited.then(async () => {
    if (opened) return;
    const w = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK).catch(() => null);
    await w?.close();
  });
  const fh = await opening;
  let done = false;
  let framesRead = 0;
  let closing = false;
  return {
    info,
    async readFrame(dst, chroma) {
      if (done) return false;
      const got = await readPlanes(fh, info, dst, chroma, null);
      if (got === info.frameBytes) {
        framesRead++;
        return true;
      }
      done = true;
      const { code, signal } = await exited;
      const after = `after ${framesRead} frame${framesRead === 1 ? '' : 's'}`;
      if (signal && !closing)
        throw new FramekitError('E_DECODE', `${path}: ffmpeg was killed (${signal}) ${after}; the frames before it were processed`, {
          path,
          frames: framesRead,
        });
      if (code !== 0)
        throw new FramekitError('E_DECODE', `${path}: ffmpeg failed ${after}: ${stderr.trim() || `exit code ${code}`}`, {
          path,
          frames: framesRead,
        });
      if (got > 0)
        throw new FramekitError('E_DECODE', `${path}: the video ends mid-frame (${got} of ${info.frameBytes} bytes) ${after}`, {
          path,
          frames: framesRead,
        });
      return false;
    },
    async close() {
      closing = true;
      child.kill();
      await fh.close();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Opens a video by its name: `.y4m` is read by framekit, anything else goes through ffmpeg. */
export function openVideo(path: string): Promise<VideoSource> {
  return /\.y4m$/i.test(path) ? openY4M(path) : openFfmpeg(path);
}
