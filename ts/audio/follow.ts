import { type ContextSource } from '../core/context.js';
import type { Frame } from '../frame/frame.js';
import { openFfmpegAudio, probeAudio, type AudioProbe, type AudioSource } from '../io/audio.js';
import type { AudioFrame } from './frame.js';
import { AudioStream } from './stream.js';
import { AvSync, type AudioWindow, type AvSyncReport, type SyncStatus } from './sync.js';

/**
 * The audio of a video file, read alongside its video frames: the audio clock leads (audio is read
 * until it covers each video frame's timestamp) and each video frame gets the covering audio window
 * (AvSync). Video frames carry microsecond timestamps on the file's timeline: `videoStartUs` plus
 * k / fps. Reads through ffmpeg; the audio is never held whole in memory.
 */
export class VideoAudio {
  readonly stream: AudioStream;
  readonly sync: AvSync;
  readonly probe: AudioProbe;
  /** Where the video's first frame lies on the file's timeline, microseconds. */
  readonly videoStartUs: number;
  readonly #source: AudioSource;
  #ended = false;
  /**
   * Hears every audio frame as it is cut, in stream order, before the sync takes it (a voice-activity
   * stage's `pushFrame`); the frame is live during the call only unless the listener retains it.
   */
  onFrame: ((frame: AudioFrame) => void) | null = null;

  private constructor(source: AudioSource, probe: AudioProbe, stream: AudioStream, videoIntervalUs: number | undefined) {
    this.#source = source;
    this.probe = probe;
    this.stream = stream;
    this.sync = new AvSync(stream.pool, { history: 64, startUs: source.startUs, videoIntervalUs });
    this.videoStartUs = Math.round((probe.videoStartTime ?? 0) * 1e6);
  }

  /** The audio of `path` when it has an audio stream, else null. Allocates arena space: setup only. */
  static async open(fk: ContextSource, path: string, fps: number | null): Promise<VideoAudio | null> {
    // YUV4MPEG2 carries video only: no ffprobe process (about 0.2 s of CPU) to learn there is no audio.
    if (/\.y4m$/i.test(path)) return null;
    const probe = await probeAudio(path).catch(() => null);
    if (!probe) return null;
    const source = await openFfmpegAudio(path);
    const stream = new AudioStream(fk, { size: 72, startUs: source.startUs });
    return new VideoAudio(source, probe, stream, fps ? 1e6 / fps : undefined);
  }

  /** Reads audio until it covers `video.timestamp` (or ends), then attaches the window; the status says what happened. */
  async attach(video: Frame): Promise<SyncStatus> {
    const ts = video.timestamp;
    while (!this.#ended && this.stream.timeOf(this.stream.cut) <= ts) {
      const n = await this.#source.read(this.stream.ring);
      for (let f = this.stream.next(); f; f = this.stream.next()) this.#take(f);
      if (n < 0) {
        this.#ended = true;
        for (let f = this.stream.flush(); f; f = this.stream.flush()) this.#take(f);
        this.sync.end();
      }
    }
    return this.sync.attach(video);
  }

  /** The window attached to `video`, for a JSON line (null when none was). */
  static summary(video: Frame): Record<string, number | boolean | null> | null {
    const w = video.get('audio') as AudioWindow | null;
    if (!w) return null;
    const r = (v: number, d: number) => (Number.isFinite(v) ? +v.toFixed(d) : null);
    return {
      t: r(w.startUs / 1e6, 6),
      offsetMs: r(w.offsetUs / 1000, 3),
      rms: r(w.rms, 6),
      melEnergy: r(w.melEnergy, 4),
      speech: w.speech,
      speechProbability: w.speechProbability === null ? null : r(w.speechProbability, 4),
    };
  }

  report(): AvSyncReport & { codec: string; audioStartUs: number; videoStartUs: number } {
    return { codec: this.probe.codec, audioStartUs: this.#source.startUs, videoStartUs: this.videoStartUs, ...this.sync.report() };
  }

  async close(): Promise<void> {
    this.sync.dispose();
    await this.#source.close();
    this.stream.dispose();
  }

  #take(f: AudioFrame): void {
    f.level();
    this.onFrame?.(f);
    this.sync.push(f);
    f.release();
  }
}
