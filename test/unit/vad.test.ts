import { describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { createFramekit, FramekitError, Level, Scheduler } from '../../ts/index.js';
import { AudioStream } from '../../ts/audio/stream.js';
import type { AudioFrame } from '../../ts/audio/frame.js';
import { decodeWav } from '../../ts/io/wav.js';
import { DEFAULT_CLIP_SEGMENTS } from '../../ts/cli/commands/listen.js';
import { SpeechHysteresis } from '../../ts/models/silero/hysteresis.js';
import { VAD_WINDOW, VadStage, type SpeechResult } from '../../ts/models/silero/vad.js';
import { fixturePath } from '../helpers/index.js';

/** 16-bit PCM mono WAV to floats in [-1, 1) (just enough of RIFF for the fixture). */
function readWav16(path: string): { rate: number; samples: Float32Array } {
  const b = readFileSync(path);
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 12;
  let rate = 0;
  while (p + 8 <= b.length) {
    const id = b.toString('ascii', p, p + 4);
    const size = v.getUint32(p + 4, true);
    if (id === 'fmt ') {
      expect(v.getUint16(p + 8, true)).toBe(1);
      expect(v.getUint16(p + 10, true)).toBe(1);
      rate = v.getUint32(p + 12, true);
      expect(v.getUint16(p + 22, true)).toBe(16);
    }
    if (id === 'data') {
      const n = size >> 1;
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = v.getInt16(p + 8 + 2 * i, true) / 32768;
      return { rate, samples };
    }
    p += 8 + size + (size & 1);
  }
  throw new Error('no data chunk');
}

// test/fixtures/speech-vad.wav: two espeak-ng sentences; speech in [1.000, 3.875] s and [5.875, 9.235] s
// (silence measured with ffmpeg silencedetect at -50 dB), silence elsewhere, 10.835 s in all.
const SPEECH: Array<[number, number]> = [
  [1.0, 3.875],
  [5.875, 9.235],
];

describe('speech hysteresis (vad-web rules, thresholds 0.5 / 0.35)', () => {
  const o = { positiveThreshold: 0.5, negativeThreshold: 0.35, redemption: 3, minSpeech: 2, windowSamples: 512, sampleRate: 16000 };
  test('opens on p >= 0.5, stays open through 0.35..0.5 and short dips, closes after `redemption` quiet windows', () => {
    const h = new SpeechHysteresis(o);
    const ps = [0.1, 0.6, 0.4, 0.9, 0.2, 0.2, 0.45, 0.1, 0.1, 0.1, 0.1];
    const closed = ps.map((p, i) => h.update(i, p));
    expect(closed.slice(0, 7).every((s) => s === null)).toBe(true);
    // windows 4, 5 and 7 are quiet (< 0.35; 0.45 at 6 neither resets nor counts, as in vad-web): it closes at 7,
    // ending where window 6, the last one >= 0.35, ends
    expect(closed[7]).toEqual({ startSample: 512, endSample: 7 * 512, start: 512 / 16000, end: (7 * 512) / 16000, speechWindows: 2 });
    expect(h.speaking).toBe(false);
    expect(closed.slice(8).every((s) => s === null)).toBe(true);
  });
  test('a segment with too few speech windows is a misfire; flush closes an open one', () => {
    const h = new SpeechHysteresis(o);
    expect([0.7, 0.1, 0.1, 0.1].map((p, i) => h.update(i, p)).every((s) => s === null)).toBe(true);
    expect(h.update(4, 0.8)).toBeNull();
    expect(h.update(5, 0.8)).toBeNull();
    expect(h.flush()).toMatchObject({ startSample: 4 * 512, endSample: 6 * 512, speechWindows: 2 });
    expect(h.flush()).toBeNull();
  });
});

describe('Silero VAD v5 stage', () => {
  test('finds the two sentences of the speech fixture; results attach to each window, in order, at HIGH', async () => {
    const { rate, samples } = readWav16(fixturePath('speech-vad.wav'));
    expect(rate).toBe(16000);
    const scheduler = new Scheduler();
    const closed: number[] = [];
    const vad = new VadStage({ scheduler, queue: 1024, onSegment: (s) => closed.push(s.end) });
    const windows = Math.floor(samples.length / VAD_WINDOW);
    const got: Array<SpeechResult | null> = new Array(windows).fill(null);
    const buf = new Float32Array(VAD_WINDOW);
    for (let w = 0; w < windows; w++) {
      buf.set(samples.subarray(w * VAD_WINDOW, (w + 1) * VAD_WINDOW));
      const frameLike = {
        attachAsync: (key: string, p: PromiseLike<unknown>) => {
          expect(key).toBe('speech');
          return Promise.resolve(p).then((r) => {
            got[w] = r as SpeechResult;
            return true;
          });
        },
      };
      vad.push(buf, frameLike);
    }
    await vad.flush();
    await new Promise((r) => setTimeout(r, 0));
    expect(vad.stats).toMatchObject({ pushed: windows, processed: windows, skipped: 0, errors: 0 });
    expect(scheduler.stats[Level.HIGH]!.completed).toBe(windows);
    got.forEach((r, w) => expect(r?.window).toBe(w));
    expect(vad.segments.length).toBe(2);
    vad.segments.forEach((s, i) => {
      expect(Math.abs(s.start - SPEECH[i]![0])).toBeLessThan(0.25);
      expect(Math.abs(s.end - SPEECH[i]![1])).toBeLessThan(0.25);
    });
    expect(closed.length).toBe(2);
    // probabilities: high inside speech, low in the silences
    const meanP = (a: number, b: number) => {
      const rs = got.slice(Math.ceil((a * 16000) / VAD_WINDOW), Math.floor((b * 16000) / VAD_WINDOW));
      return rs.reduce((s, r) => s + r!.probability, 0) / rs.length;
    };
    expect(meanP(0, 0.9)).toBeLessThan(0.1);
    expect(meanP(4.1, 5.7)).toBeLessThan(0.1);
    expect(meanP(1.2, 3.7)).toBeGreaterThan(0.6);
    expect(meanP(6.1, 9.0)).toBeGreaterThan(0.6);
    // Real-time factor on this clip (the bench measures it properly).
    expect(vad.stats.totalMs / 1000 / (samples.length / 16000)).toBeLessThan(1);
    await vad.dispose();
  }, 60_000);

  test('same probabilities with onnxruntime-web as with onnxruntime-node (state carried across windows)', async () => {
    const { samples } = readWav16(fixturePath('speech-vad.wav'));
    const probs: number[][] = [];
    for (const ort of ['node', 'web'] as const) {
      const vad = new VadStage({ scheduler: new Scheduler(), queue: 512, ort });
      const ps: number[] = [];
      for (let w = 0; w < 200; w++) {
        vad.push(samples.slice(w * VAD_WINDOW, (w + 1) * VAD_WINDOW), {
          attachAsync: (_k, p) => Promise.resolve(p).then((r) => (ps[w] = (r as SpeechResult).probability) >= 0),
        });
      }
      await vad.idle();
      await new Promise((r) => setTimeout(r, 0));
      expect(vad.info?.runtime).toBe(`onnxruntime-${ort}`);
      probs.push(ps);
    }
    for (let w = 0; w < 200; w++) expect(Math.abs(probs[0]![w]! - probs[1]![w]!)).toBeLessThan(1e-4);
  }, 60_000);

  test('bad input: wrong window size E_ARGUMENT; full queue skips; missing model E_MODEL and every queued result rejects', async () => {
    const vad = new VadStage({ scheduler: new Scheduler({ host: 'manual' }), queue: 2, model: '/nonexistent/silero.onnx' });
    expect(() => vad.push(new Float32Array(100))).toThrow(FramekitError);
    const seen: unknown[] = [];
    const target = {
      attachAsync: (_k: string, p: PromiseLike<unknown>) =>
        Promise.resolve(p).then(
          () => true,
          (e: unknown) => (seen.push(e), false),
        ),
    };
    vad.push(new Float32Array(512), target);
    vad.push(new Float32Array(512), target);
    vad.push(new Float32Array(512), target);
    expect(vad.stats.skipped).toBe(1);
    expect(() => new VadStage({ scheduler: new Scheduler(), positiveThreshold: 0.3, negativeThreshold: 0.4 })).toThrow(FramekitError);
  });

  test('missing model: typed error, queued windows settle', async () => {
    const vad = new VadStage({ scheduler: new Scheduler(), model: '/nonexistent/silero.onnx' });
    const seen: unknown[] = [];
    const target = {
      attachAsync: (_k: string, p: PromiseLike<unknown>) =>
        Promise.resolve(p).then(
          () => true,
          (e: unknown) => (seen.push(e), false),
        ),
    };
    vad.push(new Float32Array(512), target);
    vad.push(new Float32Array(512), target);
    await vad.idle();
    await new Promise((r) => setTimeout(r, 0));
    expect((vad.lastError as FramekitError).code).toBe('E_MODEL');
    expect(seen.length).toBe(2);
    expect(seen.every((e) => (e as FramekitError).code === 'E_MODEL')).toBe(true);
  });
});

describe('VAD stage on audio frames (pushFrame)', () => {
  test('the default clip: every result on its own frame, a frame released before its result gets none, the known segments found', async () => {
    const clip = decodeWav(readFileSync(fixturePath('speech-16k.wav'))).samples;
    const fk = await createFramekit({ arenaBytes: 4 << 20 });
    const stream = new AudioStream(fk, { size: 32 });
    const scheduler = new Scheduler();
    const vad = new VadStage({ scheduler, queue: 32, redemptionMs: 300, minSpeechMs: 250 });
    // Odd frames are released at once (their slots are reused by later frames while their windows
    // wait); even frames are held until their result is in, then checked.
    const held: AudioFrame[] = [];
    let released = 0;
    let checked = 0;
    const probs = new Map<number, number>();
    const check = () => {
      while (held.length > vad.pending) {
        const f = held.shift()!;
        const sp = f.get('speech');
        expect(sp).not.toBeNull();
        expect(sp).toBe(f.speechStorage);
        // its own window: the one cut from this frame's samples
        expect(sp!.startSample).toBe(f.startSample);
        expect(sp!.window).toBe(f.startSample / VAD_WINDOW);
        probs.set(sp!.window, sp!.probability);
        checked++;
        f.release();
      }
    };
    const take = async (f: AudioFrame) => {
      expect(f.has('speech')).toBe(false);
      vad.pushFrame(f);
      if ((f.startSample / VAD_WINDOW) % 2 === 1) {
        f.release();
        released++;
      } else held.push(f);
      if (held.length > 12) {
        await vad.waitPending(4);
        check();
      }
    };
    for (let pos = 0; pos < clip.length; pos += 1000) {
      stream.ring.push(clip.subarray(pos, Math.min(clip.length, pos + 1000)));
      for (let f = stream.next(); f; f = stream.next()) await take(f);
    }
    for (let f = stream.flush(); f; f = stream.flush()) await take(f);
    await vad.flush();
    check();
    const windows = Math.ceil(clip.length / VAD_WINDOW);
    expect(vad.stats).toMatchObject({ pushed: windows, processed: windows, skipped: 0, errors: 0, attached: checked, late: released });
    expect(checked + released).toBe(windows);
    expect(scheduler.stats[Level.HIGH]!.completed).toBe(windows);
    // the two phrases of the clip, where they were assembled (within three 32 ms windows)
    expect(vad.segments.length).toBe(DEFAULT_CLIP_SEGMENTS.length);
    vad.segments.forEach((s, i) => {
      expect(Math.abs(s.start - DEFAULT_CLIP_SEGMENTS[i]![0])).toBeLessThan(0.1);
      expect(Math.abs(s.end - DEFAULT_CLIP_SEGMENTS[i]![1])).toBeLessThan(0.1);
    });
    // held frames inside the phrases are speech, those in the pauses are not
    const p = (t: number) => probs.get(2 * Math.round((t * 16000) / VAD_WINDOW / 2))!;
    for (const t of [1.5, 2.5, 6, 7]) expect(p(t)).toBeGreaterThan(0.5);
    for (const t of [0.2, 4.1, 8.4]) expect(p(t)).toBeLessThan(0.35);
    expect(stream.pool.stats().live).toBe(0);
    stream.dispose();
    await vad.dispose();
  }, 60_000);

  test('pushFrame refuses frames that are not 512 samples at 16 kHz; a missing model leaves frames without speech', async () => {
    const fk = await createFramekit({ arenaBytes: 1 << 20 });
    const stream = new AudioStream(fk, { size: 4, samples: 256 });
    stream.ring.push(new Float32Array(256));
    const f = stream.next()!;
    const vad = new VadStage({ scheduler: new Scheduler(), model: '/nonexistent/silero.onnx' });
    expect(() => vad.pushFrame(f)).toThrow(FramekitError);
    expect(vad.stats.pushed).toBe(0);
    f.release();
    stream.dispose();
    const s2 = new AudioStream(fk, { size: 4 });
    s2.ring.push(new Float32Array(1024));
    const a = s2.next()!;
    const b = s2.next()!;
    vad.pushFrame(a);
    vad.pushFrame(b);
    await vad.idle();
    expect((vad.lastError as FramekitError).code).toBe('E_MODEL');
    expect(vad.stats).toMatchObject({ pushed: 2, processed: 0, attached: 0, errors: 1 });
    expect(a.has('speech') || b.has('speech')).toBe(false);
    a.release();
    b.release();
    s2.dispose();
  });
});
