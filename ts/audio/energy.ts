import type { AudioFrame } from './frame.js';

/** A stretch of speech, by sample index and in seconds of the stream (end exclusive). */
export interface SpeechSegment {
  startSample: number;
  endSample: number;
  start: number;
  end: number;
}

export interface EnergySegmenterOptions {
  /** A frame whose RMS is above this level (dB full scale) counts as voiced (default -40). */
  thresholdDb?: number;
  /** Voiced frames in a row that open a segment (default 2: 64 ms of 32 ms frames). */
  minFrames?: number;
  /** Quiet frames in a row that close it (default 12: 384 ms, longer than the pauses between words). */
  hangoverFrames?: number;
}

/**
 * Speech segments from frame energy alone, with hysteresis: a segment opens at the first of
 * `minFrames` voiced frames in a row and closes after the last voiced frame once `hangoverFrames`
 * quiet ones follow. A stand-in until a voice-activity model attaches `speech` to the frames: loud
 * noise counts as speech here. Allocates only the segment it returns.
 */
export class EnergySegmenter {
  readonly thresholdDb: number;
  readonly minFrames: number;
  readonly hangoverFrames: number;
  /** True while a segment is open. */
  speaking = false;
  #run = 0;
  #quiet = 0;
  #runStart = 0;
  #segStart = 0;
  #lastVoicedEnd = 0;
  readonly #rate: number;

  constructor(sampleRate = 16000, o: EnergySegmenterOptions = {}) {
    this.#rate = sampleRate;
    this.thresholdDb = o.thresholdDb ?? -40;
    this.minFrames = o.minFrames ?? 2;
    this.hangoverFrames = o.hangoverFrames ?? 12;
  }

  /** RMS in dB full scale (-Infinity for silence). */
  static db(rms: number): number {
    return 20 * Math.log10(rms);
  }

  /** Feeds the next frame (in stream order); returns the segment that this frame closed, if any. */
  push(frame: AudioFrame): SpeechSegment | null {
    const voiced = frame.length > 0 && EnergySegmenter.db(frame.level().rms) > this.thresholdDb;
    const start = frame.startSample;
    const end = start + frame.length;
    if (voiced) {
      if (this.#run === 0) this.#runStart = start;
      this.#run++;
      this.#quiet = 0;
      this.#lastVoicedEnd = end;
      if (!this.speaking && this.#run >= this.minFrames) {
        this.speaking = true;
        this.#segStart = this.#runStart;
      }
      return null;
    }
    this.#run = 0;
    if (!this.speaking) return null;
    if (++this.#quiet < this.hangoverFrames) return null;
    return this.#close();
  }

  /** Closes an open segment at the end of the stream. */
  finish(): SpeechSegment | null {
    return this.speaking ? this.#close() : null;
  }

  #close(): SpeechSegment {
    this.speaking = false;
    this.#quiet = 0;
    const s = this.#segStart;
    const e = this.#lastVoicedEnd;
    return { startSample: s, endSample: e, start: s / this.#rate, end: e / this.#rate };
  }
}
