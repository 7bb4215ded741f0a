import { afterAll, describe, expect, test } from 'bun:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SampleRing } from '../../ts/index.js';
import { AudioStream } from '../../ts/audio/stream.js';
import { AudioPool } from '../../ts/audio/pool.js';
import { openAudio, openFfmpegAudio, type AudioSource } from '../../ts/io/audio.js';
import { decodeWav, openWav, parseWavHeader } from '../../ts/io/wav.js';
import { MelSpectrogram, MelStream } from '../../ts/kernels/mel/api.js';
import { errorCode, fixturePath, framekits } from '../helpers/index.js';
import { speechClip } from '../helpers/audio.js';

const fks = await framekits({ arenaBytes: 8 << 20 });
const [, fk] = fks[2]!;
const dir = mkdtempSync(join(tmpdir(), 'framekit-audio-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const speech = speechClip();
/** Tests that run ffmpeg get a minute: the machine they run on may be shared. */
const SLOW = 60_000;
const SPEECH = fixturePath('speech-16k.wav');

/** Runs ffmpeg (Debian's, as the package uses) and returns the output path. */
function ffmpeg(out: string, ...args: string[]): string {
  const p = join(dir, out);
  execFileSync('ffmpeg', ['-v', 'error', '-y', ...args, p]);
  return p;
}

async function errorCodeAsync(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  }
  return 'no error';
}

/** Reads a whole source through a small ring (many wraps), returning every sample. */
async function drain(src: AudioSource, capacity = 1024): Promise<Float32Array> {
  const ring = new SampleRing(fk, capacity);
  const out: number[] = [];
  const block = new Float32Array(capacity);
  for (;;) {
    const n = await src.read(ring);
    const have = ring.size;
    if (have > 0) {
      const b = block.subarray(0, have);
      ring.pop(b);
      for (const v of b) out.push(v);
    }
    if (n < 0) break;
  }
  ring.dispose();
  await src.close();
  return Float32Array.from(out);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('WAV read by framekit', () => {
  test('the fixture: 16 kHz mono s16, every sample exact', () => {
    const info = parseWavHeader(readFileSync(SPEECH));
    expect(info).toMatchObject({ sampleRate: 16000, channels: 1, bitsPerSample: 16, encoding: 'pcm' });
    const raw = readFileSync(SPEECH).subarray(info.dataOffset);
    const i16 = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length - (raw.length % 2)));
    expect(speech.length).toBe(info.frames!);
    for (let i = 0; i < speech.length; i += 97) expect(speech[i]).toBe(Math.fround(i16[i]! / 32768));
  });

  const formats: Array<[string, string[], number]> = [
    ['s24 stereo (ffmpeg)', ['-filter_complex', '[0:a]asplit=2[a][b];[a][b]amerge=inputs=2', '-c:a', 'pcm_s24le'], 1e-7],
    ['s32 mono (ffmpeg)', ['-c:a', 'pcm_s32le'], 1e-7],
    ['f32 mono (ffmpeg)', ['-c:a', 'pcm_f32le'], 0],
    ['f32 stereo (ffmpeg)', ['-filter_complex', '[0:a]asplit=2[a][b];[a][b]amerge=inputs=2', '-c:a', 'pcm_f32le'], 1e-7],
    // Left the speech, right silent: the mean is half the speech.
    [
      's16 stereo half (ffmpeg)',
      ['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-filter_complex', '[0:a][1:a]amerge=inputs=2', '-shortest', '-c:a', 'pcm_s16le'],
      -1,
    ],
    ['f64 mono (ffmpeg)', ['-c:a', 'pcm_f64le'], 0],
    ['u8 mono (ffmpeg)', ['-c:a', 'pcm_u8'], 1 / 128 + 1e-6],
    [
      's16 extensible 4 channels (ffmpeg)',
      ['-filter_complex', '[0:a]asplit=4[a][b][c][d];[a][b][c][d]amerge=inputs=4', '-c:a', 'pcm_s16le'],
      1e-7,
    ],
  ];
  for (const [name, args, tol] of formats) {
    test(
      `${name}: decodeWav and the streaming reader give the source's samples (downmixed)`,
      async () => {
        const path = ffmpeg(`${name.split(' ')[0]}-${args.join('')}.wav`, '-i', SPEECH, ...args);
        const whole = decodeWav(readFileSync(path)).samples;
        expect(whole.length).toBe(speech.length);
        const expected = tol < 0 ? speech.map((v) => v / 2) : speech;
        expect(maxAbsDiff(whole, expected)).toBeLessThanOrEqual(Math.max(tol, 1e-7));
        const streamed = await drain(await openWav(path), 1024);
        expect(streamed.length).toBe(speech.length);
        expect(maxAbsDiff(streamed, whole)).toBe(0);
      },
      SLOW,
    );
  }

  test('a truncated WAV: decodeWav throws E_DECODE; the stream delivers every whole frame, then E_DECODE', async () => {
    const full = readFileSync(SPEECH);
    const cut = full.subarray(0, full.length - 1001); // ends mid-sample
    expect(errorCode(() => decodeWav(cut))).toBe('E_DECODE');
    const p = join(dir, 'truncated.wav');
    writeFileSync(p, cut);
    const src = await openWav(p);
    const ring = new SampleRing(fk, 1 << 18);
    let got = 0;
    let err = 'no error';
    try {
      for (;;) {
        const n = await src.read(ring);
        if (n < 0) break;
        got += n;
      }
    } catch (e) {
      err = (e as { code: string; details: { reason: string } }).code + ':' + (e as { details: { reason: string } }).details.reason;
    }
    expect(err).toBe('E_DECODE:truncated');
    const whole = Math.floor((cut.length - parseWavHeader(full).dataOffset) / 2);
    expect(got).toBe(whole);
    const b = new Float32Array(whole);
    expect(ring.pop(b)).toBe(true);
    expect(maxAbsDiff(b, speech.subarray(0, whole))).toBe(0);
    await src.close();
    ring.dispose();
    // A header cut before the data chunk, and bytes that are no WAV at all.
    expect(errorCode(() => parseWavHeader(full.subarray(0, 30)))).toBe('E_DECODE');
    expect(errorCode(() => parseWavHeader(new TextEncoder().encode('not a wav file at all')))).toBe('E_DECODE');
  });

  test(
    'unsupported formats are E_FORMAT: A-law, 12-bit, 9 channels',
    () => {
      const alaw = ffmpeg('alaw.wav', '-i', SPEECH, '-c:a', 'pcm_alaw');
      expect(errorCode(() => parseWavHeader(readFileSync(alaw)))).toBe('E_FORMAT');
      const h = Buffer.from(readFileSync(SPEECH).subarray(0, 44));
      h.writeUInt16LE(12, 34); // bits per sample
      expect(errorCode(() => parseWavHeader(h))).toBe('E_FORMAT');
      const c = Buffer.from(readFileSync(SPEECH).subarray(0, 44));
      c.writeUInt16LE(9, 22);
      expect(errorCode(() => parseWavHeader(c))).toBe('E_FORMAT');
    },
    SLOW,
  );
});

describe('audio through ffmpeg', () => {
  test(
    'a 44.1 kHz stereo FLAC, resampled by ffmpeg to 16 kHz mono, streamed into a small ring',
    async () => {
      const flac = ffmpeg('speech.flac', '-i', SPEECH, '-ar', '44100', '-ac', '2');
      const src = await openFfmpegAudio(flac);
      expect(src.probe).toMatchObject({ codec: 'flac', sampleRate: 44100, channels: 2, hasVideo: false });
      const got = await drain(src, 2048);
      expect(Math.abs(got.length - speech.length)).toBeLessThanOrEqual(32);
      // Two resamplings apart: the same waveform within resampling error.
      let num = 0;
      let den = 0;
      for (let i = 0; i < Math.min(got.length, speech.length); i++) {
        num += (got[i]! - speech[i]!) ** 2;
        den += speech[i]! ** 2;
      }
      expect(num / den).toBeLessThan(1e-3);
    },
    SLOW,
  );

  test(
    'openAudio: a 16 kHz WAV is read by framekit, an 8 kHz WAV goes through ffmpeg',
    async () => {
      const a = await openAudio(SPEECH);
      expect('wav' in a).toBe(true);
      await a.close();
      const low = ffmpeg('speech-8k.wav', '-i', SPEECH, '-ar', '8000');
      const b = await openAudio(low);
      expect('probe' in b).toBe(true);
      const got = await drain(b);
      expect(Math.abs(got.length - speech.length)).toBeLessThanOrEqual(32);
    },
    SLOW,
  );

  test(
    'a file with no audio stream is E_NO_AUDIO; a missing file is E_IO; audio starting late reports its start',
    async () => {
      const video = ffmpeg('video-only.mkv', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '1');
      expect(await errorCodeAsync(openFfmpegAudio(video))).toBe('E_NO_AUDIO');
      expect(await errorCodeAsync(openAudio(join(dir, 'nope.mp3')))).toBe('E_IO');
      const late = ffmpeg(
        'late.mkv',
        '-f',
        'lavfi',
        '-i',
        'testsrc=size=64x48:rate=10',
        '-itsoffset',
        '0.5',
        '-i',
        SPEECH,
        '-t',
        '3',
        '-c:a',
        'flac',
      );
      const src = await openFfmpegAudio(late);
      expect(src.probe.hasVideo).toBe(true);
      expect(Math.abs(src.startUs - 500000)).toBeLessThanOrEqual(1000);
      await src.close();
    },
    SLOW,
  );
});

describe('AudioStream: 512-sample frames with mel and level attached', () => {
  for (const [backend, kfk] of fks) {
    test(`${backend}: the speech fixture cut into frames: samples, timestamps, each mel column once, levels`, async () => {
      const stream = new AudioStream(kfk, { size: 4, ringCapacity: 4096, startUs: 1000 });
      const src = await openWav(SPEECH);
      const frames: Array<{ start: number; ts: number; len: number; first: number; count: number }> = [];
      const samples: number[] = [];
      const cols: Float32Array[] = [];
      const take = (f: NonNullable<ReturnType<AudioStream['next']>>) => {
        const m = f.mel()!;
        expect(f.get('mel')).toBe(m);
        frames.push({ start: f.startSample, ts: f.timestamp, len: f.length, first: m.first, count: m.count });
        for (let i = 0; i < f.length; i++) samples.push(f.samples[i]!);
        for (let i = f.length; i < f.capacity; i++) expect(f.samples[i]).toBe(0);
        for (let i = 0; i < m.count; i++) cols.push(m.data.slice(i * 80, (i + 1) * 80));
        const lv = f.level();
        expect(f.level()).toBe(lv); // computed once
        let s = 0;
        let p = 0;
        for (let i = 0; i < f.length; i++) {
          s += f.samples[i]! ** 2;
          p = Math.max(p, Math.abs(f.samples[i]!));
        }
        expect(Math.abs(lv.rms - Math.sqrt(s / Math.max(1, f.length)))).toBeLessThan(1e-5);
        expect(lv.peak).toBe(Math.fround(p));
        f.release();
      };
      for (;;) {
        const n = await src.read(stream.ring);
        for (let f = stream.next(); f; f = stream.next()) take(f);
        if (n < 0) break;
      }
      for (let f = stream.flush(); f; f = stream.flush()) take(f);
      await src.close();
      expect(Float32Array.from(samples)).toEqual(speech);
      const N = speech.length;
      expect(frames.length).toBe(Math.ceil(N / 512));
      frames.forEach((f, k) => {
        expect(f.start).toBe(512 * k);
        expect(f.ts).toBe(1000 + 32000 * k);
      });
      // Columns 0 .. floor(N / 160), each exactly once, in order.
      let next = 0;
      for (const f of frames) {
        expect(f.first).toBe(next);
        next += f.count;
      }
      expect(next).toBe(Math.floor(N / 160) + 1);
      // The same columns as a MelStream over the whole clip at once.
      const mel = new MelSpectrogram(kfk);
      const ring = new SampleRing(kfk, 1 << 18);
      ring.push(speech);
      const ms = new MelStream(mel, ring);
      const out = kfk.arena.alloc(80 * 4 * 1024);
      let k = ms.advance(N, out.ptr, 1024);
      k += ms.finish(N, out.ptr + k * 320, 1024 - k);
      expect(k).toBe(cols.length);
      const direct = new Float32Array(kfk.heap.buffer, out.ptr, k * 80);
      for (let t = 0; t < k; t++) for (let b = 0; b < 80; b += 7) expect(cols[t]![b]).toBe(direct[t * 80 + b]!);
      kfk.arena.free(out);
      ring.dispose();
      mel.dispose();
      stream.dispose();
    });
  }

  test('context: each frame holds the 64 samples before it, then its own, contiguous (zeros before the stream)', () => {
    const stream = new AudioStream(fk, { size: 2, ringCapacity: 4096, context: 64 });
    let pushed = 0;
    let frames = 0;
    let columns = 0;
    const take = (f: NonNullable<ReturnType<AudioStream['next']>>) => {
      const w = f.window;
      expect(w.length).toBe(64 + 512);
      expect(f.samplesPtr - f.windowPtr).toBe(256);
      for (let i = 0; i < 64; i++) expect(w[i]).toBe(f.startSample - 64 + i < 0 ? 0 : speech[f.startSample - 64 + i]!);
      for (let i = 0; i < f.length; i++) expect(w[64 + i]).toBe(speech[f.startSample + i]!);
      columns += f.mel()!.count;
      frames++;
      f.release();
    };
    while (pushed < speech.length) {
      const n = Math.min(700, speech.length - pushed, stream.ring.free);
      expect(stream.ring.push(speech.subarray(pushed, pushed + n))).toBe(true);
      pushed += n;
      for (let f = stream.next(); f; f = stream.next()) take(f);
    }
    for (let f = stream.flush(); f; f = stream.flush()) take(f);
    expect(frames).toBe(Math.ceil(speech.length / 512));
    expect(columns).toBe(Math.floor(speech.length / 160) + 1);
    expect(errorCode(() => new AudioPool(fk, { context: 5000 }))).toBe('E_ARGUMENT');
    stream.dispose();
  });

  test('a stream that ends on a frame boundary gets a last frame of 0 samples carrying the end columns', () => {
    const stream = new AudioStream(fk, { size: 2, ringCapacity: 4096 });
    expect(stream.ring.push(speech.subarray(0, 2048))).toBe(true);
    let cols = 0;
    for (let f = stream.next(); f; f = stream.next()) {
      cols += f.mel()!.count;
      f.release();
    }
    const last = stream.flush()!;
    expect(last.length).toBe(0);
    cols += last.mel()!.count;
    last.release();
    expect(stream.flush()).toBeNull();
    expect(cols).toBe(2048 / 160 + 1 - ((2048 / 160) % 1));
    stream.dispose();
  });
});

describe('AudioFrame: pooled, compute-once, attachAsync and generations as video frames', () => {
  test('attachAsync lands on a live frame and is discarded after release and reuse; stale handles are E_STATE', async () => {
    const pool = new AudioPool(fk, { size: 1 });
    const f = pool.acquire(0);
    const h = f.handle;
    expect(await f.attachAsync('speech', Promise.resolve({ probability: 0.9, speech: true }))).toBe(true);
    expect(f.get('speech')).toEqual({ probability: 0.9, speech: true });
    let resolve!: (v: { probability: number; speech: boolean }) => void;
    const late = f.attachAsync('speech', new Promise((r) => (resolve = r)));
    f.release();
    const g = pool.acquire(512); // the same slot, a new generation
    expect(g).toBe(f);
    resolve({ probability: 0.1, speech: false });
    expect(await late).toBe(false);
    expect(g.get('speech')).toBeNull();
    expect(errorCode(() => pool.fromHandle(h))).toBe('E_STATE');
    expect(pool.tryHandle(h)).toBeNull();
    expect(pool.fromHandle(g.handle)).toBe(g);
    expect(errorCode(() => pool.acquire())).toBe('E_STATE');
    expect(errorCode(() => g.attach('nope', 1))).toBe('E_ARGUMENT');
    g.release();
    expect(errorCode(() => g.samples)).toBe('E_STATE');
    expect(errorCode(() => g.release())).toBe('E_STATE');
    pool.dispose();
  });

  test('user slots, ensure, and drop-oldest', () => {
    const pool = new AudioPool(fk, { size: 2, onExhausted: 'drop-oldest', startUs: 1e6, slots: { ctx: { length: 64, type: 'f32' } } });
    const a = pool.acquire(0);
    const b = pool.acquire(512);
    expect(b.timestamp).toBe(1e6 + 32000);
    expect(a.slot<Float32Array>('ctx').length).toBe(64);
    let calls = 0;
    const fn = () => ++calls;
    expect(a.ensure('ctx', fn)).toBe(1);
    expect(a.ensure('ctx', fn)).toBe(1);
    const c = pool.acquire(1024);
    expect(c).toBe(a); // the oldest was reclaimed
    expect(pool.stats().dropped).toBe(1);
    b.release();
    c.release();
    pool.dispose();
  });

  test('drop-oldest never takes a frame a reader retained; a bad startSample takes no frame', () => {
    const pool = new AudioPool(fk, { size: 2, onExhausted: 'drop-oldest' });
    expect(errorCode(() => pool.acquire(-1))).toBe('E_ARGUMENT');
    expect(errorCode(() => pool.acquire(1.5))).toBe('E_ARGUMENT');
    expect(pool.stats().dropped).toBe(0);
    const a = pool.acquire(0).retain(); // a reader holds the oldest
    const b = pool.acquire(512);
    const c = pool.acquire(1024);
    expect(c).toBe(b); // the oldest single-held frame, not the retained one
    expect(a.live && a.refs === 2).toBe(true);
    c.retain();
    expect(errorCode(() => pool.acquire(1536))).toBe('E_STATE'); // every frame retained
    for (const f of [a, a, c, c]) f.release();
    expect(pool.stats().dropped).toBe(1);
    pool.dispose();
  });
});
