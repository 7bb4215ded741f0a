import { fileURLToPath } from 'node:url';
import { FramekitError } from '../../errors.js';
import { createFramekit } from '../../index.js';
import { readImageFile } from '../../io/image.js';
import { grayToCanvas, type Canvas } from '../../track/annotate.js';
import { openSink, type FrameSink } from '../../track/sinks.js';
import { imageSource, listImages, syntheticSource, videoSource, type TrackSource } from '../../track/sources.js';
import { LatencyRecorder } from '../../track/stats.js';
import { Tracker, STAGES, type TrackResult } from '../../track/tracker.js';
import { backendOf, sharedForFileReads } from '../common.js';
import { VideoAudio } from '../../audio/follow.js';
import { createGpuFramekit, wantsWebgpu } from '../webgpu.js';
import type { ChainOutput, KeypointChain } from '../../backends/webgpu/keypoint-chain.js';
import type { Command, Output, Values } from '../command.js';
import { workerOrt } from '../../models/worker-ort.js';
import { chromaSlot, colourVideoSource, FACES_LAG, FACES_NICE, facesArenaBytes, TrackFaces } from '../track-faces.js';
import type { Framekit } from '../../framekit.js';
import type { FramePool } from '../../frame/pool.js';
import type { Frame } from '../../frame/frame.js';
import { sharedMemoryUnavailable, WorkerPool } from '../../workers/pool.js';
import { Scheduler } from '../../schedule/index.js';
import { TrackSpeech } from '../track-speech.js';

/** The photograph the embedded default films: public domain (NASA), shipped in test/fixtures. */
function defaultPhoto(): string {
  const up = import.meta.url.includes('/dist/ts/') ? '../../../../' : '../../../';
  return fileURLToPath(new URL(`${up}test/fixtures/astronaut.png`, import.meta.url));
}

function parseSize(s: string): [number, number] {
  const m = s.match(/^(\d+)x(\d+)$/);
  if (!m) throw new FramekitError('E_ARGUMENT', `--size wants WxH, got ${JSON.stringify(s)}`);
  return [Number(m[1]), Number(m[2])];
}

function positiveInt(v: unknown, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new FramekitError('E_ARGUMENT', `--${name} must be a positive integer, got ${String(v)}`);
  return n;
}

async function openSource(
  input: string | undefined,
  values: Values,
): Promise<{ source: TrackSource; first?: Awaited<ReturnType<typeof readImageFile>>; files?: string[] }> {
  if (!input) {
    const [w, h] = parseSize(String(values.size));
    return { source: await syntheticSource(defaultPhoto(), w, h, positiveInt(values.frames, 'frames')) };
  }
  const { stat } = await import('node:fs/promises');
  const s = await stat(input).catch(() => null);
  if (s?.isDirectory() || /[*?]/.test(input)) {
    const files = await listImages(input);
    const first = await readImageFile(files[0]!);
    return { source: { width: first.width, height: first.height } as TrackSource, first, files };
  }
  if (!s) throw new FramekitError('E_IO', `cannot read ${input}: ENOENT`);
  // --faces: the chroma comes along (per frame, in the pool's slot) so the face model sees colour.
  return { source: (values.faces && (await colourVideoSource(input))) || (await videoSource(input)) };
}

/** --faces-nice: an integer from 0 to 19 (default FACES_NICE). */
function facesNice(v: unknown): number {
  if (v === undefined) return FACES_NICE;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 19 || String(v).trim() === '')
    throw new FramekitError('E_ARGUMENT', `--faces-nice must be an integer from 0 to 19, got ${String(v)}`);
  return n;
}

function progress(out: Output, done: number, total: number | null, fps: number): void {
  const width = 30;
  const bar = total ? '#'.repeat(Math.round((width * done) / total)).padEnd(width, '.') : '';
  out.stderr(`\r${total ? `[${bar}] ${done}/${total}` : `${done} frames`}  ${fps.toFixed(1)} fps `);
}

/**
 * One `{"stats":...}` line of `--stats N`: resident set and JS heap (after a full collection where
 * the runtime offers one: Bun, or Node with --expose-gc, so the heap figure is live bytes rather
 * than wherever the collector happened to be), the arena and the frame pool. `readAhead` counts the
 * live frames that are the next frame's read in flight (0 or 1), not frames held after their turn.
 * Allocates: once per N frames.
 */
function resourceStats(frames: number, fk: Framekit, pool: FramePool, readAhead: number) {
  const g = globalThis as { gc?: () => void; Bun?: { gc(force: boolean): void } };
  const collected = g.Bun ? (g.Bun.gc(true), true) : typeof g.gc === 'function' ? (g.gc(), true) : false;
  const m = process.memoryUsage();
  const a = fk.arena.stats();
  const p = pool.stats();
  return {
    stats: {
      frames,
      rssBytes: m.rss,
      heapUsedBytes: m.heapUsed,
      externalBytes: m.external,
      collected,
      arena: { bytesInUse: a.bytesInUse, highWater: a.highWater, regions: a.regions },
      pool: { live: p.live, readAhead, free: p.free, acquired: p.acquired, dropped: p.dropped },
    },
  };
}

export const track: Command = {
  name: 'track',
  usage:
    'framekit track [INPUT] [--json] [-o OUT] [--frames N] [--size WxH] [--features N] [--backend B] [--no-audio] [--no-vad] [--vad-model FILE.onnx] [--faces [--faces-every N] [--faces-nice N] [--faces-model FILE.onnx]] [--stats N] [--render-on worker|main]',
  summary:
    'the whole pipeline over a video, Y4M, image folder or the embedded default (--backend webgpu: refill corners from the GPU); a file with an audio stream: each frame line carries the 32 ms audio window covering it (rms, mel energy, and the speech flag and probability of Silero VAD v5 on ONNX Runtime; --no-vad: no model)',
  options: {
    json: { type: 'boolean', default: false },
    output: { type: 'string', short: 'o' },
    frames: { type: 'string', default: '300' },
    size: { type: 'string', default: '1280x720' },
    features: { type: 'string', default: '500' },
    backend: { type: 'string', default: 'auto' },
    'no-audio': { type: 'boolean', default: false },
    /** No voice-activity model on the audio (the windows' `speech` stays null). */
    'no-vad': { type: 'boolean', default: false },
    'vad-model': { type: 'string' },
    faces: { type: 'boolean', default: false },
    'faces-model': { type: 'string' },
    'faces-every': { type: 'string' },
    /** Linux: the nice value (0-19) of the face model's thread; 10 by default, so the media thread keeps its core. */
    'faces-nice': { type: 'string' },
    /** With --json: a `{"stats":...}` line every N frames (memory, arena, pool), for soak runs. */
    stats: { type: 'string', default: '0' },
    /** The embedded default: render each next frame on a worker thread (default) or on the main thread. */
    'render-on': { type: 'string', default: 'worker' },
  },
  async run(p, values, out) {
    // Options checked before anything is opened or started.
    const nice = values.faces ? facesNice(values['faces-nice']) : FACES_NICE;
    const every = values['faces-every'] === undefined ? 1 : Number(values['faces-every']);
    if (values.faces && (!Number.isInteger(every) || every < 1))
      throw new FramekitError('E_ARGUMENT', `--faces-every must be a positive integer, got ${String(values['faces-every'])}`);
    if (typeof values['vad-model'] === 'string' && (values['no-vad'] || values['no-audio']))
      throw new FramekitError(
        'E_ARGUMENT',
        `--vad-model names a model for the audio, which ${values['no-vad'] ? '--no-vad' : '--no-audio'} turns off`,
      );
    const features = positiveInt(values.features, 'features');
    const statsEvery = values.stats === '0' ? 0 : positiveInt(values.stats, 'stats');
    const opened = await openSource(p[0], values);
    const { width, height } = opened.source;
    if (values.faces && (width % 2 || height % 2)) {
      if (!opened.files) await opened.source.close();
      throw new FramekitError('E_DIMENSION', `--faces needs even frame sizes, got ${width}x${height}`);
    }
    const webgpu = wantsWebgpu(values);
    // One frame more than the loop holds: the next frame's read runs while the current one is tracked.
    const poolSize = (values.faces ? 3 + FACES_LAG : 3) + 1;
    // The embedded default renders its frames (warpPerspective, about as long as tracking one): on a
    // worker thread over shared memory, into the next pool frame, while this thread tracks.
    // --render-on main renders on this thread, between frames (where no core is free for a worker,
    // on a machine whose cores other work keeps busy, the two threads only take turns).
    const renderOn = String(values['render-on']);
    if (renderOn !== 'worker' && renderOn !== 'main')
      throw new FramekitError('E_ARGUMENT', `--render-on must be worker or main, got ${renderOn}`);
    const renders = !p[0] && !webgpu && backendOf(values) !== 'reference' && renderOn === 'worker';
    // A video file's frames are read straight into the pool (and, with --faces, their chroma slots).
    const shared = renders || (sharedForFileReads && !!p[0] && !opened.files);
    const sizing = {
      maxWidth: width,
      maxHeight: height,
      frames: poolSize + 1,
      scratchBytes: (32 << 20) + (values.faces ? facesArenaBytes(width, height, poolSize) : 0),
    };
    let fk;
    try {
      fk = webgpu ? await createGpuFramekit(sizing) : await createFramekit({ ...sizing, backend: backendOf(values), shared });
    } catch (e) {
      if (!opened.files) await opened.source.close();
      throw e;
    }
    const source = opened.files ? imageSource(fk, opened.files, opened.first!) : opened.source;
    const renderer = renders && !sharedMemoryUnavailable(fk) ? await WorkerPool.create(fk, { workers: 1, stripesPerWorker: 1 }) : null;
    source.attach?.(fk, renderer ? { workers: renderer } : undefined);
    const pool = fk.createPool({
      width,
      height,
      format: 'gray',
      size: poolSize,
      onExhausted: 'error',
      ...(values.faces ? { slots: chromaSlot(width, height) } : {}),
    });
    // --faces: BlazeFace beside the tracker, never waited for (ts/cli/track-faces.ts).
    const faces = values.faces
      ? new TrackFaces(fk, source, {
          model: typeof values['faces-model'] === 'string' ? values['faces-model'] : undefined,
          ort: await workerOrt(undefined, { nice }),
          every,
        })
      : null;
    const tracker = new Tracker(fk, {
      width,
      height,
      features,
      intrinsics: source.path?.K,
      initialPose: source.truth?.(0).planeToImage,
    });
    // A video file with an audio stream: the audio clock leads and each frame gets the audio window
    // covering its timestamp (microseconds on the file's timeline, from the frame rate).
    // A setup step that fails past this point closes what is open (the render worker would keep the process alive).
    const undo = async (e: unknown, more?: () => Promise<unknown>): Promise<never> => {
      await more?.().catch(() => undefined);
      await source.close().catch(() => undefined);
      await renderer?.dispose();
      throw e;
    };
    const audio = p[0] && !opened.files && !values['no-audio'] ? await VideoAudio.open(fk, p[0], source.fps).catch((e) => undo(e)) : null;
    const frameUs = 1e6 / (source.fps ?? 30);
    // Silero VAD on that audio (ts/cli/track-speech.ts): a HIGH task (on the face stage's scheduler
    // when there is one), each frame's line held a few frames for its window's speech result.
    const speech =
      audio && !values['no-vad']
        ? new TrackSpeech(audio, {
            scheduler: faces?.scheduler ?? new Scheduler(),
            ...(typeof values['vad-model'] === 'string' ? { model: values['vad-model'] } : {}),
            warn: (m) => out.stderr(`framekit track: frames carry no speech flags: ${m} (--no-vad turns the model off)\n`),
          })
        : null;
    // --backend webgpu: the refill corners come from the GPU keypoint chain (gray -> FAST on the
    // device, the corners read back), as the browser demo takes them; the tracker's FAST options
    // (threshold 20, suppression, the base level) so they are the corners the WASM path finds.
    let chain: KeypointChain | null = null;
    let corners: ChainOutput | null = null;
    let gpuCorners = 0;
    if (webgpu) {
      chain = await fk.createKeypointChain({ width, height, format: 'gray', levels: 1, threshold: 20, capacity: 1 << 15 });
      if (chain.where !== 'webgpu')
        await undo(
          new FramekitError('E_GPU', `--backend webgpu: the GPU keypoint chain could not be built: ${chain.fallbackReason}`),
          async () => {
            await speech?.close();
            await audio?.close();
          },
        );
      corners = chain.createOutput();
    }
    const stages = new Map(STAGES.map((s) => [s, new LatencyRecorder()]));
    const total = new LatencyRecorder();
    let sink: FrameSink | null = null;
    let canvas: Canvas | null = null;
    if (typeof values.output === 'string') {
      sink = await openSink(values.output, width, height, source.fps ?? 30, fk.context).catch((e) =>
        undo(e, async () => {
          await speech?.close();
          await audio?.close();
        }),
      );
      // In the arena, so the sink's luma is the gray kernel on it with no copy.
      canvas = { width, height, data: fk.allocPlane(width, height, 'rgba', { stride: width * 4 }).data };
    }
    await faces?.warm();
    await speech?.warm();
    const tty = !values.json && process.stderr.isTTY;
    const t0 = performance.now();
    let tEnd = t0;
    let frames = 0;
    let failure: unknown = null;
    let deepened = 0;
    let relocalized = 0;
    const truthErrors = { corner: new LatencyRecorder(), rotation: new LatencyRecorder(), translation: new LatencyRecorder() };
    // The frame whose read is in flight: started before the frame before it is tracked, so a
    // source's work elsewhere (the renderer's worker, ffmpeg, file reads) runs beside the tracker.
    let next: Frame | null = null;
    let nextRead: Promise<boolean> = Promise.resolve(false);
    let reads = 0;
    const startRead = () => {
      const f = pool.acquire(audio ? audio.videoStartUs + Math.round(reads * frameUs) : reads);
      reads++;
      faces?.current(f);
      next = f;
      // Settled before anything awaits it, so a failure here is never an unhandled rejection.
      nextRead = source.read(f.pixels);
      nextRead.catch(() => undefined);
    };
    try {
      startRead();
      for (;;) {
        const frame: Frame = next!;
        next = null;
        let got: boolean;
        try {
          got = await nextRead;
        } catch (e) {
          frame.release();
          throw e;
        }
        if (!got) {
          frame.release();
          break;
        }
        startRead();
        let r: TrackResult;
        if (chain && corners) {
          const gpu = chain.run(corners, frame.pixels);
          try {
            r = await tracker.processAsync(frame, { keypoints: gpu.then((o) => o.keypoints) });
          } finally {
            // The chain reads the frame until it settles: only then may the frame go back to the pool.
            await gpu.catch(() => undefined);
          }
          if (corners.where === 'webgpu') gpuCorners++;
        } else r = tracker.process(frame);
        if (r.deepened) deepened++;
        if (r.relocalized) relocalized++;
        for (const s of STAGES) stages.get(s)!.record(r.ms[s]);
        total.record(r.ms.total);
        const truth = source.truth?.(frames);
        const err = truth ? tracker.errorAgainst(truth, source.truth!(0), width, height) : null;
        if (err) {
          truthErrors.corner.record(err.cornerPx);
          if (err.rotationDeg !== null) truthErrors.rotation.record(err.rotationDeg);
          if (err.translationPct !== null) truthErrors.translation.record(err.translationPct);
        }
        if (audio) await audio.attach(frame);
        const json = values.json
          ? corners || audio
            ? {
                ...tracker.toJSON(err),
                ...(corners ? { corners: corners.where } : {}),
                ...(audio ? { audio: VideoAudio.summary(frame) } : {}),
              }
            : tracker.toJSON(err)
          : null;
        speech?.take(frame, json);
        if (json && !faces && !speech) out.stdout(JSON.stringify(json) + '\n');
        if (sink && canvas) {
          grayToCanvas(canvas, frame.pixels.data, frame.pixels.stride);
          tracker.draw(canvas, Math.min(width, height) / 4);
          faces?.draw(canvas);
          await sink.write(canvas);
        }
        // The VAD's tasks get a few turns of the event loop while windows are queued (bounded).
        await speech?.turns();
        if (faces) {
          // Held a few frames for a face result; its line (with `faces` when one attached) goes out then,
          // with its speech result when that is in (the face hold is the speech hold too).
          const done = await faces.after(frame, json);
          if (done) speech?.shift(0);
          if (done?.line) out.stdout(JSON.stringify(done.line) + '\n');
        } else if (speech) {
          for (let l = speech.shift(); l !== undefined; l = speech.shift()) if (l) out.stdout(JSON.stringify(l) + '\n');
        }
        frame.release();
        frames++;
        if (values.json && statsEvery && frames % statsEvery === 0)
          out.stdout(JSON.stringify(resourceStats(frames, fk, pool, next ? 1 : 0)) + '\n');
        if (tty && frames % 10 === 0) progress(out, frames, source.length, (1000 * frames) / (performance.now() - t0));
      }
    } catch (e) {
      failure = e;
    } finally {
      // A read still in flight (the loop failed) finishes before its frame and the source go.
      if (next) {
        await nextRead.catch(() => undefined);
        (next as Frame).release();
      }
      await speech?.drain().catch((e: unknown) => (failure ??= e));
      if (faces) {
        for (const h of await faces.drain()) {
          speech?.shift(0);
          if (h.line) out.stdout(JSON.stringify(h.line) + '\n');
        }
      }
      if (speech) {
        for (let l = speech.shift(0); l !== undefined; l = speech.shift(0)) if (l) out.stdout(JSON.stringify(l) + '\n');
        await speech.close().catch((e: unknown) => (failure ??= e));
      }
      await source.close();
      await renderer?.dispose();
      await audio?.close().catch((e: unknown) => (failure ??= e));
      if (sink) await sink.close().catch((e: unknown) => (failure ??= e));
      // The media clock stops here; ending the face model's worker thread is the model's teardown.
      tEnd = performance.now();
      await faces?.close().catch((e: unknown) => (failure ??= e));
    }
    if (tty) out.stderr('\n');
    const wall = (tEnd - t0) / 1000;
    const pct = (r: LatencyRecorder) => ({ p50: +r.percentile(50).toFixed(3), p99: +r.percentile(99).toFixed(3) });
    const summary = {
      summary: {
        source: source.name,
        width,
        height,
        frames,
        fps: +(frames / wall).toFixed(1),
        pipelineFps: total.count ? +(1000 / Math.max(1e-9, total.mean)).toFixed(1) : 0,
        latencyMs: Object.fromEntries([...[...stages].map(([k, r]) => [k, pct(r)] as const), ['total', pct(total)] as const]) as Record<
          string,
          { p50: number; p99: number }
        >,
        drops: pool.stats().dropped,
        backend: webgpu ? 'webgpu' : fk.info().backend,
        /** --backend webgpu: the adapter, and the frames whose refill corners came from the GPU keypoint chain (the rest fell back to WASM). */
        ...(chain ? { gpu: fk.info().gpu ?? `lost: ${chain.fallbackReason}`, gpuCornerFrames: gpuCorners } : {}),
        /** Frames whose flow ran again over every pyramid level, and frames recovered from the ORB keyframe. */
        deepened,
        relocalized,
        /** --faces: frames whose line carries faces, inferences run, frames skipped while busy, inference p50/p99. */
        ...(faces ? { faces: faces.summary() } : {}),
        ...(truthErrors.corner.count
          ? {
              groundTruth: {
                meanCornerErrorPx: +truthErrors.corner.mean.toFixed(3),
                meanRotationErrorDeg: truthErrors.rotation.count ? +truthErrors.rotation.mean.toFixed(3) : null,
                meanTranslationErrorPct: truthErrors.translation.count ? +truthErrors.translation.mean.toFixed(3) : null,
              },
            }
          : {}),
        ...(audio
          ? {
              audio: {
                ...audio.report(),
                ...(speech ? speech.report() : { detector: null, vad: null, speechMissing: 'turned off (--no-vad)' }),
              },
            }
          : {}),
        ...(failure ? { error: failure instanceof Error ? failure.message : String(failure) } : {}),
      },
    };
    if (values.json) out.stdout(JSON.stringify(summary) + '\n');
    else {
      const s = summary.summary;
      out.stdout(
        `${s.source}: ${s.frames} frames ${width}x${height}, ${s.fps} fps (pipeline alone ${s.pipelineFps} fps), backend ${s.backend}, drops ${s.drops}\n`,
      );
      out.stdout(`  flow deepened on ${s.deepened} frames, track relocalized on ${s.relocalized}\n`);
      if (s.faces) out.stdout(`  faces: ${JSON.stringify(s.faces)}\n`);
      if (s.audio) {
        const a = s.audio as Record<string, unknown> & { attached: number; codec: string };
        const v = a.vad as { runtime: string; segments: number[][]; framesWithResult: number; late: number; realTimeFactor: number } | null;
        out.stdout(`  audio (${a.codec}): a window on ${a.attached} frames\n`);
        if (v)
          out.stdout(
            `  speech (Silero VAD v5 on ${v.runtime}): ${v.segments.map(([x, y]) => `${x}-${y} s`).join(', ') || 'none'}; ${v.framesWithResult} frames with a result, ${v.late} late, model real-time factor ${v.realTimeFactor}\n`,
          );
        if (a.speechMissing) out.stdout(`  no speech flags: ${String(a.speechMissing)}\n`);
      }
      for (const [k, v] of Object.entries(s.latencyMs))
        out.stdout(`  ${k.padEnd(10)} p50 ${v.p50.toFixed(2).padStart(7)} ms   p99 ${v.p99.toFixed(2).padStart(7)} ms\n`);
      if (s.groundTruth)
        out.stdout(
          `  ground truth: corner error ${s.groundTruth.meanCornerErrorPx} px, rotation ${s.groundTruth.meanRotationErrorDeg} deg, translation ${s.groundTruth.meanTranslationErrorPct} %\n`,
        );
    }
    if (failure) throw failure;
  },
};
