/*
 * Speech segments from per-window speech probabilities, with the hysteresis @ricky0123/vad-web's
 * FrameProcessor uses (its duration defaults; thresholds 0.5 / 0.35 as Silero's own):
 *  - a window is speech when p >= positiveThreshold; the first one opens a segment;
 *  - while open, every window with p < negativeThreshold counts towards `redemption` windows of
 *    silence; a speech window resets that count; when it reaches `redemption` the segment closes;
 *  - a closed segment with fewer than `minSpeech` speech windows is a misfire and is not reported.
 * A segment runs from the start of its first speech window to the end of the last window whose
 * probability was at least negativeThreshold (vad-web reports the end of the redemption period
 * instead, `redemptionMs` later). Works in windows and samples; allocates one object per segment.
 */

/** A stretch of speech: [start, end) in samples from the stream's start, and in seconds. */
export interface SpeechSegment {
  startSample: number;
  endSample: number;
  start: number;
  end: number;
  /** Windows in it that were speech (p >= positiveThreshold). */
  speechWindows: number;
}

export interface HysteresisOptions {
  positiveThreshold: number;
  negativeThreshold: number;
  /** Windows of silence that end a segment. */
  redemption: number;
  /** Speech windows a segment needs to count. */
  minSpeech: number;
  windowSamples: number;
  sampleRate: number;
}

export class SpeechHysteresis {
  readonly o: HysteresisOptions;
  #speaking = false;
  #start = 0;
  #lastVoicedEnd = 0;
  #speechCount = 0;
  #silence = 0;

  constructor(o: HysteresisOptions) {
    this.o = o;
  }

  get speaking(): boolean {
    return this.#speaking;
  }

  /** First sample of the open segment, or -1 when none is open. */
  get segmentStart(): number {
    return this.#speaking ? this.#start : -1;
  }

  /** Feeds window `index`'s probability; returns the segment that closed with it, or null. */
  update(index: number, p: number): SpeechSegment | null {
    const o = this.o;
    const w0 = index * o.windowSamples;
    const w1 = w0 + o.windowSamples;
    const speech = p >= o.positiveThreshold;
    if (speech) {
      if (!this.#speaking) {
        this.#speaking = true;
        this.#start = w0;
        this.#speechCount = 0;
      }
      this.#speechCount++;
      this.#silence = 0;
    }
    if (!this.#speaking) return null;
    if (p >= o.negativeThreshold) this.#lastVoicedEnd = w1;
    else if (++this.#silence >= o.redemption) return this.#close();
    return null;
  }

  /** Closes an open segment at the end of the stream; returns it, or null (none open, or a misfire). */
  flush(): SpeechSegment | null {
    return this.#speaking ? this.#close() : null;
  }

  reset(): void {
    this.#speaking = false;
    this.#speechCount = 0;
    this.#silence = 0;
  }

  #close(): SpeechSegment | null {
    const n = this.#speechCount;
    this.reset();
    if (n < this.o.minSpeech) return null;
    const sr = this.o.sampleRate;
    return {
      startSample: this.#start,
      endSample: this.#lastVoicedEnd,
      start: this.#start / sr,
      end: this.#lastVoicedEnd / sr,
      speechWindows: n,
    };
  }
}
