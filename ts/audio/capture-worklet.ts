/**
 * The AudioWorklet side of microphone capture (loaded by `captureAudio`, ts/audio/capture.ts, with
 * `audioWorklet.addModule`): each render quantum (128 frames at the context's rate) is written, as
 * mono (the mean of the input's channels), into a SampleRing in framekit's shared memory. No
 * message per block: the page reads the ring. A block that does not fit is counted as dropped in
 * the int32 cell the page passed (`dropsPtr`), with Atomics.
 */
import { SampleRing, type SampleRingLayout } from '../frame/sample-ring.js';

declare const AudioWorkletProcessor: new (options?: unknown) => object;
declare function registerProcessor(name: string, ctor: unknown): void;

/** What `captureAudio` passes as the node's processorOptions. */
export interface CaptureProcessorOptions {
  buffer: SharedArrayBuffer;
  layout: SampleRingLayout;
  /** Byte offset of an int32 counting samples dropped because the ring was full. */
  dropsPtr: number;
}

class CaptureProcessor extends AudioWorkletProcessor {
  readonly #ring: SampleRing;
  readonly #drops: Int32Array;
  /** The mono mix of a quantum, made once (128 frames; grown once if a larger quantum ever comes). */
  #mono = new Float32Array(128);

  constructor(options: { processorOptions: CaptureProcessorOptions }) {
    super();
    const o = options.processorOptions;
    this.#ring = SampleRing.open(o.buffer, o.layout);
    this.#drops = new Int32Array(o.buffer, o.dropsPtr, 1);
  }

  process(inputs: Float32Array[][]): boolean {
    const ch = inputs[0];
    if (!ch || ch.length === 0) return true;
    let block = ch[0]!;
    if (ch.length > 1) {
      const n = block.length;
      if (this.#mono.length < n) this.#mono = new Float32Array(n);
      const m = this.#mono;
      const k = 1 / ch.length;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < ch.length; c++) s += ch[c]![i]!;
        m[i] = s * k;
      }
      block = m.length === n ? m : m.subarray(0, n);
    }
    if (!this.#ring.push(block)) Atomics.add(this.#drops, 0, block.length);
    return true;
  }
}

registerProcessor('framekit-capture', CaptureProcessor);
