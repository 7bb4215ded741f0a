import { fileURLToPath } from 'node:url';
import { FramekitError } from '../../errors.js';
import { createFramekit } from '../../index.js';
import { AudioStream } from '../../audio/stream.js';
import { EnergySegmenter, type SpeechSegment } from '../../audio/energy.js';
import type { AudioFrame } from '../../audio/frame.js';
import { VadStage } from '../../models/silero/vad.js';
import type { OrtPreference } from '../../models/ort.js';
import { Scheduler } from '../../schedule/index.js';
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

/**
 * The hysteresis `listen` applies by default (`--redemption-ms`, `--min-speech-ms`); `track` uses the
 * same, so the two commands give the same speech flags for the same audio.
 */
export const LISTEN_REDEMPTION_MS = 300;
export const LISTEN_MIN_SPEECH_MS = 250;

/** Audio frames in flight: cut, waiting for their `speech` result (the pool and the VAD queue hold this many). */
const IN_FLIGHT = 64;

/** A number option in milliseconds, >= 0. */
function msOption(values: Record<string, unknown>, name: string): number {
  const v = Number(values[name]);
  if (!(v >= 0) || !Number.isFinite(v))
    throw new FramekitError('E_ARGUMENT', `--${name} wants milliseconds >= 0, got ${String(values[name])}`);
  return v;
}

export const listen: Command = {
  name: 'listen',
  usage:
    'framekit listen [INPUT] [--json] [--frames] [--bands 80|128] [--ort auto|node|web] [--model FILE] [--redemption-ms MS] [--min-speech-ms MS] [--energy [--threshold DB]] [--backend B]',
  summary:
    'the audio path: log-mel, level and speech segments (Silero VAD v5 on ONNX Runtime, or --energy) over a file, a WAV, or the embedded default',
  options: {
    json: { type: 'boolean', default: false },
    frames: { type: 'boolean', default: false },
    bands: { type: 'string', default: '80' },
    energy: { type: 'boolean', default: false },
    threshold: { type: 'string', default: '-40' },
    ort: { type: 'string', default: 'auto' },
    model: { type: 'string' },
    'redemption-ms': { type: 'string', default: String(LISTEN_REDEMPTION_MS) },
    'min-speech-ms': { type: 'string', default: String(LISTEN_MIN_SPEECH_MS) },
    backend: { type: 'string', default: 'auto' },
  },
  async run(p, values, out) {
    const input = p[0] ?? defaultClip();
    const bands = Number(values.bands);
    if (bands !== 80 && bands !== 128) throw new FramekitError('E_ARGUMENT', `--bands must be 80 or 128, got ${String(values.bands)}`);
    const thresholdDb = Number(values.threshold);
    if (!Number.isFinite(thresholdDb))
      throw new FramekitError('E_ARGUMENT', `--threshold wants dB full scale, got ${String(values.threshold)}`);
    const ortPref = values.ort as OrtPreference;
    if (ortPref !== 'auto' && ortPref !== 'node' && ortPref !== 'web')
      throw new FramekitError('E_ARGUMENT', `--ort must be auto, node or web, got ${JSON.stringify(values.ort)}`);
    const useEnergy = values.energy === true;
    const redemptionMs = msOption(values, 'redemption-ms');
    const minSpeechMs = msOption(values, 'min-speech-ms');
    const segments: SpeechSegment[] = [];
    const detector = useEnergy ? 'energy' : 'silero-vad-v5';
    const emit = (s: SpeechSegment | null) => {
      if (!s) return;
      segments.push(s);
      if (values.json && !values.frames)
        out.stdout(JSON.stringify({ type: 'segment', start: round(s.start), end: round(s.end), detector }) + '\n');
    };
    let failure: unknown = null;
    // The model loads before the input is opened and the clock starts: ONNX Runtime or the model
    // missing is an error before any output.
    let vad: VadStage | null = null;
    if (!useEnergy) {
      vad = new VadStage({
        scheduler: new Scheduler(),
        queue: IN_FLIGHT,
        ort: ortPref,
        redemptionMs,
        minSpeechMs,
        ...(typeof values.model === 'string' ? { model: values.model } : {}),
        onSegment: emit,
        onError: (e) => (failure ??= e),
      });
      try {
        await vad.load();
      } catch (e) {
        if (e instanceof FramekitError && e.code === 'E_DEPENDENCY')
          throw new FramekitError(
            'E_DEPENDENCY',
            `${e.message.replace(/^E_DEPENDENCY: /, '')}; or run \`framekit listen --energy\` for the energy detector`,
            e.details,
          );
        throw e;
      }
    }
    const source: AudioSource = await openAudio(input);
    const total =
      'wav' in source
        ? ((source as { wav: { frames: number | null } }).wav.frames ?? 0) / 16000 || null
        : 'probe' in source
          ? (source as { probe: { duration: number | null } }).probe.duration
          : (await probeAudio(input)).duration;
    const fk = await createFramekit({ arenaBytes: 8 << 20, backend: backendOf(values) });
    const stream = new AudioStream(fk, { bands, size: vad ? IN_FLIGHT : 4, startUs: source.startUs });
    const seg = new EnergySegmenter(16000, { thresholdDb });
    const frameMs = new LatencyRecorder();
    const tty = !values.json && process.stderr.isTTY;
    const t0 = performance.now();
    let frames = 0;
    let columns = 0;
    // Frames cut and pushed to the VAD, in stream order; the first `held.length - vad.pending` have their result.
    const held: AudioFrame[] = [];
    const handle = (f: AudioFrame) => {
      const t = performance.now();
      const lv = f.level();
      const mel = f.mel()!;
      columns += mel.count;
      if (!vad) emit(seg.push(f));
      frameMs.record(performance.now() - t);
      if (values.json && values.frames) {
        const sp = vad ? f.get('speech') : null;
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
            ...(vad ? { speechProbability: sp ? round(sp.probability) : null } : {}),
            speech: vad ? (sp ? sp.speech : null) : seg.speaking,
          }) + '\n',
        );
      }
      frames++;
      f.release();
      if (tty && frames % 64 === 0) {
        const sec = (frames * 512) / 16000;
        progress(out, sec, total, (performance.now() - t0) / 1000 / sec);
      }
    };
    const take = (f: AudioFrame) => {
      if (!vad) return handle(f);
      vad.pushFrame(f);
      held.push(f);
    };
    /** Handles the held frames whose result is in (all of them with `all`, once the VAD is idle). */
    const drain = () => {
      if (!vad) return;
      const n = held.length - vad.pending;
      for (let k = 0; k < n; k++) handle(held[k]!);
      if (n > 0) held.splice(0, n);
    };
    const room = async () => {
      drain();
      if (vad && held.length >= IN_FLIGHT - 8) {
        await vad.waitPending(IN_FLIGHT / 2);
        drain();
      }
    };
    try {
      for (;;) {
        const n = await source.read(stream.ring);
        for (let f = stream.next(); f; f = stream.next()) {
          take(f);
          await room();
        }
        if (n < 0) break;
      }
      for (let f = stream.flush(); f; f = stream.flush()) {
        take(f);
        await room();
      }
    } catch (e) {
      // What was read before the error is still reported: the frames already in the ring and the open segment.
      failure = e;
      for (let f = stream.next(); f; f = stream.next()) {
        take(f);
        await room();
      }
    } finally {
      await source.close();
    }
    if (vad) {
      await vad.flush();
      drain();
    } else emit(seg.finish());
    if (tty) out.stderr('\n');
    const wall = (performance.now() - t0) / 1000;
    const duration = stream.cut / 16000;
    const vadInfo = vad?.info ?? null;
    const modelRtf = vad ? round(vad.stats.totalMs / 1000 / Math.max(duration, 1e-9), 5) : null;
    const summary = {
      summary: {
        source: p[0] ?? `embedded default (${DEFAULT_CLIP}, espeak-ng)`,
        duration: round(duration, 3),
        frames,
        melColumns: columns,
        bands,
        segments: segments.map((s) => [round(s.start, 3), round(s.end, 3)]),
        ...(p[0] ? {} : { expectedSegments: DEFAULT_CLIP_SEGMENTS.map(([a, b]) => [round(a, 3), round(b, 3)]) }),
        detector,
        ...(vad
          ? {
              vad: {
                runtime: vadInfo?.runtime ?? null,
                loadMs: round(vadInfo?.loadMs ?? NaN, 1),
                windows: vad.stats.processed,
                attached: vad.stats.attached,
                late: vad.stats.late,
                errors: vad.stats.errors,
                modelMs: round(vad.stats.totalMs, 1),
                /** Model time alone over the audio's duration (the wall-clock figure is realTimeFactor). */
                modelRealTimeFactor: modelRtf,
                redemptionMs,
                minSpeechMs,
              },
            }
          : { thresholdDb }),
        wallSeconds: round(wall, 3),
        realTimeFactor: round(wall / Math.max(duration, 1e-9), 5),
        frameMs: { p50: round(frameMs.percentile(50)), p99: round(frameMs.percentile(99)) },
        backend: fk.info().backend,
        ...(failure ? { error: failure instanceof Error ? failure.message : String(failure) } : {}),
      },
    };
    stream.dispose();
    await vad?.dispose();
    if (values.json) out.stdout(JSON.stringify(summary) + '\n');
    else {
      const s = summary.summary;
      out.stdout(`${s.source}: ${s.duration} s, ${s.frames} frames, ${s.melColumns} mel columns (${bands} bands), backend ${s.backend}\n`);
      out.stdout(`  real-time factor ${s.realTimeFactor} (${s.wallSeconds} s wall)\n`);
      out.stdout(
        vad
          ? `  speech segments (Silero VAD v5 on ${vadInfo?.runtime ?? 'ONNX Runtime'}, model real-time factor ${modelRtf}):\n`
          : `  speech segments (energy detector, threshold ${thresholdDb} dBFS):\n`,
      );
      for (const [a, b] of s.segments) out.stdout(`    ${a!.toFixed(3)} - ${b!.toFixed(3)} s\n`);
      if (s.expectedSegments) out.stdout(`  known speech in the clip: ${s.expectedSegments.map(([a, b]) => `${a}-${b} s`).join(', ')}\n`);
    }
    if (failure) throw failure;
  },
};
