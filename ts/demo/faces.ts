/**
 * The demo's face stage (`?faces=1`): BlazeFace on ONNX Runtime Web (WASM provider), in its own
 * bundle (dist/demo/faces.js) that app.ts imports only when asked, so the core demo bundle carries
 * neither this code nor ONNX Runtime. The stage runs as a scheduler task at the level its context
 * gives class 'vision'; a camera frame is turned into RGBA only when the stage is idle and will take
 * it (latest frame wins), into one of two preallocated RGBA frames; results attach to that frame
 * and the page draws the latest one.
 */
import * as ort from 'onnxruntime-web/wasm';
import type { Framekit } from '../framekit.js';
import type { Frame } from '../frame/frame.js';
import type { FramePool } from '../frame/pool.js';
import type { Scheduler } from '../schedule/scheduler.js';
import { FaceStage, facesOf, type FaceDetections } from '../models/blazeface/stage.js';

/** Where a VideoFrame's planes lie in the arena after `copyTo`. */
export interface CameraFrame {
  format: string;
  ptr: number;
  layout: ReadonlyArray<{ offset: number; stride: number }>;
}

export class DemoFaces {
  readonly stage: FaceStage;
  readonly #fk: Framekit;
  readonly #pool: FramePool;
  #held: Frame | null = null;
  #seq = 0;
  /** Frames offered while the stage was busy (not converted, not run). */
  skipped = 0;
  latest: FaceDetections | null = null;

  private constructor(fk: Framekit, w: number, h: number, scheduler: Scheduler) {
    const base = new URL('./', import.meta.url).href;
    ort.env.wasm.wasmPaths = base;
    ort.env.wasm.numThreads = 1;
    this.#fk = fk;
    this.#pool = fk.createPool({ width: w, height: h, format: 'rgba', size: 2, onExhausted: 'error' });
    this.stage = new FaceStage(fk, {
      scheduler,
      ort: ort as never,
      model: `${base}face_detection_front_128x128_barracuda.onnx`,
      sessionOptions: { executionProviders: ['wasm'] },
    });
  }

  /** The stage's inferences are tasks of class 'vision' on `scheduler` (the page's, whose context the page switches). */
  static create(fk: Framekit, w: number, h: number, scheduler: Scheduler): DemoFaces {
    return new DemoFaces(fk, w, h, scheduler);
  }

  /** Offers the camera frame now in the arena; converts and pushes it only when the stage is idle. */
  offer(cam: CameraFrame): void {
    // A result attached to the frame last pushed: keep it for drawing.
    const r = this.#held ? facesOf(this.#held) : null;
    if (r) this.latest = r;
    if (this.stage.busy || this.stage.loadError) {
      this.skipped++;
      return;
    }
    this.#held?.release();
    const f = this.#pool.acquire(this.#seq++);
    this.#held = f;
    const fk = this.#fk;
    const px = f.pixels;
    const w = px.width;
    const h = px.height;
    const at = (i: number) => cam.ptr + cam.layout[i]!.offset;
    const plane = (i: number, pw: number, ph: number) =>
      ({ ptr: at(i), width: pw, height: ph, stride: cam.layout[i]!.stride, format: 'gray' }) as const;
    if (cam.format === 'I420' || cam.format === 'I420A')
      fk.i420ToRgba(px, plane(0, w, h), plane(1, w >> 1, h >> 1), plane(2, w >> 1, h >> 1));
    else if (cam.format === 'NV12') fk.nv12ToRgba(px, plane(0, w, h), plane(1, w, h >> 1));
    else {
      // RGBX/BGRX: rows copied into the frame (BGRX keeps its order: BlazeFace barely minds a red/blue swap).
      const s = cam.layout[0]!.stride;
      for (let y = 0; y < h; y++) fk.heap.copyWithin(px.ptr + y * px.stride, at(0) + y * s, at(0) + y * s + w * 4);
    }
    this.stage.push(f);
  }
}
