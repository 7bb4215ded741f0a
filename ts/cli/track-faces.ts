/**
 * `framekit track --faces`: the BlazeFace stage beside the tracker. The track pool holds luma
 * frames; each frame also keeps its source's chroma in a pool slot (video) or none (gray sources),
 * and only the frame the stage actually takes is turned into colour, inside the stage's task, into
 * one preallocated RGBA plane. The media loop never waits for the model: it pushes the frame
 * (latest frame wins while an inference runs), gives the event loop one turn, and holds each
 * processed frame for a few frames (`lag`) so a result that attaches meanwhile makes it into that
 * frame's JSON line; a later one is dropped by the frame (counted `late`).
 */
import { FramekitError } from '../errors.js';
import type { Frame } from '../frame/frame.js';
import type { Framekit } from '../framekit.js';
import { Plane, type PlaneLike } from '../image/plane.js';
import { openVideo } from '../io/video.js';
import { FaceStage, type FaceDetections } from '../models/blazeface/stage.js';
import type { OrtModule } from '../models/ort.js';
import { Scheduler } from '../schedule/index.js';
import { LatencyRecorder } from '../track/stats.js';
import type { TrackSource } from '../track/sources.js';
import { line, type Canvas, type Rgb } from '../track/annotate.js';

/**
 * The nice value of the thread ONNX Runtime runs in (Linux): where every core is busy, the media
 * thread keeps its core and the model runs in what is left (bench/results/track-faces-epyc-2core.json).
 */
export const FACES_NICE = 10;

/** Frames a processed frame stays held for a late face result (the pool grows by this many). */
export const FACES_LAG = 4;

const CHROMA = 'chroma';
const MAGENTA: Rgb = [255, 0, 200];
const CYAN: Rgb = [0, 230, 255];

/** Arena bytes `--faces` needs beyond the track pool's luma frames: chroma slots, the RGBA plane, the tensor, alignment. */
export function facesArenaBytes(width: number, height: number, poolFrames: number): number {
  const chroma = (width >> 1) * (height >> 1) * 2;
  return poolFrames * (chroma + 256) + width * height * 4 + chroma + 256 * 256 * 3 * 4 + (1 << 20);
}

/** Pool option for the per-frame chroma slot. */
export function chromaSlot(width: number, height: number): { [CHROMA]: { length: number } } {
  return { [CHROMA]: { length: (width >> 1) * (height >> 1) * 2 } };
}

/** Where a colour source writes the next frame's chroma. */
export interface ChromaTarget {
  frame: Frame | null;
}

/** A track source that also fills each frame's chroma slot. */
export interface ColourSource extends TrackSource {
  readonly chromaTarget: ChromaTarget;
}

/**
 * A video source for `--faces` that also reads each frame's chroma (I420) into the slot of the frame
 * `TrackFaces.current()` named; null when the video is not 4:2:0 (the luma alone then goes to the model).
 */
export async function colourVideoSource(path: string): Promise<ColourSource | null> {
  const v = await openVideo(path);
  const { width, height } = v.info;
  if (width % 2 || height % 2 || v.info.frameBytes - width * height !== (width >> 1) * (height >> 1) * 2) {
    await v.close();
    return null;
  }
  const chromaTarget: ChromaTarget = { frame: null };
  return {
    width,
    height,
    fps: v.info.fps,
    name: path,
    length: null,
    chromaTarget,
    read(gray) {
      if (gray.stride !== width) throw new FramekitError('E_STRIDE', 'video frames need packed gray planes');
      const f = chromaTarget.frame;
      if (!f) throw new FramekitError('E_STATE', 'colour video source: no frame named for the chroma');
      return v.readFrame(gray.data, f.slot(CHROMA) as Uint8Array);
    },
    close: () => v.close(),
  };
}

interface Held {
  frame: Frame;
  line: Record<string, unknown> | null;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/**
 * A face stage that takes track frames. The frame it runs on is first shrunk, plane by plane
 * (INTER_AREA on Y, U and V), to a working size about twice the model's input, then turned into
 * RGBA there: the model sees 128x128 at most, so a full-size RGBA frame would be 8 MB written at
 * 1080p for nothing. Faces are scaled back to the frame's pixels before they attach.
 */
class TrackFaceStage extends FaceStage {
  readonly #fk: Framekit;
  readonly #y: Plane;
  readonly #u: Plane;
  readonly #v: Plane;
  readonly #neutral: Plane;
  readonly #rgba: Plane;
  readonly #view: { pixels: Plane; texture: null };
  readonly #w: number;
  readonly #h: number;
  /** Frame pixels per working pixel, x and y. */
  readonly #sx: number;
  readonly #sy: number;
  /** True when frames carry their source's chroma; false: the luma alone (neutral chroma). */
  colour = false;
  /** The newest result decoded, whichever frame it was for (null before the first). */
  latest: FaceDetections | null = null;
  conversions = 0;
  /** Time of each frame's shrink, colour conversion and tensor preparation, on the media thread (ms). */
  readonly prepareMs = new LatencyRecorder();
  readonly #k: number;
  readonly #interpolation: 'linear' | 'area';

  constructor(fk: Framekit, width: number, height: number, o: ConstructorParameters<typeof FaceStage>[1]) {
    super(fk, o);
    this.#fk = fk;
    this.#w = width;
    this.#h = height;
    // INTER_AREA wants integer factors, and I420 even sizes: k divides both half sizes.
    const target = Math.max(1, Math.floor(Math.max(width, height) / (2 * this.inputSize)));
    let k = 1;
    for (let d = 2; d <= target; d++) if ((width >> 1) % d === 0 && (height >> 1) % d === 0) k = d;
    this.#k = k;
    // INTER_AREA reads every pixel (2 ms for a 1080p frame on this machine's cores); bilinear reads
    // four per output pixel (0.15 ms). Past a factor of 2 the faces the model can find (20 px and
    // up at its input) survive bilinear's aliasing, and the media thread keeps those milliseconds.
    this.#interpolation = k > 2 ? 'linear' : 'area';
    const sw = width / k;
    const sh = height / k;
    this.#sx = width / sw;
    this.#sy = height / sh;
    this.#y = fk.allocPlane(sw, sh, 'gray');
    this.#u = fk.allocPlane(sw >> 1, sh >> 1, 'gray');
    this.#v = fk.allocPlane(sw >> 1, sh >> 1, 'gray');
    this.#rgba = fk.allocPlane(sw, sh, 'rgba');
    // Gray sources: U = V = 128, so the conversion gives R = G = B from the luma.
    this.#neutral = fk.allocPlane(sw >> 1, sh >> 1, 'gray');
    fk.heap.fill(128, this.#neutral.ptr, this.#neutral.ptr + this.#neutral.stride * this.#neutral.height);
    this.#view = { pixels: this.#rgba, texture: null };
  }

  /** Loads the model and runs it once on the (blank) working plane, outside any scheduler. */
  async warm(): Promise<void> {
    await this.detect(this.#rgba);
    this.latest = null;
  }

  protected override prepare(frame: Frame): void {
    const t0 = performance.now();
    const fk = this.#fk;
    const shrink = this.#k > 1;
    const how = this.#interpolation;
    const y = shrink ? fk.resize(this.#y, frame.pixels, how) : frame.pixels;
    let u: PlaneLike = this.#neutral;
    let v: PlaneLike = this.#neutral;
    if (this.colour) {
      const cw = this.#w >> 1;
      const ch = this.#h >> 1;
      const ptr = frame.slot(CHROMA).byteOffset;
      u = new Plane(fk.heap, ptr, cw, ch, cw, 'gray');
      v = new Plane(fk.heap, ptr + cw * ch, cw, ch, cw, 'gray');
      if (shrink) {
        u = fk.resize(this.#u, u, how);
        v = fk.resize(this.#v, v, how);
      }
    }
    fk.i420ToRgba(this.#rgba, y, u, v);
    this.conversions++;
    super.prepare(this.#view as unknown as Frame);
    this.prepareMs.record(performance.now() - t0);
  }

  /** The faces in the frame's pixels (the model ran on the working size). */
  protected override async infer(): Promise<FaceDetections> {
    const r = await super.infer();
    const sx = this.#sx;
    const sy = this.#sy;
    for (const f of r.faces) {
      f.x *= sx;
      f.y *= sy;
      f.width *= sx;
      f.height *= sy;
      for (const p of f.landmarks) {
        p[0] *= sx;
        p[1] *= sy;
      }
    }
    r.width = this.#w;
    r.height = this.#h;
    this.latest = r;
    return r;
  }
}

/** The face side of `framekit track --faces`. */
export class TrackFaces {
  readonly stage: TrackFaceStage;
  readonly scheduler: Scheduler;
  readonly #held: Held[] = [];
  readonly #inference = new LatencyRecorder();
  #runs = 0;
  #framesWithFaces = 0;
  readonly #target: ChromaTarget | null;
  #model: string | null = null;
  #warmMs = 0;

  /** `source`: a `colourVideoSource()` gives the model colour; any other source, its luma. */
  /** Offer one frame in `every` to the stage (1: every frame; the stage still skips frames while busy). */
  readonly every: number;
  #offered = 0;

  constructor(fk: Framekit, source: TrackSource, o: { model?: string; ort: OrtModule; every?: number }) {
    const { width, height } = source;
    if (width % 2 || height % 2) throw new FramekitError('E_DIMENSION', `--faces needs even frame sizes, got ${width}x${height}`);
    this.every = o.every ?? 1;
    if (!Number.isInteger(this.every) || this.every < 1)
      throw new FramekitError('E_ARGUMENT', `--faces-every must be a positive integer, got ${String(o.every)}`);
    this.scheduler = new Scheduler();
    // One intra-op thread in a worker (o.ort: workerOrt()): the model keeps to one core, the media
    // loop to the other. With one thread ONNX Runtime starts no pool that could spin (and a model
    // stage turns spinning off anyway), so no thread of it waits for work on a core the media loop needs.
    this.stage = new TrackFaceStage(fk, width, height, {
      scheduler: this.scheduler,
      model: o.model,
      ort: o.ort,
      sessionOptions: { intraOpNumThreads: 1, interOpNumThreads: 1 },
    });
    this.#target = (source as Partial<ColourSource>).chromaTarget ?? null;
    this.stage.colour = this.#target !== null;
  }

  /**
   * Loads the model (in the worker) and runs it once before the media clock starts, so the stream's
   * first frames do not share the cores with ONNX Runtime starting up. A model that fails here is
   * reported by the stage on its first frame (the media path runs on without faces).
   */
  async warm(): Promise<void> {
    const t0 = performance.now();
    await this.stage.warm().catch(() => undefined);
    this.#warmMs = performance.now() - t0;
  }

  /** Names the frame the source's next read fills (a colour source puts its chroma in the frame's slot). */
  current(frame: Frame): void {
    if (this.#target) this.#target.frame = frame;
  }

  /**
   * After the tracker processed `frame`: offers it to the stage, holds it (with its JSON line) for
   * `FACES_LAG` frames, and gives the event loop one turn so the stage's task and ORT's completion
   * run. Returns the frames whose hold ended: write their lines, then release them.
   */
  async after(frame: Frame, jsonLine: Record<string, unknown> | null): Promise<Held | null> {
    if (this.#offered++ % this.every === 0) this.stage.push(frame);
    this.#held.push({ frame: frame.retain(), line: jsonLine });
    await new Promise<void>((r) => setImmediate(r));
    this.#noteRuns();
    return this.#held.length > FACES_LAG ? this.#finish(this.#held.shift()!) : null;
  }

  /** End of stream: waits for a running inference, then ends every hold, oldest first. */
  async drain(): Promise<Held[]> {
    await this.stage.idle();
    const info = this.stage.info;
    this.#model = info ? `${this.stage.model.name} (${info.runtime === 'given' ? 'ONNX Runtime in a worker' : info.runtime})` : null;
    this.#noteRuns();
    return this.#held.splice(0).map((h) => this.#finish(h));
  }

  #noteRuns(): void {
    const s = this.stage.stats;
    if (s.runs !== this.#runs) {
      this.#runs = s.runs;
      this.#inference.record(s.lastMs);
    }
  }

  #finish(h: Held): Held {
    const r = h.frame.get('faces') as FaceDetections | null;
    if (r) {
      if (r.faces.length) this.#framesWithFaces++;
      if (h.line) h.line.faces = facesJson(r);
    }
    h.frame.release();
    return h;
  }

  /**
   * Draws the newest faces known (boxes magenta, landmarks cyan) on an annotated frame: the stage's
   * newest result, even one that has not reached the end of its frame's hold (or came too late for it).
   */
  draw(c: Canvas): void {
    const r = this.stage.latest;
    if (!r) return;
    for (const f of r.faces) {
      const x1 = f.x + f.width;
      const y1 = f.y + f.height;
      for (let t = 0; t < 3; t++) {
        line(c, f.x - t, f.y - t, x1 + t, f.y - t, MAGENTA);
        line(c, x1 + t, f.y - t, x1 + t, y1 + t, MAGENTA);
        line(c, x1 + t, y1 + t, f.x - t, y1 + t, MAGENTA);
        line(c, f.x - t, y1 + t, f.x - t, f.y - t, MAGENTA);
      }
      for (const [x, y] of f.landmarks) for (let d = -3; d <= 3; d++) line(c, x - 3, y + d, x + 3, y + d, CYAN);
    }
  }

  /** Waits for a running inference (end of stream) and frees the session. */
  async close(): Promise<void> {
    await this.stage.dispose();
  }

  /** The summary's `faces` entry. */
  summary(): Record<string, unknown> {
    const s = this.stage.stats;
    return {
      model: this.#model,
      colour: this.stage.colour ? 'I420' : 'luma',
      every: this.every,
      /** Loading the model and one warm-up inference, before the first frame (ms). */
      warmMs: +this.#warmMs.toFixed(1),
      framesWithFaces: this.#framesWithFaces,
      pushed: s.pushed,
      runs: s.runs,
      attached: s.attached,
      skipped: s.skipped,
      /** Frames pushed that no inference ran on (replaced while busy, or moved on first). */
      notRun: s.pushed - s.runs,
      stale: s.stale,
      late: s.late,
      errors: s.errors,
      conversions: this.stage.conversions,
      /** Media-thread time per inference: shrink, I420 to RGBA, tensor (the model itself runs in the worker). */
      prepareMs: { p50: +this.stage.prepareMs.percentile(50).toFixed(3), p99: +this.stage.prepareMs.percentile(99).toFixed(3) },
      inferenceMs: { p50: +this.#inference.percentile(50).toFixed(3), p99: +this.#inference.percentile(99).toFixed(3) },
      ...(this.stage.lastError ? { error: String((this.stage.lastError as Error).message ?? this.stage.lastError) } : {}),
    };
  }
}

function facesJson(r: FaceDetections) {
  return r.faces.map((f) => ({
    x: r2(f.x),
    y: r2(f.y),
    width: r2(f.width),
    height: r2(f.height),
    score: Math.round(f.score * 1e4) / 1e4,
    landmarks: f.landmarks.map(([x, y]) => [r2(x), r2(y)]),
  }));
}
