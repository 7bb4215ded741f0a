import { afterAll, describe, expect, test } from 'bun:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FramekitError } from '../../ts/index.js';
import { i420Bytes, openFfmpeg, openVideo, openY4M } from '../../ts/io/video.js';
import { mulberry32 } from '../helpers/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fk-video-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Frames of seeded noise with smooth structure (so a lossless codec has something to do). */
function makeFrames(w: number, h: number, n: number): Uint8Array[] {
  const r = mulberry32(42);
  return Array.from({ length: n }, (_, k) => {
    const f = new Uint8Array(i420Bytes(w, h));
    for (let i = 0; i < f.length; i++) f[i] = (((i % w) * 3 + Math.floor(i / w) * 2 + k * 17) & 255) ^ ((r() * 8) | 0);
    return f;
  });
}

function writeY4M(path: string, w: number, h: number, frames: Uint8Array[], frameHeader = 'FRAME', colour = 'C420jpeg'): void {
  const parts: Uint8Array[] = [new TextEncoder().encode(`YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 ${colour}\n`)];
  for (const f of frames) parts.push(new TextEncoder().encode(`${frameHeader}\n`), f);
  writeFileSync(path, Buffer.concat(parts));
}

async function readAll(path: string, open = openVideo): Promise<Uint8Array[]> {
  const src = await open(path);
  const out: Uint8Array[] = [];
  const buf = new Uint8Array(src.info.frameBytes + 16).fill(7);
  try {
    while (await src.readFrame(buf)) out.push(buf.slice(0, src.info.frameBytes));
    expect(buf[src.info.frameBytes]).toBe(7); // nothing written past the frame
  } finally {
    await src.close();
  }
  return out;
}

const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(FramekitError);
    return (e as FramekitError).code;
  }
  throw new Error('expected a FramekitError');
};

describe('Y4M, read by framekit', () => {
  test('frames come back byte for byte, odd sizes and FRAME parameters included', async () => {
    for (const [w, h, hdr] of [
      [64, 48, 'FRAME'],
      [33, 17, 'FRAME Ixyz'],
    ] as const) {
      const frames = makeFrames(w, h, 4);
      const p = join(dir, `a${w}.y4m`);
      writeY4M(p, w, h, frames, hdr);
      const src = await openY4M(p);
      expect(src.info).toEqual({ width: w, height: h, fps: 30, format: 'i420', frameBytes: i420Bytes(w, h) });
      await src.close();
      expect(await readAll(p)).toEqual(frames);
    }
  });

  test('bad input: missing, not Y4M, unsupported chroma, ends mid-frame (earlier frames kept)', async () => {
    expect(await code(openY4M(join(dir, 'missing.y4m')))).toBe('E_IO');
    writeFileSync(join(dir, 'x.y4m'), 'hello world\n');
    expect(await code(openY4M(join(dir, 'x.y4m')))).toBe('E_DECODE');
    writeY4M(join(dir, 'c444.y4m'), 8, 8, [], 'FRAME', 'C444');
    expect(await code(openY4M(join(dir, 'c444.y4m')))).toBe('E_DECODE');
    const frames = makeFrames(16, 16, 3);
    writeY4M(join(dir, 'cut.y4m'), 16, 16, frames);
    const full = readFileSync(join(dir, 'cut.y4m'));
    writeFileSync(join(dir, 'cut.y4m'), full.subarray(0, full.length - 100));
    const src = await openY4M(join(dir, 'cut.y4m'));
    const buf = new Uint8Array(src.info.frameBytes);
    expect(await src.readFrame(buf)).toBe(true);
    expect(buf).toEqual(frames[0]!);
    expect(await src.readFrame(buf)).toBe(true);
    expect(await code(src.readFrame(buf))).toBe('E_DECODE');
    await src.close();
  });

  test('luma and chroma into separate buffers', async () => {
    const frames = makeFrames(20, 10, 2);
    writeY4M(join(dir, 'split.y4m'), 20, 10, frames);
    const src = await openY4M(join(dir, 'split.y4m'));
    const y = new Uint8Array(200);
    const uv = new Uint8Array(100);
    for (const f of frames) {
      expect(await src.readFrame(y, uv)).toBe(true);
      expect(y).toEqual(f.subarray(0, 200));
      expect(uv).toEqual(f.subarray(200));
    }
    expect(await src.readFrame(y, uv)).toBe(false);
    await src.close();
  });

  test('luma and chroma into separate buffers with FRAME parameters: nothing written past either region; too small a buffer is refused', async () => {
    const frames = makeFrames(22, 14, 3);
    writeY4M(join(dir, 'split-params.y4m'), 22, 14, frames, 'FRAME Ixyz Xa=1');
    const src = await openY4M(join(dir, 'split-params.y4m'));
    const GUARD = 16;
    const y = new Uint8Array(22 * 14 + GUARD).fill(0xa5);
    const uv = new Uint8Array(2 * 11 * 7 + GUARD).fill(0x5a);
    for (const f of frames) {
      expect(await src.readFrame(y.subarray(0, 22 * 14 + 5), uv)).toBe(true);
      expect(y.subarray(0, 22 * 14)).toEqual(f.subarray(0, 22 * 14));
      expect(uv.subarray(0, 2 * 11 * 7)).toEqual(f.subarray(22 * 14));
      expect([...y.subarray(22 * 14)].every((v) => v === 0xa5)).toBe(true);
      expect([...uv.subarray(2 * 11 * 7)].every((v) => v === 0x5a)).toBe(true);
    }
    expect(await src.readFrame(y, uv)).toBe(false);
    await src.close();
    const again = await openY4M(join(dir, 'split-params.y4m'));
    const small = new Uint8Array(22 * 14 - 1).fill(7);
    const err = await again.readFrame(small, uv).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FramekitError);
    expect((err as FramekitError).code).toBe('E_BUFFER_SIZE');
    expect(small.every((v) => v === 7)).toBe(true);
    expect(((await again.readFrame(new Uint8Array(i420Bytes(22, 14) - 1)).catch((e: unknown) => e)) as FramekitError).code).toBe(
      'E_BUFFER_SIZE',
    );
    // Refused before reading: the first frame is still there.
    const whole = new Uint8Array(i420Bytes(22, 14));
    expect(await again.readFrame(whole)).toBe(true);
    expect(whole).toEqual(frames[0]!);
    await again.close();
  });
});

describe('video through ffmpeg (a child process writing into a named pipe)', () => {
  test('a lossless FFV1 file decodes to the frames that made it', async () => {
    const frames = makeFrames(96, 64, 5);
    writeY4M(join(dir, 'src.y4m'), 96, 64, frames);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(dir, 'src.y4m'), '-c:v', 'ffv1', join(dir, 'v.mkv')]);
    const src = await openFfmpeg(join(dir, 'v.mkv'));
    expect(src.info).toMatchObject({ width: 96, height: 64, format: 'i420', frameBytes: i420Bytes(96, 64) });
    await src.close();
    expect(await readAll(join(dir, 'v.mkv'))).toEqual(frames);
  });

  test('bad input: missing file, not a video, ffmpeg absent', async () => {
    expect(await code(openFfmpeg(join(dir, 'missing.mp4')))).toBe('E_IO');
    writeFileSync(join(dir, 'junk.mp4'), 'not a video at all');
    expect(await code(openFfmpeg(join(dir, 'junk.mp4')))).toBe('E_DECODE');
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const c = await openFfmpeg(join(dir, 'junk.mp4')).catch((e: FramekitError) => e);
      expect((c as FramekitError).code).toBe('E_IO');
      expect((c as FramekitError).message).toMatch(/apt-get install ffmpeg/);
    } finally {
      process.env.PATH = path;
    }
  });
});
