import { FramekitError } from '../errors.js';
import type { SampleRing } from '../frame/sample-ring.js';

/**
 * A stream of mono f32 PCM that fills a SampleRing: each `read` moves at most one block from the
 * source into the ring's cells (one copy, straight from the file or pipe), as much as fits.
 */
export interface AudioSource {
  /** Samples per second of what the source delivers. */
  readonly sampleRate: number;
  /**
   * Where the first sample lies on the media timeline, in microseconds (a file's audio that starts
   * after its video starts later than 0). Sources that pad the start to 0 report 0.
   */
  readonly startUs: number;
  /** Pushes the next samples into `ring`; resolves with how many (0 when the ring is full), or -1 at the end of the stream. */
  read(ring: SampleRing): Promise<number>;
  close(): Promise<void>;
}

/** Sample rate every framekit audio source delivers for the mel and voice-activity path. */
export const AUDIO_RATE = 16000;

export interface AudioProbe {
  /** Codec of the first audio stream, e.g. 'aac', 'pcm_s16le'. */
  codec: string;
  sampleRate: number;
  channels: number;
  /** Start of the audio stream on the file's timeline, seconds (0 when ffprobe gives none). */
  startTime: number;
  /** Duration in seconds, or null when the container does not say. */
  duration: number | null;
  /** Whether the file also has a video stream. */
  hasVideo: boolean;
  /** Start of the first video stream on the file's timeline, seconds (null without video). */
  videoStartTime: number | null;
}

function ffmpegMissing(): FramekitError {
  return new FramekitError('E_IO', 'ffmpeg is not installed (apt-get install ffmpeg); framekit reads WAV files itself');
}

/** The first audio stream of a media file, by ffprobe. E_NO_AUDIO when it has none. */
export async function probeAudio(path: string): Promise<AudioProbe> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,sample_rate,channels,start_time,duration', '-of', 'json', path],
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return reject(ffmpegMissing());
        if (err) return reject(new FramekitError('E_DECODE', `${path}: ffprobe cannot read it: ${stderr.trim() || err.message}`, { path }));
        type S = {
          codec_type?: string;
          codec_name?: string;
          sample_rate?: string;
          channels?: number;
          start_time?: string;
          duration?: string;
        };
        const streams = (JSON.parse(stdout) as { streams?: S[] }).streams ?? [];
        const a = streams.find((s) => s.codec_type === 'audio');
        if (!a) return reject(new FramekitError('E_NO_AUDIO', `${path}: the file has no audio stream`, { path }));
        const v = streams.find((s) => s.codec_type === 'video');
        const start = Number(a.start_time);
        const dur = Number(a.duration);
        resolve({
          codec: a.codec_name ?? 'unknown',
          sampleRate: Number(a.sample_rate) || 0,
          channels: a.channels ?? 0,
          startTime: Number.isFinite(start) ? start : 0,
          duration: Number.isFinite(dur) ? dur : null,
          hasVideo: v !== undefined,
          videoStartTime: v ? (Number.isFinite(Number(v.start_time)) ? Number(v.start_time) : 0) : null,
        });
      },
    );
  });
}

/**
 * The first audio stream of any file ffmpeg reads, decoded, downmixed to mono and resampled to
 * 16 kHz float32 by ffmpeg (`-vn -ac 1 -ar 16000 -f f32le`), which writes into a named pipe that
 * framekit reads straight into the ring's cells: no chunk is allocated per block and the file is
 * never held in memory. Gaps in the audio's timestamps are filled with silence by ffmpeg
 * (`aresample=async=1`), so sample n is at startUs + n / 16 kHz; `startUs` is the stream's start on
 * the file's timeline (audio that starts after the video). E_NO_AUDIO for a file without audio.
 */
export async function openFfmpegAudio(path: string): Promise<AudioSource & { readonly probe: AudioProbe }> {
  const { access, open, mkdtemp, rm } = await import('node:fs/promises');
  const { spawn, execFileSync } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  try {
    await access(path);
  } catch (e) {
    throw new FramekitError('E_IO', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { path });
  }
  const probe = await probeAudio(path);
  const dir = await mkdtemp(join(tmpdir(), 'framekit-audio-'));
  const fifo = join(dir, 'samples.f32');
  execFileSync('mkfifo', [fifo]);
  const args = [
    '-v',
    'error',
    '-nostdin',
    '-i',
    path,
    '-map',
    '0:a:0',
    '-vn',
    '-af',
    'aresample=async=1',
    '-ac',
    '1',
    '-ar',
    String(AUDIO_RATE),
    '-f',
    'f32le',
    '-y',
    fifo,
  ];
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => void (stderr.length < 4096 && (stderr += d)));
  let spawnError: Error | null = null;
  child.on('error', (e) => (spawnError = e));
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  // Opening a FIFO to read waits for a writer: if ffmpeg dies before opening it, open it for writing
  // ourselves so the read side sees end of file instead of waiting forever.
  let opened = false;
  void exited.then(async () => {
    if (!opened) await (await open(fifo, 'w')).close().catch(() => undefined);
  });
  const fh = await open(fifo, 'r');
  opened = true;
  let done = false;

  const fail = async () => {
    const code = await exited;
    if (spawnError && (spawnError as NodeJS.ErrnoException).code === 'ENOENT') throw ffmpegMissing();
    if (code !== 0) throw new FramekitError('E_DECODE', `${path}: ffmpeg failed: ${stderr.trim() || `exit ${code}`}`, { path });
  };

  return {
    probe,
    sampleRate: AUDIO_RATE,
    startUs: Math.round(probe.startTime * 1e6),
    async read(ring) {
      if (done) return -1;
      const want = Math.min(ring.free, 8192);
      if (want === 0) return 0;
      const w = ring.reserve(want);
      const bytes = ring.cellBytes;
      const start = (w & (ring.capacity - 1)) * 4;
      // One read into the ring: the pipe gives what it has (up to the first span's end).
      const span = Math.min(want * 4, bytes.length - start);
      let got = (await fh.read(bytes, start, span, null)).bytesRead;
      if (got === 0) {
        done = true;
        await fail();
        return -1;
      }
      // A sample split by the pipe: wait for its remaining bytes (they follow at once).
      while (got % 4 !== 0) {
        const { bytesRead } = await fh.read(bytes, start + got, 4 - (got % 4), null);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      const samples = got >>> 2;
      if (samples > 0) ring.commit(samples);
      if (got % 4 !== 0) {
        done = true;
        await fail();
        throw new FramekitError('E_DECODE', `${path}: ffmpeg's output ends mid-sample`, { path });
      }
      return samples;
    },
    async close() {
      done = true;
      child.kill();
      await fh.close();
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens a file's audio at 16 kHz: a 16 kHz `.wav` is read by framekit itself; other WAVs (another
 * rate) and every other format go through ffmpeg.
 */
export async function openAudio(path: string): Promise<AudioSource> {
  if (/\.wav$/i.test(path)) {
    const { openWav } = await import('./wav.js');
    const wav = await openWav(path);
    if (wav.sampleRate === AUDIO_RATE) return wav;
    await wav.close();
  }
  return openFfmpegAudio(path);
}
