import { fileURLToPath } from 'node:url';
import { FramekitError } from '../../errors.js';
import { createFramekit } from '../../index.js';
import { AudioStream } from '../../audio/stream.js';
import { EnergySegmenter, type SpeechSegment } from '../../audio/energy.js';
import type { AudioFrame } from '../../audio/frame.js';
import { openAudio, probeAudio, type AudioSource } from '../../io/audio.js';
import { LatencyRecorder } from '../../track/stats.js';
import { backendOf } from '../common.js';
import type { Command, Output } from '../command.js';

/** The embedded default: a speech clip made with espeak-ng for framekit (CC0), shipped in test/fixtures. */
export const DEFAULT_CLIP = 'speech-16k.wav';
/** Its speech, in seconds, from how it was assembled (test/fixtures/LICENSES.md). */
export const DEFAULT_CLIP_SEGMENTS: ReadonlyArray<readonly [number, number]> = [
  [0.6, 3.6314375],
  [4.5314375, 8.040875],
];

function defaultClip(): string {
  const up = import.meta.url.includes('/dist/ts/') ? '../../../../' : '../../../';
  return fileURLToPath(new URL(`${up}test/fixtures/${DEFAULT_CLIP}`, import.meta.url));
}

function progress(out: Output, seconds: number, total: number | null, rtf: number): void {
  const width = 30;
  const bar = total ? '#'.repeat(Math.min(width, Math.round((width * seconds) / total))).padEnd(width, '.') : '';
  out.stderr(
    `\r${total ? `[${bar}] ` : ''}${seconds.toFixed(1)} s${total ? ` of ${total.toFixed(1)} s` : ''}  ${(1 / Math.max(rtf, 1e-9)).toFixed(0)}x real time `,
  );
}

const round = (v: number, d = 4) => (Number.isFinite(v) ? +v.toFixed(d) : null);

export const listen: Command = {
  name: 'listen',
  usage: 'framekit listen [INPUT] [--json] [--frames] [--bands 80|128] [--threshold DB] [--backend B]',
  summary: 'the audio path: log-mel, level and speech segments over a file, a WAV, or the embedded default',
  options: {
    json: { type: 'boolean', default: false },
    frames: { type: 'boolean', default: false },
    bands: { type: 'string', default: '80' },
    threshold: { type: 'string', default: '-40' },
    backend: { type: 'string', default: 'auto' },
  },
  async run(p, values, out) {
    const input = p[0] ?? defaultClip();
    const bands = Number(values.bands);
    if (bands !== 80 && bands !== 128) throw new FramekitError('E_ARGUMENT', `--bands must be 80 or 128, got ${String(values.bands)}`);
    const thresholdDb = Number(values.threshold);
    if (!Number.isFinite(thresholdDb))
      throw new FramekitError('E_ARGUMENT', `--threshold wants dB full scale, got ${String(values.threshold)}`);
    const source: AudioSource = await openAudio(input);
    const total =
      'wav' in source
        ? ((source as { wav: { frames: number | null } }).wav.frames ?? 0) / 16000 || null
        : 'probe' in source
          ? (source as { probe: { duration: number | null } }).probe.duration
          : (await probeAudio(input)).duration;
    const fk = await createFramekit({ arenaBytes: 4 << 20, backend: backendOf(values) });
    const stream = new AudioStream(fk, { bands, size: 4, startUs: source.startUs });
    const seg = new EnergySegmenter(16000, { thresholdDb });
    const segments: SpeechSegment[] = [];
    const frameMs = new LatencyRecorder();
    const tty = !values.json && process.stderr.isTTY;
    const t0 = performance.now();
    let frames = 0;
    let columns = 0;
    let failure: unknown = null;
    const emit = (s: SpeechSegment | null) => {
      if (!s) return;
      segments.push(s);
      if (values.json && !values.frames)
        out.stdout(JSON.stringify({ type: 'segment', start: round(s.start), end: round(s.end), detector: 'energy' }) + '\n');
    };
    const handle = (f: AudioFrame) => {
      const t = performance.now();
      const lv = f.level();
      const mel = f.mel()!;
      columns += mel.count;
      emit(seg.push(f));
      frameMs.record(performance.now() - t);
      if (values.json && values.frames)
        out.stdout(
          JSON.stringify({
            type: 'frame',
            t: round(f.timestamp / 1e6),
            samples: f.length,
            rms: round(lv.rms, 6),
            peak: round(lv.peak, 6),
            dbfs: round(EnergySegmenter.db(lv.rms), 2),
            melColumns: mel.count,
            melEnergy: round(mel.meanEnergy()),
            speech: seg.speaking,
          }) + '\n',
        );
      frames++;
      f.release();
      if (tty && frames % 64 === 0) {
        const sec = (frames * 512) / 16000;
        progress(out, sec, total, (performance.now() - t0) / 1000 / sec);
      }
    };
    try {
      for (;;) {
        const n = await source.read(stream.ring);
        for (let f = stream.next(); f; f = stream.next()) handle(f);
        if (n < 0) break;
      }
      for (let f = stream.flush(); f; f = stream.flush()) handle(f);
      emit(seg.finish());
    } catch (e) {
      // What was read before the error is still reported: the frames already in the ring and the open segment.
      failure = e;
      for (let f = stream.next(); f; f = stream.next()) handle(f);
      emit(seg.finish());
    } finally {
      await source.close();
    }
    if (tty) out.stderr('\n');
    const wall = (performance.now() - t0) / 1000;
    const duration = stream.cut / 16000;
    const summary = {
      summary: {
        source: p[0] ?? `embedded default (${DEFAULT_CLIP}, espeak-ng)`,
        duration: round(duration, 3),
        frames,
        melColumns: columns,
        bands,
        segments: segments.map((s) => [round(s.start, 3), round(s.end, 3)]),
        ...(p[0] ? {} : { expectedSegments: DEFAULT_CLIP_SEGMENTS.map(([a, b]) => [round(a, 3), round(b, 3)]) }),
        /** Segments come from frame energy with hysteresis until the voice-activity model stage is wired in. */
        detector: 'energy',
        thresholdDb,
        wallSeconds: round(wall, 3),
        realTimeFactor: round(wall / Math.max(duration, 1e-9), 5),
        frameMs: { p50: round(frameMs.percentile(50)), p99: round(frameMs.percentile(99)) },
        backend: fk.info().backend,
        ...(failure ? { error: failure instanceof Error ? failure.message : String(failure) } : {}),
      },
    };
    stream.dispose();
    if (values.json) out.stdout(JSON.stringify(summary) + '\n');
    else {
      const s = summary.summary;
      out.stdout(`${s.source}: ${s.duration} s, ${s.frames} frames, ${s.melColumns} mel columns (${bands} bands), backend ${s.backend}\n`);
      out.stdout(`  real-time factor ${s.realTimeFactor} (${s.wallSeconds} s wall)\n`);
      out.stdout(`  speech segments (energy detector, threshold ${thresholdDb} dBFS; no voice-activity model yet):\n`);
      for (const [a, b] of s.segments) out.stdout(`    ${a!.toFixed(3)} - ${b!.toFixed(3)} s\n`);
      if (s.expectedSegments) out.stdout(`  known speech in the clip: ${s.expectedSegments.map(([a, b]) => `${a}-${b} s`).join(', ')}\n`);
    }
    if (failure) throw failure;
  },
};
