import { readFileSync } from 'node:fs';
import { createFramekit, type Framekit } from '../ts/index.js';
import { AudioStream } from '../ts/audio/stream.js';
import type { AudioFrame } from '../ts/audio/frame.js';
import { readImageFile } from '../ts/io/image.js';
import { decodeWav } from '../ts/io/wav.js';
import { loadOrt } from '../ts/models/ort.js';
import { VadStage } from '../ts/models/silero/vad.js';
import { Scheduler } from '../ts/schedule/index.js';
import { fixturePath } from './fixtures.js';
import { tile, type BenchOptions, type BenchRow, type BenchSuite } from './harness.js';
import { runPipeline, type Run } from './pipeline.bench.js';

/** What the live audio side counted over one run. */
interface AudioRun {
  /** Audio on the clock over the run, seconds. */
  seconds: number;
  samplesPushed: number;
  /** Pushes the ring refused (full): samples lost. */
  overruns: number;
  samplesLost: number;
  /** Source ticks that found more than a frame and a tick of audio due but not yet written (the event loop held the source back). */
  underruns: number;
  /** Largest backlog of due samples at a tick, in ms of audio. */
  maxLagMs: number;
  frames: number;
  /** `speech` on the frame it was cut from (same window, same stream sample, the frame slot's own object). */
  onOwnFrame: number;
  mismatched: number;
  /** Frames whose result had not landed when they were released (never, unless the pool ran full). */
  withoutResult: number;
  vadSkipped: number;
  vadLate: number;
  vadErrors: number;
  /** Time inside the source's ticks (ring writes, frame cuts with their mel columns, pushFrame, checks) and in the model calls. */
  tickMs: number;
  modelMs: number;
  segments: number;
}

/**
 * A live 16 kHz source on the wall clock: every 10 ms it writes the samples due since the last tick
 * (the speech fixture, looped) into the stream's SampleRing, as a microphone's callback would; then
 * cuts the frames that are in, hands each to the VAD stage (on the pipeline's scheduler, at HIGH),
 * holds it until its `speech` result landed, checks the result is its own, and releases it.
 */
class LiveAudio {
  readonly stream: AudioStream;
  readonly vad: VadStage;
  readonly #clip: Float32Array;
  readonly #held: AudioFrame[] = [];
  #timer: ReturnType<typeof setInterval> | null = null;
  #t0 = 0;
  #pushed = 0;
  #pos = 0;
  r!: AudioRun;

  constructor(fk: Framekit, vad: VadStage, clip: Float32Array) {
    this.stream = new AudioStream(fk, { size: 64, ringCapacity: 16384 });
    this.vad = vad;
    this.#clip = clip;
  }

  start(): void {
    this.r = {
      seconds: 0,
      samplesPushed: 0,
      overruns: 0,
      samplesLost: 0,
      underruns: 0,
      maxLagMs: 0,
      frames: 0,
      onOwnFrame: 0,
      mismatched: 0,
      withoutResult: 0,
      vadSkipped: this.vad.stats.skipped,
      vadLate: this.vad.stats.late,
      vadErrors: this.vad.stats.errors,
      tickMs: 0,
      modelMs: this.vad.stats.totalMs,
      segments: this.vad.segments.length,
    };
    this.#t0 = performance.now();
    this.#pushed = 0;
    this.#timer = setInterval(() => this.#tick(), 10);
  }

  async stop(): Promise<AudioRun> {
    clearInterval(this.#timer!);
    this.#tick();
    this.r.seconds = (performance.now() - this.#t0) / 1000;
    await this.vad.idle();
    this.#drain(true);
    const v = this.vad.stats;
    this.r.vadSkipped = v.skipped - this.r.vadSkipped;
    this.r.vadLate = v.late - this.r.vadLate;
    this.r.vadErrors = v.errors - this.r.vadErrors;
    this.r.modelMs = v.totalMs - this.r.modelMs;
    this.r.segments = this.vad.segments.length - this.r.segments;
    return this.r;
  }

  #tick(): void {
    const t0 = performance.now();
    const due = Math.floor((performance.now() - this.#t0) * 16) - this.#pushed;
    if (due > 512 + 160) this.r.underruns++;
    this.r.maxLagMs = Math.max(this.r.maxLagMs, due / 16);
    let n = due;
    while (n > 0) {
      const k = Math.min(n, 1024, this.#clip.length - this.#pos);
      if (this.stream.ring.push(this.#clip.subarray(this.#pos, this.#pos + k))) this.r.samplesPushed += k;
      else {
        this.r.overruns++;
        this.r.samplesLost += k;
      }
      this.#pos = (this.#pos + k) % this.#clip.length;
      n -= k;
    }
    this.#pushed += due;
    for (let f = this.stream.next(); f; f = this.stream.next()) {
      // Back-pressure never needed here (the model keeps up); if the pool ran full, the oldest goes without its result.
      if (this.#held.length === this.stream.pool.size - 1) this.#release(this.#held.shift()!);
      this.vad.pushFrame(f);
      this.#held.push(f);
      this.r.frames++;
    }
    this.#drain(false);
    this.r.tickMs += performance.now() - t0;
  }

  /** Releases the frames whose window is out of the VAD's queue (all with `all`). */
  #drain(all: boolean): void {
    const n = all ? this.#held.length : this.#held.length - this.vad.pending;
    for (let k = 0; k < n; k++) this.#release(this.#held[k]!);
    if (n > 0) this.#held.splice(0, n);
  }

  #release(f: AudioFrame): void {
    const sp = f.get('speech');
    if (sp === null) this.r.withoutResult++;
    else if (sp === f.speechStorage && f.speechStorage.startSample === f.startSample && f.speechStorage.window * 512 === f.startSample)
      this.r.onOwnFrame++;
    else this.r.mismatched++;
    f.release();
  }
}

/** The same 10 ms timer with no audio behind it: how late the event loop lets a tick run (the video-alone runs' baseline for underruns). */
class LagProbe {
  #timer: ReturnType<typeof setInterval> | null = null;
  #last = 0;
  late = 0;
  maxLagMs = 0;
  start(): void {
    this.late = 0;
    this.maxLagMs = 0;
    this.#last = performance.now();
    this.#timer = setInterval(() => {
      const t = performance.now();
      // a tick more than 42 ms after the previous one: what LiveAudio counts as an underrun
      const lag = t - this.#last - 10;
      if (t - this.#last > 42) this.late++;
      this.maxLagMs = Math.max(this.maxLagMs, lag);
      this.#last = t;
    }, 10);
  }
  stop(): { late: number; maxLagMs: number } {
    clearInterval(this.#timer!);
    return { late: this.late, maxLagMs: this.maxLagMs };
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/**
 * The 1080p media pipeline of bench/pipeline.bench.ts (ingest, gray, blur, FAST, sink) alone, then
 * with a live 16 kHz audio source, Silero VAD on every 32 ms audio frame (a HIGH task on the same
 * scheduler) and the 200 ms AI stage, alternating for `rounds` rounds: video fps with both / alone
 * (target >= 95%), ring overruns and underruns (target 0), every `speech` result on its own audio
 * frame (mismatches: target 0). ONNX Runtime: onnxruntime-node when installed, else onnxruntime-web.
 */
export const audioPipelineSuite: BenchSuite = {
  kernel: 'audio-pipeline',
  async run(o: BenchOptions) {
    const ortKind =
      (await loadOrt('node').then(
        () => 'node',
        () => null,
      )) ??
      (await loadOrt('web').then(
        () => 'web',
        () => null,
      ));
    if (!ortKind) {
      o.log('audio-pipeline: ONNX Runtime is not installed; skipped');
      return [];
    }
    const [w, h] = [1920, 1080];
    const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 10, scratchBytes: 16 << 20 });
    const source = fk.allocPlane(w, h, 'rgba', { stride: w * 4 });
    tile(source.data, w, h, await readImageFile(fixturePath('astronaut.png')), 4);
    const clip = decodeWav(readFileSync(fixturePath('speech-16k.wav'))).samples;
    const scheduler = new Scheduler({ budgetMs: 8 });
    const vad = new VadStage({ scheduler, ort: ortKind as 'node' | 'web', queue: 64, redemptionMs: 300, minSpeechMs: 250, warmup: 200 });
    await vad.load();
    const audio = new LiveAudio(fk, vad, clip);
    const durationMs = Math.max(3000, o.timeMs * 6);
    const rounds = Number(process.env.FRAMEKIT_ROUNDS ?? 4);
    const both = async (ms: number) => {
      audio.start();
      const v = await runPipeline(fk, source, ms, 200, scheduler);
      return { v, a: await audio.stop() };
    };
    // Warm-up, untimed: both sides tier up.
    await runPipeline(fk, source, 400, null, scheduler);
    await both(1000);
    const probe = new LagProbe();
    const probes: Array<{ late: number; maxLagMs: number }> = [];
    const videoAlone = async (ms: number) => {
      probe.start();
      const r = await runPipeline(fk, source, ms, null, scheduler);
      probes.push(probe.stop());
      return r;
    };
    const alone: Run[] = [];
    const withAudio: Array<{ v: Run; a: AudioRun }> = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate which goes first, so drift in the shared machine's load falls on both.
      if (i % 2 === 0) {
        alone.push(await videoAlone(durationMs / rounds));
        withAudio.push(await both(durationMs / rounds));
      } else {
        withAudio.push(await both(durationMs / rounds));
        alone.push(await videoAlone(durationMs / rounds));
      }
    }
    audio.stream.dispose();
    await vad.dispose();
    const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);
    const fpsAlone = (sum(alone, (r) => r.frames) * 1000) / sum(alone, (r) => r.wallMs);
    const fpsWith = (sum(withAudio, (r) => r.v.frames) * 1000) / sum(withAudio, (r) => r.v.wallMs);
    const ratios = withAudio.map((r, i) => r.v.fps / alone[i]!.fps);
    const A = withAudio.map((r) => r.a);
    const audioTotals = {
      seconds: sum(A, (a) => a.seconds),
      frames: sum(A, (a) => a.frames),
      overruns: sum(A, (a) => a.overruns),
      samplesLost: sum(A, (a) => a.samplesLost),
      underruns: sum(A, (a) => a.underruns),
      maxLagMs: Math.max(...A.map((a) => a.maxLagMs)),
      speechOnOwnFrame: sum(A, (a) => a.onOwnFrame),
      speechMismatched: sum(A, (a) => a.mismatched),
      framesWithoutResult: sum(A, (a) => a.withoutResult),
      vadSkipped: sum(A, (a) => a.vadSkipped),
      vadLate: sum(A, (a) => a.vadLate),
      vadErrors: sum(A, (a) => a.vadErrors),
      segments: sum(A, (a) => a.segments),
      /** Share of the wall clock the audio side took on the thread: its ticks plus the model calls (upper bound: a call's time includes waiting for the thread). */
      threadShare: (sum(A, (a) => a.tickMs) + sum(A, (a) => a.modelMs)) / 1000 / sum(A, (a) => a.seconds),
    };
    const modelRtf = sum(A, (a) => a.modelMs) / 1000 / audioTotals.seconds;
    const aiCalls = sum(withAudio, (r) => r.v.aiCalls);
    const aiOwn = sum(withAudio, (r) => r.v.aiOnOwnFrame);
    const aiMismatched = sum(withAudio, (r) => r.v.aiMismatched);
    const rows: BenchRow[] = [
      {
        kernel: 'audio-pipeline',
        impl: 'video alone',
        width: w,
        height: h,
        fps: fpsAlone,
        frames: sum(alone, (r) => r.frames),
        medianMs: 1000 / fpsAlone,
        roundsFps: alone.map((r) => r.fps),
        /** A 10 ms timer beside the video alone: ticks later than LiveAudio's underrun threshold, and the worst lag. */
        timerLate: sum(probes, (p) => p.late),
        timerMaxLagMs: Math.max(...probes.map((p) => p.maxLagMs)),
      },
      {
        kernel: 'audio-pipeline',
        impl: 'video + VAD + 200 ms AI stage',
        width: w,
        height: h,
        fps: fpsWith,
        frames: sum(withAudio, (r) => r.v.frames),
        medianMs: 1000 / fpsWith,
        roundsFps: withAudio.map((r) => r.v.fps),
        fpsRatio: fpsWith / fpsAlone,
        /** Median over rounds of (fps with / fps alone) in adjacent runs. */
        medianRoundRatio: median(ratios),
        roundRatios: ratios,
        ort: `onnxruntime-${ortKind}`,
        vadModelRealTimeFactor: modelRtf,
        audio: audioTotals,
        aiCalls,
        aiOnOwnFrame: aiOwn,
        aiMismatched,
      },
    ];
    o.log(
      `audio-pipeline 1920x1080 alone ${fpsAlone.toFixed(1)} fps, with VAD (onnxruntime-${ortKind}) + 200 ms AI ${fpsWith.toFixed(1)} fps (${((100 * fpsWith) / fpsAlone).toFixed(1)}%, median round ratio ${(100 * median(ratios)).toFixed(1)}%); audio ${audioTotals.seconds.toFixed(1)} s, ${audioTotals.frames} frames, overruns ${audioTotals.overruns}, underruns ${audioTotals.underruns} (max lag ${audioTotals.maxLagMs.toFixed(1)} ms), speech on own frame ${audioTotals.speechOnOwnFrame}, mismatched ${audioTotals.speechMismatched}, without result ${audioTotals.framesWithoutResult}; model rtf ${modelRtf.toFixed(4)}, audio side ${(100 * audioTotals.threadShare).toFixed(2)}% of the thread; AI ${aiOwn}/${aiCalls} on own frame; video alone: 10 ms timer late ${sum(probes, (p) => p.late)} times, max lag ${Math.max(...probes.map((p) => p.maxLagMs)).toFixed(1)} ms`,
    );
    return rows;
  },
};
