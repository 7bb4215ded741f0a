import { FramekitError } from '../errors.js';
import { contextOf, type ContextSource } from '../core/context.js';
import { SampleRing } from '../frame/sample-ring.js';
import type { Region } from '../memory/arena.js';
import { Resampler } from '../kernels/resample/api.js';
import type { AudioStream } from './stream.js';

export interface CaptureOptions {
  /** URL of the built worklet module (dist/browser/capture-worklet.js beside the browser build). */
  workletUrl: string | URL;
  /** A stream to capture; default: the microphone, asked for with getUserMedia (no echo cancellation, noise suppression or gain control). */
  media?: MediaStream;
  /** The context to run in; default: a new AudioContext at the device's rate. */
  context?: AudioContext;
}

/** A running capture: the worklet fills a ring at the context's rate; `pump` converts it to 16 kHz. */
export interface AudioCapture {
  /** The context's sample rate (what the worklet delivers). */
  readonly sampleRate: number;
  /**
   * Moves what the worklet captured through the resampler into `stream.ring` (16 kHz); returns the
   * 16 kHz samples written. Call it often (each animation frame), then cut frames with `stream.next()`.
   */
  pump(stream: AudioStream): number;
  /** Samples the worklet dropped because its ring was full (pump was not called often enough). */
  dropped(): number;
  close(): Promise<void>;
}

/**
 * Captures audio in the browser: getUserMedia (or `media`) through an AudioWorklet that writes into
 * a SampleRing over framekit's shared memory (no postMessage per block; createFramekit needs
 * `shared: true` and a cross-origin isolated page), converted from the context's rate to 16 kHz by
 * the WASM resampler on `pump`. A refused microphone is E_IO with `details.reason` 'permission'.
 * Allocates the rings, the resampler and the audio graph: setup only.
 */
export async function captureAudio(src: ContextSource, o: CaptureOptions): Promise<AudioCapture> {
  const fk = contextOf(src);
  if (!(fk.memory.buffer instanceof SharedArrayBuffer))
    throw new FramekitError(
      'E_STATE',
      'audio capture needs shared memory: createFramekit({ shared: true }) on a cross-origin isolated page',
    );
  let media = o.media;
  const own = !media;
  if (!media) {
    try {
      media = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (e) {
      const name = (e as Error).name;
      throw new FramekitError(
        'E_IO',
        name === 'NotAllowedError' ? 'microphone permission denied' : `no microphone: ${(e as Error).message}`,
        { reason: name === 'NotAllowedError' ? 'permission' : 'device' },
      );
    }
  }
  const ctx = o.context ?? new AudioContext();
  const regions: Region[] = [];
  const raw = new SampleRing(fk, 1 << 15);
  try {
    await ctx.audioWorklet.addModule(o.workletUrl);
    const drops = fk.arena.alloc(16, 'capture drops');
    regions.push(drops);
    new Int32Array(fk.memory.buffer, drops.ptr, 1)[0] = 0;
    const resampler = new Resampler(fk, ctx.sampleRate, { maxBlock: 4096 });
    const staging = fk.arena.alloc(4096 * 4, 'capture staging');
    regions.push(staging);
    const node = new AudioWorkletNode(ctx, 'framekit-capture', {
      numberOfInputs: 1,
      numberOfOutputs: 0,
      processorOptions: { buffer: fk.memory.buffer, layout: raw.layout, dropsPtr: drops.ptr },
    });
    const source = ctx.createMediaStreamSource(media);
    source.connect(node);
    if (ctx.state === 'suspended') await ctx.resume();
    const dropCell = new Int32Array(fk.memory.buffer, drops.ptr, 1);
    const view = new Float32Array(fk.memory.buffer, staging.ptr, 4096);
    return {
      sampleRate: ctx.sampleRate,
      pump(stream) {
        let written = resampler.drain(stream.ring);
        for (;;) {
          const n = Math.min(raw.size, resampler.room, 4096);
          if (n <= 0) break;
          raw.popInto(staging.ptr, n);
          resampler.push(n === 4096 ? view : view.subarray(0, n), stream.ring);
          written += resampler.drain(stream.ring);
        }
        return written;
      },
      dropped: () => Atomics.load(dropCell, 0),
      async close() {
        source.disconnect();
        node.disconnect();
        if (own) for (const t of media.getTracks()) t.stop();
        if (!o.context) await ctx.close();
        resampler.dispose();
        raw.dispose();
        for (const r of regions) fk.arena.free(r);
      },
    };
  } catch (e) {
    raw.dispose();
    for (const r of regions) fk.arena.free(r);
    if (own) for (const t of media.getTracks()) t.stop();
    throw e;
  }
}
