import { describe, expect, test } from 'bun:test';
import { AudioStream } from '../../ts/audio/stream.js';
import { AvSync, type AudioWindow } from '../../ts/audio/sync.js';
import { EnergySegmenter, type SpeechSegment } from '../../ts/audio/energy.js';
import type { AudioFrame } from '../../ts/audio/frame.js';
import { errorCode, framekits } from '../helpers/index.js';
import { SPEECH_SEGMENTS, speechClip } from '../helpers/audio.js';

const [, fk] = (await framekits({ arenaBytes: 8 << 20 }))[2]!;
const speech = speechClip();

/** Speech by the clip's assembly: does audio frame k (512 samples) overlap a known segment? */
function truth(k: number): boolean {
  return SPEECH_SEGMENTS.some(([a, b]) => 512 * k < b && 512 * (k + 1) > a);
}

describe('AvSync: one clock, the audio clock the master', () => {
  test('video at 30 fps over audio that starts 0.5 s late: windows, speech flags, a dropped video run, the ends', async () => {
    const startUs = 500000;
    const stream = new AudioStream(fk, { size: 80, ringCapacity: 8192, startUs });
    const sync = new AvSync(stream.pool, { history: 64, startUs });
    const video = fk.createPool({ width: 16, height: 16, format: 'gray', size: 2 });
    let pushed = 0;
    const levels = new Map<number, number>();
    /** Cuts audio frames until the audio covers `untilUs`; a stand-in VAD stage attaches `speech` asynchronously. */
    const feed = async (untilUs: number) => {
      while (stream.timeOf(stream.cut) <= untilUs && pushed < speech.length) {
        const n = Math.min(1000, speech.length - pushed);
        stream.ring.push(speech.subarray(pushed, pushed + n));
        pushed += n;
        const last = pushed === speech.length;
        for (let f = stream.next() ?? (last ? stream.flush() : null); f; f = stream.next() ?? (last ? stream.flush() : null)) {
          const k = f.startSample / 512;
          expect(await f.attachAsync('speech', Promise.resolve({ probability: truth(k) ? 0.9 : 0.1, speech: truth(k) }))).toBe(true);
          levels.set(k, f.level().rms);
          sync.push(f);
          f.release();
        }
      }
    };
    const statuses: Record<string, number> = {};
    let checked = 0;
    for (let i = 0; i < 300; i++) {
      if (i >= 100 && i < 105) continue; // five dropped video frames
      const ts = Math.round((i * 1e6) / 30);
      await feed(ts);
      const v = video.acquire(ts);
      const s = sync.attach(v);
      statuses[s] = (statuses[s] ?? 0) + 1;
      if (ts < startUs) expect(s).toBe('before-audio');
      else if (ts >= startUs + (speech.length * 1e6) / 16000) expect(s).toBe('after-audio');
      else {
        expect(s).toBe('ok');
        const w = v.get('audio') as AudioWindow;
        const k = Math.floor(((ts - startUs) * 16000) / 1e6 / 512);
        expect(w.audioFrame).toBe(k);
        expect(w.startUs).toBe(startUs + k * 32000);
        expect(w.startUs <= ts && ts < w.endUs).toBe(true);
        expect(w.offsetUs).toBe(ts - w.startUs);
        expect(w.sample).toBe(Math.floor(((ts - startUs) * 16000) / 1e6));
        expect(w.speech).toBe(truth(k));
        expect(w.speechProbability).toBe(truth(k) ? 0.9 : 0.1);
        expect(w.rms).toBe(levels.get(k)!);
        // No copy: the window names the audio frame, whose samples are still in its own region.
        const a = stream.pool.tryHandle(w.audioHandle)!;
        expect(a.startSample).toBe(k * 512);
        expect(a.samples[w.sample - a.startSample]).toBe(speech[w.sample]!);
        checked++;
      }
      v.release();
    }
    expect(checked).toBeGreaterThan(250);
    expect(statuses['before-audio']).toBe(15);
    const r = sync.report();
    expect(r.videoGaps).toBe(1);
    expect(Math.abs(r.videoGapUs - 5 * (1e6 / 30))).toBeLessThan(2);
    expect(r.audioGaps).toBe(0);
    expect(r.attached).toBe(checked);
    expect(r.audioLeadUs!.min).toBeGreaterThan(0);
    sync.dispose();
    video.dispose();
    stream.dispose();
  });

  test('audio behind the video is pending, video behind the history is dropped, skipped audio is a gap', () => {
    const stream = new AudioStream(fk, { size: 8, ringCapacity: 8192 });
    const sync = new AvSync(stream.pool, { history: 4, videoIntervalUs: 33333 });
    const video = fk.createPool({ width: 16, height: 16, format: 'gray', size: 1 });
    const v0 = video.acquire(0);
    expect(sync.attach(v0)).toBe('audio-pending'); // no audio yet
    v0.release();
    stream.ring.push(speech.subarray(0, 512 * 6));
    const frames: AudioFrame[] = [];
    for (let f = stream.next(); f; f = stream.next()) frames.push(f);
    expect(frames.length).toBe(6);
    for (const f of frames) sync.push(f);
    const at = (ts: number) => {
      const v = video.acquire(ts);
      const s = sync.attach(v);
      v.release();
      return s;
    };
    expect(at(6 * 32000 + 10)).toBe('audio-pending');
    expect(at(32000)).toBe('audio-dropped'); // frame 1 left the 4-frame history
    expect(at(5 * 32000)).toBe('ok');
    // The sync holds one reference to each of the last 4 frames; ours are separate.
    expect(frames[5]!.refs).toBe(2);
    expect(frames[0]!.refs).toBe(1);
    for (const f of frames) f.release();
    // A source that skipped samples: the next frame does not start where the last one ended.
    stream.ring.push(speech.subarray(0, 1024));
    const f = stream.next()!;
    f.startSample += 512;
    sync.push(f);
    f.release();
    expect(sync.report().audioGaps).toBe(1);
    expect(errorCode(() => new AvSync(stream.pool, { history: 8 }))).toBe('E_ARGUMENT');
    sync.dispose();
    video.dispose();
    stream.dispose();
  });
});

describe('EnergySegmenter', () => {
  test('finds the two known segments of the speech fixture within two frames (64 ms)', () => {
    const stream = new AudioStream(fk, { size: 4, ringCapacity: 1 << 18 });
    const seg = new EnergySegmenter();
    stream.ring.push(speech);
    const found: SpeechSegment[] = [];
    const take = (f: AudioFrame) => {
      const s = seg.push(f);
      if (s) found.push(s);
      f.release();
    };
    for (let f = stream.next(); f; f = stream.next()) take(f);
    for (let f = stream.flush(); f; f = stream.flush()) take(f);
    const last = seg.finish();
    if (last) found.push(last);
    expect(found.length).toBe(2);
    found.forEach((s, i) => {
      expect(Math.abs(s.startSample - SPEECH_SEGMENTS[i]![0])).toBeLessThanOrEqual(1024);
      expect(Math.abs(s.endSample - SPEECH_SEGMENTS[i]![1])).toBeLessThanOrEqual(1024);
    });
    stream.dispose();
  });
});
