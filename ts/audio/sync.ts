import { FramekitError } from '../errors.js';
import type { Frame } from '../frame/frame.js';
import type { AudioFrame } from './frame.js';
import type { AudioPool } from './pool.js';

/**
 * The audio a video frame's timestamp falls in, attached to the video frame under `audio`: a
 * handle to the audio frame (its samples stay where they are: `pool.tryHandle(audioHandle)` reaches
 * them while that frame is live) and what was known of it at attach time. One object per video
 * frame object, refilled on each attach (no allocation per frame).
 */
export class AudioWindow {
  /** Handle of the covering audio frame in its AudioPool. */
  audioHandle = -1;
  /** Stream index of the covering audio frame (k: samples [k * 512, (k + 1) * 512)). */
  audioFrame = -1;
  /** The audio frame's span on the media timeline, microseconds. */
  startUs = 0;
  endUs = 0;
  /** Video timestamp minus the audio frame's start (0 <= offsetUs < its duration). */
  offsetUs = 0;
  /** Stream sample at the video timestamp. */
  sample = 0;
  /** Mean log10 mel energy of the audio frame's columns (NaN when it has none). */
  melEnergy = NaN;
  rms = 0;
  peak = 0;
  /** The voice-activity decision on the audio frame at attach time; null while none has landed. */
  speech: boolean | null = null;
  speechProbability: number | null = null;
}

/** What `AvSync.attach` found for a video frame. */
export type SyncStatus =
  /** The covering audio frame was there: the window is attached. */
  | 'ok'
  /** The timestamp lies before the audio's first sample (the file's audio starts later). */
  | 'before-audio'
  /** The covering audio has not arrived yet (the audio is behind: read more before attaching). */
  | 'audio-pending'
  /** The covering audio frame left the history already (the video is further behind than `history`). */
  | 'audio-dropped'
  /** The timestamp lies past the audio's end. */
  | 'after-audio';

export interface AvSyncOptions {
  /** Audio frames kept referenced for lookups (default 64: about 2 s at 32 ms). */
  history?: number;
  /** Microseconds between video frames, when known (from the container's rate); else learned from the timestamps. */
  videoIntervalUs?: number;
  /**
   * Media time of the audio stream's first sample, microseconds (`AudioStream.startUs`), when known
   * before its first frame arrives; else taken from the first frame pushed.
   */
  startUs?: number;
}

export interface AvSyncReport {
  attached: number;
  beforeAudio: number;
  audioPending: number;
  audioDropped: number;
  afterAudio: number;
  /** Video timestamps that jumped more than 1.5 intervals (dropped or missing video frames) and the time they skipped. */
  videoGaps: number;
  videoGapUs: number;
  /** Audio frames that did not start where the previous one ended (a source that skipped samples). */
  audioGaps: number;
  /** How far the newest audio ran ahead of each attached video frame, microseconds (min and max). */
  audioLeadUs: { min: number; max: number } | null;
  /** Video timestamps that went backwards (ignored for gap detection). */
  videoNonMonotonic: number;
}

/**
 * One clock for audio and video, the audio clock the master: audio frame k covers media time
 * [startUs + k * 32 ms, startUs + (k + 1) * 32 ms) by its sample count, and each video frame gets
 * the audio frame its timestamp (microseconds, `Frame.timestamp`) falls in. The sync keeps one
 * reference to each of the last `history` audio frames (`push`), so a video frame finds its audio
 * without any sample being copied. Gaps and drift are counted, not hidden (`report`).
 */
export class AvSync {
  readonly pool: AudioPool;
  readonly history: number;
  readonly #frames: Array<AudioFrame | null>;
  /** Stream index of the next audio frame expected. */
  #next = 0;
  #startUs = NaN;
  #frameUs: number;
  #ended = false;
  #expectSample = 0;
  #lastVideo = NaN;
  #intervalUs: number;
  #learned = false;
  #steps = 0;
  #pushed = false;
  readonly #windows = new WeakMap<Frame, AudioWindow>();
  readonly #r = {
    attached: 0,
    beforeAudio: 0,
    audioPending: 0,
    audioDropped: 0,
    afterAudio: 0,
    videoGaps: 0,
    videoGapUs: 0,
    audioGaps: 0,
    videoNonMonotonic: 0,
    leadMin: Infinity,
    leadMax: -Infinity,
  };

  constructor(pool: AudioPool, o: AvSyncOptions = {}) {
    this.pool = pool;
    this.history = o.history ?? 64;
    if (!Number.isInteger(this.history) || this.history < 1 || this.history > pool.size - 1)
      throw new FramekitError('E_ARGUMENT', `history must be 1..${pool.size - 1} (the audio pool's size minus one), got ${this.history}`);
    this.#frames = new Array<AudioFrame | null>(this.history).fill(null);
    this.#frameUs = (pool.samples * 1e6) / pool.sampleRate;
    this.#intervalUs = o.videoIntervalUs ?? NaN;
    this.#learned = o.videoIntervalUs !== undefined;
    if (o.startUs !== undefined) this.#startUs = o.startUs;
  }

  /**
   * Hands over the next audio frame in stream order: the sync retains it (the caller keeps its own
   * reference and releases it as usual) and releases the one `history` frames older.
   */
  push(audio: AudioFrame): void {
    if (!this.#pushed) {
      this.#pushed = true;
      if (Number.isNaN(this.#startUs)) this.#startUs = audio.timestamp - (audio.startSample * 1e6) / audio.sampleRate;
      this.#expectSample = audio.startSample;
      this.#next = Math.floor(audio.startSample / this.pool.samples);
    }
    if (audio.startSample !== this.#expectSample) this.#r.audioGaps++;
    const k = Math.floor(audio.startSample / this.pool.samples);
    const slot = k % this.history;
    this.#frames[slot]?.release();
    this.#frames[slot] = audio.retain();
    this.#next = k + 1;
    this.#expectSample = audio.startSample + audio.length;
    if (audio.length < audio.capacity) this.#ended = true;
  }

  /** The audio ended (no frame shorter than a full one marked it). */
  end(): void {
    this.#ended = true;
  }

  /**
   * Attaches the audio window covering `video.timestamp` under `audio` and returns 'ok', or leaves
   * the frame without one and says why. Allocation-free once each video frame object has its window.
   */
  attach(video: Frame): SyncStatus {
    const ts = video.timestamp;
    this.#videoGap(ts);
    const r = this.#r;
    if (Number.isNaN(this.#startUs)) {
      r.audioPending++;
      return 'audio-pending';
    }
    if (ts < this.#startUs) {
      r.beforeAudio++;
      return 'before-audio';
    }
    const k = Math.floor((ts - this.#startUs) / this.#frameUs);
    if (k >= this.#next) {
      if (this.#ended) {
        r.afterAudio++;
        return 'after-audio';
      }
      r.audioPending++;
      return 'audio-pending';
    }
    const a = k > this.#next - 1 - this.history ? this.#frames[k % this.history] : null;
    if (!a || !a.live || Math.floor(a.startSample / this.pool.samples) !== k) {
      r.audioDropped++;
      return 'audio-dropped';
    }
    const offset = ts - a.timestamp;
    const sampleOffset = Math.floor((offset * a.sampleRate) / 1e6);
    if (sampleOffset >= a.length) {
      // The stream's last frame is short: past its last sample is past the audio's end.
      r.afterAudio++;
      return 'after-audio';
    }
    let w = this.#windows.get(video);
    if (w === undefined) {
      w = new AudioWindow();
      this.#windows.set(video, w);
    }
    w.audioHandle = a.handle;
    w.audioFrame = k;
    w.startUs = a.timestamp;
    w.endUs = a.timestamp + this.#frameUs;
    w.offsetUs = offset;
    w.sample = a.startSample + sampleOffset;
    const mel = a.mel();
    w.melEnergy = mel ? mel.meanEnergy() : NaN;
    const lv = a.level();
    w.rms = lv.rms;
    w.peak = lv.peak;
    const sp = a.get('speech');
    w.speech = sp ? sp.speech : null;
    w.speechProbability = sp ? sp.probability : null;
    video.attach('audio', w);
    r.attached++;
    const lead = this.#startUs + this.#next * this.#frameUs - ts;
    if (lead < r.leadMin) r.leadMin = lead;
    if (lead > r.leadMax) r.leadMax = lead;
    return 'ok';
  }

  /** Counts so far. Allocates the report: not for the frame loop. */
  report(): AvSyncReport {
    const r = this.#r;
    return {
      attached: r.attached,
      beforeAudio: r.beforeAudio,
      audioPending: r.audioPending,
      audioDropped: r.audioDropped,
      afterAudio: r.afterAudio,
      videoGaps: r.videoGaps,
      videoGapUs: r.videoGapUs,
      audioGaps: r.audioGaps,
      audioLeadUs: r.attached ? { min: r.leadMin, max: r.leadMax } : null,
      videoNonMonotonic: r.videoNonMonotonic,
    };
  }

  /** Releases every audio frame the sync holds. */
  dispose(): void {
    for (let i = 0; i < this.#frames.length; i++) {
      this.#frames[i]?.release();
      this.#frames[i] = null;
    }
  }

  #videoGap(ts: number): void {
    const prev = this.#lastVideo;
    this.#lastVideo = ts;
    if (Number.isNaN(prev)) return;
    const d = ts - prev;
    if (d <= 0) {
      this.#r.videoNonMonotonic++;
      return;
    }
    if (!this.#learned) {
      // The smallest step seen so far is the frame interval (a dropped frame only makes steps
      // larger); gaps count from the third step on.
      this.#intervalUs = Number.isNaN(this.#intervalUs) ? d : Math.min(this.#intervalUs, d);
      if (++this.#steps < 3) return;
    }
    if (d > 1.5 * this.#intervalUs) {
      this.#r.videoGaps++;
      this.#r.videoGapUs += d - this.#intervalUs;
    }
  }
}
