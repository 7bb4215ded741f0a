import { describe, expect, test } from 'bun:test';
import { VideoAudio } from '../../ts/audio/follow.js';
import { TrackSpeech } from '../../ts/cli/track-speech.js';
import type { PackageImporter } from '../../ts/models/ort.js';
import { hostYield } from '../../ts/schedule/host.js';
import { Scheduler } from '../../ts/schedule/index.js';
import { createFramekit } from '../../ts/index.js';
import { fixturePath } from '../helpers/index.js';

type Line = { audio: Record<string, unknown> | null };

/** The speech clip's audio through ffmpeg (as track reads a file's audio), and a pool of tiny video frames. */
async function setup() {
  const fk = await createFramekit({ maxWidth: 16, maxHeight: 16, frames: 4, scratchBytes: 4 << 20 });
  const audio = (await VideoAudio.open(fk, fixturePath('speech-16k.wav'), 10))!;
  const pool = fk.createPool({ width: 16, height: 16, format: 'gray', size: 2 });
  /** One video frame at `t` seconds: its audio window attached, its line made, handed to `speech`, released. */
  const frame = async (speech: TrackSpeech, t: number): Promise<Line> => {
    const f = pool.acquire(Math.round(t * 1e6));
    expect(await audio.attach(f)).toBe('ok');
    const line: Line = { audio: VideoAudio.summary(f) };
    speech.take(f, line);
    f.release();
    return line;
  };
  return { audio, frame };
}

describe('track: the speech hold', () => {
  test('ONNX Runtime not installed: said once, frames pass at once with speech null, the VAD never sees the audio', async () => {
    const { audio, frame } = await setup();
    const missing: PackageImporter = (name) =>
      Promise.reject(Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' }));
    const warnings: string[] = [];
    const speech = new TrackSpeech(audio, { importer: missing, warn: (m) => warnings.push(m) });
    await speech.warm();
    expect(speech.running).toBe(false);
    expect(speech.reason).toMatch(/ONNX Runtime, which is not installed/);
    expect(speech.reason).toMatch(/npm i onnxruntime-web/);
    expect(warnings).toEqual([speech.reason!]);
    for (const t of [0.2, 1, 2, 5]) {
      const line = await frame(speech, t);
      await speech.turns();
      expect(speech.shift()).toBe(line);
      expect(speech.shift()).toBeUndefined();
      expect(line.audio!.speech).toBeNull();
      expect(typeof line.audio!.rms).toBe('number');
    }
    expect(speech.vad.stats.pushed).toBe(0);
    expect(speech.report()).toEqual({ detector: null, vad: null, speechMissing: speech.reason });
    await speech.close();
    await audio.close();
  }, 30_000);

  test('a line waits for its result at most `lag` frames (then late, speech null); results that land fill the lines held', async () => {
    const { audio, frame } = await setup();
    // A scheduler that runs the VAD's tasks only when told: no result lands until then.
    const scheduler = new Scheduler({ host: 'manual' });
    const speech = new TrackSpeech(audio, { scheduler, lag: 3 });
    await speech.warm();
    expect(speech.running).toBe(true);
    const held: Line[] = [];
    for (const t of [0.2, 0.4, 0.8, 1.0]) {
      held.push(await frame(speech, t));
      if (held.length <= 3) expect(speech.shift()).toBeUndefined();
    }
    // The fourth frame ends the first one's hold: out without a result.
    expect(speech.shift()).toBe(held[0]!);
    expect(speech.shift()).toBeUndefined();
    expect(held[0]!.audio!.speech).toBeNull();
    expect(speech.vad.pending).toBeGreaterThan(0);
    // The VAD runs what was queued; the lines still held get their window's result.
    while (speech.vad.pending > 0) {
      scheduler.runSlice();
      await hostYield();
    }
    expect([speech.shift(), speech.shift(), speech.shift(), speech.shift()]).toEqual([held[1]!, held[2]!, held[3]!, undefined]);
    // The clip is silent to 0.6 s and speaks from then on.
    expect(held.map((l) => l.audio!.speech)).toEqual([null, false, true, true]);
    for (const l of held.slice(1)) expect(l.audio!.speechProbability as number).toBeGreaterThanOrEqual(0);
    expect(held[3]!.audio!.speechProbability as number).toBeGreaterThan(0.5);
    const r = speech.report() as { detector: string; vad: { framesWithResult: number; late: number; skipped: number; errors: number } };
    expect(r.detector).toBe('silero-vad-v5');
    expect([r.vad.framesWithResult, r.vad.late, r.vad.skipped, r.vad.errors]).toEqual([3, 1, 0, 0]);
    await speech.drain();
    await speech.close();
    await audio.close();
  }, 30_000);
});
