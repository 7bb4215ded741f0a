/**
 * The live demo: camera -> VideoFrame -> framekit -> overlays. Each VideoFrame is copied once into
 * the shared memory (`copyTo`); for the 4:2:0 formats cameras deliver, its Y plane is the gray plane
 * the tracker reads, so no colour conversion runs.
 *
 * Where the browser has WebGPU, the luma plane also goes to the GPU, and the keypoint chain (blur,
 * FAST) finds the refill corners there while this thread builds the pyramid and tracks; only the
 * keypoint list comes back. The luma is uploaded from the arena, where tracking needs it anyway,
 * rather than the VideoFrame copied texture to texture (`chain.runExternal`): that copy of a camera
 * frame fails on software adapters, and it would move four bytes a pixel instead of one. Where the page is
 * cross-origin isolated (the demo server sends COOP/COEP), the memory is shared and Lucas-Kanade and
 * FAST are split across a worker pool. Without either, everything runs here on WASM.
 * `?gpu=off` and `?workers=0` turn either off. `?faces=1` adds BlazeFace (ts/demo/faces.ts, its own bundle). Exposes `window.__demo` (counters) for tests.
 * The page's context control (`#context`, or `?context=`) switches the scheduler's context live: the
 * level each task class gets (frame work, the face stage's 'vision', chat) and the level the face
 * stage's inferences then run at are shown.
 */
import { createFramekit, LEVEL_NAMES, Scheduler, WorkerPool, type Framekit, type PlaneLike } from '../browser.js';
import type { ChainOutput, KeypointChain } from '../backends/webgpu/keypoint-chain.js';
import { projectAxes } from '../track/annotate.js';
import { Tracker } from '../track/tracker.js';
import { startMelStrip, type MelStripState } from './mel-strip.js';
import type { FaceDetections } from '../models/blazeface/stage.js';
import type { DemoFaces } from './faces.js';

interface DemoState extends MelStripState {
  frames: number;
  keypoints: number;
  tracked: number;
  fps: number;
  backend: string;
  format: string;
  /** Where the refill corners were found in the last frame: 'webgpu' or 'wasm'. */
  features: string;
  /** The GPU adapter, or why there is none. */
  gpu: string;
  /** Worker threads tracking (0: this thread alone), and why not where there are none. */
  workers: number;
  workersNote: string;
  /** Frames with a pose (axes drawn). */
  poses: number;
  /** `?faces=1`: 'off', 'loading', the runtime once the model runs, or why it stopped. */
  faces: string;
  /** Inferences run, frames drawn with face boxes, frames not taken while the stage was busy. */
  faceRuns: number;
  faceFrames: number;
  faceSkipped: number;
  /** Centre of the first face drawn last, or null. */
  faceCentre: [number, number] | null;
  /** The scheduler's context, the level it gives each shown class, and face inferences completed per level. */
  context: string;
  levels: Record<string, string>;
  faceRunsByLevel: Record<string, number>;
  error: string | null;
}

const state: DemoState = {
  frames: 0,
  keypoints: 0,
  tracked: 0,
  fps: 0,
  backend: '',
  format: '',
  features: '',
  gpu: '',
  workers: 0,
  workersNote: '',
  poses: 0,
  faces: 'off',
  faceRuns: 0,
  faceFrames: 0,
  faceSkipped: 0,
  faceCentre: null,
  context: '',
  levels: {},
  faceRunsByLevel: {},
  error: null,
  audio: 'off',
  audioFrames: 0,
  melColumns: 0,
  speech: false,
  speechFrames: 0,
};
(globalThis as unknown as { __demo: DemoState }).__demo = state;

const canvas = document.getElementById('view') as HTMLCanvasElement;
const ctx = canvas.getContext('2d')!;
const status = document.getElementById('status')!;
const stats = document.getElementById('stats')!;

function show(rows: Array<[string, string]>): void {
  stats.innerHTML = rows.map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join('');
}

/** Puts a VideoFrame's luma into `gray`: the Y plane of 4:2:0 formats, or framekit's gray kernel for RGB(A). */
class Ingest {
  readonly #fk: Framekit;
  readonly #region: { ptr: number; size: number };
  readonly #rgba: PlaneLike;
  readonly gray: PlaneLike;
  /** The last VideoFrame's planes in the arena (what the face stage converts when it takes a frame). */
  readonly cam: { format: string; ptr: number; layout: ReadonlyArray<{ offset: number; stride: number }> };
  constructor(fk: Framekit, w: number, h: number) {
    this.#fk = fk;
    this.#region = fk.arena.alloc(w * h * 4);
    this.#rgba = { ptr: this.#region.ptr, width: w, height: h, stride: w * 4, format: 'rgba' };
    this.gray = fk.allocPlane(w, h, 'gray', { stride: w });
    this.cam = { format: '', ptr: this.#region.ptr, layout: [] };
  }
  async frame(vf: VideoFrame): Promise<void> {
    const fk = this.#fk;
    const dst = fk.heap.subarray(this.#region.ptr, this.#region.ptr + this.#region.size);
    const format = vf.format ?? 'unknown';
    state.format = format;
    const layout = await vf.copyTo(dst);
    this.cam.format = format;
    this.cam.layout = layout;
    const g = this.gray;
    if (format === 'I420' || format === 'I420A' || format === 'NV12') {
      const y = layout[0]!;
      for (let row = 0; row < g.height; row++)
        fk.heap.copyWithin(
          g.ptr + row * g.stride,
          this.#region.ptr + y.offset + row * y.stride,
          this.#region.ptr + y.offset + row * y.stride + g.width,
        );
    } else {
      const bgr = format.startsWith('BGR');
      fk.gray(g, { ...this.#rgba, stride: layout[0]!.stride, format: bgr ? 'bgra' : 'rgba' });
    }
  }
}

const AXIS_COLOURS = ['#ff3030', '#30ff30', '#3080ff'] as const;

/** Pose axes of the plane the first frame saw (x red, y green, z blue, towards the camera). */
function drawPose(tracker: Tracker, K: Float64Array, len: number): void {
  if (!tracker.result.hasPose) return;
  const [o, ...tips] = projectAxes(K, tracker.pose.R, tracker.pose.t, len);
  ctx.lineWidth = 3;
  AXIS_COLOURS.forEach((colour, i) => {
    ctx.strokeStyle = colour;
    ctx.beginPath();
    ctx.moveTo(o![0], o![1]);
    ctx.lineTo(tips[i]![0], tips[i]![1]);
    ctx.stroke();
  });
  ctx.lineWidth = 1;
  state.poses++;
}

/** Tracked points (green) and their motion since the previous frame (yellow). */
function drawTracks(tracker: Tracker): void {
  const f = tracker.flow;
  const p = tracker.previous;
  ctx.strokeStyle = '#ffdc00';
  ctx.beginPath();
  for (let i = 0; i < f.count; i++) {
    ctx.moveTo(p[2 * i]!, p[2 * i + 1]!);
    ctx.lineTo(f.prev[2 * i]!, f.prev[2 * i + 1]!);
  }
  ctx.stroke();
  ctx.fillStyle = '#00ff00';
  for (let i = 0; i < f.count; i++) ctx.fillRect(f.prev[2 * i]! - 1, f.prev[2 * i + 1]! - 1, 3, 3);
  state.tracked = tracker.result.tracked;
}

/** Face boxes (magenta) and their six landmarks (cyan) from the latest face result. */
function drawFaces(r: FaceDetections | null): void {
  if (!r?.faces.length) return;
  ctx.lineWidth = 3;
  ctx.strokeStyle = '#ff00c8';
  ctx.fillStyle = '#00e6ff';
  for (const f of r.faces) {
    ctx.strokeRect(f.x, f.y, f.width, f.height);
    for (const [x, y] of f.landmarks) ctx.fillRect(x - 3, y - 3, 7, 7);
  }
  ctx.lineWidth = 1;
  state.faceFrames++;
  const f = r.faces[0]!;
  state.faceCentre = [f.x + f.width / 2, f.y + f.height / 2];
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  const track = stream.getVideoTracks()[0]!;
  const s = track.getSettings();
  const w = s.width ?? 640;
  const h = s.height ?? 480;
  canvas.width = w;
  canvas.height = h;
  const isolated = globalThis.crossOriginIsolated === true;
  const fk = await createFramekit({
    maxWidth: w,
    maxHeight: h,
    frames: 2,
    scratchBytes: 8 << 20,
    shared: isolated,
    gpu: params.get('gpu') === 'off' ? 'off' : 'auto',
  });
  // The microphone as a mel strip, beside the video (shared memory needed: an isolated page only).
  if (isolated) {
    const strip = document.getElementById('mel') as HTMLCanvasElement;
    const lamp = document.getElementById('speech')!;
    startMelStrip(fk, strip, lamp, new URL('./capture-worklet.js', import.meta.url), state).catch((e: unknown) => {
      state.audio = `off: ${e instanceof Error ? e.message : String(e)}`;
    });
  } else state.audio = 'off: not cross-origin isolated';
  const info = fk.info();
  state.backend = info.backend;
  state.gpu = info.gpu ?? `none (${info.gpuFallback ?? 'off'})`;
  let pool: WorkerPool | undefined;
  const wanted = Number(params.get('workers') ?? 2);
  if (!isolated) state.workersNote = 'not cross-origin isolated: one thread';
  else if (wanted > 0) {
    pool = await WorkerPool.create(fk, { workers: wanted });
    state.workers = pool.workers;
    state.workersNote = pool.info().reason ?? '';
  } else state.workersNote = 'workers=0';
  const ingest = new Ingest(fk, w, h);
  // One scheduler for the page's tasks; the context control switches its context live (no predictive
  // promotion: each class runs at the level the context gives it, as the page shows).
  const scheduler = new Scheduler({ context: params.get('context') ?? 'default', predict: false });
  const select = document.getElementById('context') as HTMLSelectElement;
  select.value = scheduler.context;
  select.addEventListener('change', () => scheduler.setContext(select.value));
  let chain: KeypointChain | null = null;
  let corners: ChainOutput | null = null;
  if (fk.gpu?.alive) {
    chain = await fk.createKeypointChain({ width: w, height: h, format: 'gray', levels: 1, threshold: 20 });
    corners = chain.createOutput();
  }
  // A webcam's field of view is about 60 degrees across; the plane is the first frame's view, its
  // origin at the image centre.
  const f = w / (2 * Math.tan(Math.PI / 6));
  const K = Float64Array.of(f, 0, w / 2, 0, f, h / 2, 0, 0, 1);
  const tracker = new Tracker(fk, { width: w, height: h, intrinsics: K, initialPose: Float64Array.of(1, 0, w / 2, 0, 1, h / 2, 0, 0, 1) });
  // ?faces=1: the face stage and ONNX Runtime Web load from their own bundle, only when asked.
  let faces: DemoFaces | null = null;
  if (params.get('faces') === '1') {
    state.faces = 'loading';
    // A separate bundle (dist/demo/faces.js), named through a variable so the core bundle does not take it in.
    const bundle = './faces.js';
    faces = ((await import(bundle)) as typeof import('./faces.js')).DemoFaces.create(fk, w, h, scheduler);
  }
  status.textContent = '';
  const Processor = (
    globalThis as unknown as {
      MediaStreamTrackProcessor?: new (o: { track: MediaStreamTrack }) => { readable: ReadableStream<VideoFrame> };
    }
  ).MediaStreamTrackProcessor;
  if (!Processor) throw new Error('this browser has no MediaStreamTrackProcessor');
  const reader = new Processor({ track }).readable.getReader();
  let last = performance.now();
  for (;;) {
    const { value: vf, done } = await reader.read();
    if (done || !vf) break;
    let r;
    try {
      await ingest.frame(vf);
      // Converted to RGBA and pushed only when the stage is idle; nothing here waits for it.
      faces?.offer(ingest.cam);
      // The GPU gets the luma and finds corners while this thread builds the pyramid and tracks.
      const gpuCorners = chain && corners && chain.run(corners, ingest.gray);
      r = await tracker.processAsync(ingest.gray, { pool, keypoints: gpuCorners?.then((o) => o.keypoints) });
      state.features = corners && gpuCorners ? corners.where : 'wasm';
      if (chain?.fallbackReason) state.gpu = `lost: ${chain.fallbackReason}`;
      // The video and its overlays are drawn together, after the awaits, so no one sees one without the other.
      ctx.drawImage(vf, 0, 0);
    } finally {
      vf.close();
    }
    drawTracks(tracker);
    drawPose(tracker, K, Math.min(w, h) / 4);
    if (faces) {
      drawFaces(faces.latest);
      const st = faces.stage;
      state.faceRuns = st.stats.runs;
      state.faceSkipped = faces.skipped;
      state.faces = st.loadError
        ? `error: ${String((st.loadError as Error).message ?? st.loadError)}`
        : st.info
          ? 'onnxruntime-web (wasm)'
          : 'loading';
    }
    state.context = scheduler.context;
    for (const cls of ['frame', 'vision', 'chat']) state.levels[cls] = LEVEL_NAMES[scheduler.levelFor({ class: cls })]!;
    scheduler.stats.forEach((l, i) => (state.faceRunsByLevel[LEVEL_NAMES[i]!] = l.completed));
    const t = performance.now();
    state.fps = 0.9 * state.fps + 0.1 * (1000 / Math.max(1, t - last));
    last = t;
    state.frames++;
    state.keypoints = r.keypoints;
    show([
      ['backend', state.backend],
      ['GPU', state.gpu],
      ['corners on', state.features],
      ['workers', state.workers ? String(state.workers) : state.workersNote],
      ['frame format', state.format],
      ['fps', state.fps.toFixed(1)],
      ['keypoints', String(r.keypoints)],
      ['tracked', String(r.tracked)],
      ['inliers', String(r.inliers)],
      ['pose', r.hasPose ? 'yes' : 'no'],
      ['pyramid ms', r.ms.pyramid.toFixed(2)],
      ['flow ms', r.ms.flow.toFixed(2)],
      ['geometry ms', r.ms.geometry.toFixed(2)],
      ['features ms', r.ms.features.toFixed(2)],
      ['total ms', r.ms.total.toFixed(2)],
      ['frames', String(state.frames)],
      ['audio', state.audio],
      ['audio frames', String(state.audioFrames)],
      ['speech', state.speech ? 'yes' : 'no'],
      ['context', state.context],
      [
        'priorities',
        Object.entries(state.levels)
          .map(([c, l]) => `${c} ${l}`)
          .join(', '),
      ],
      ...(faces
        ? ([
            ['faces', state.faces],
            ['face runs', String(state.faceRuns)],
            ['faces in view', String(faces.latest?.faces.length ?? 0)],
            ['face ms', faces.stage.stats.lastMs.toFixed(1)],
            [
              'face runs by level',
              Object.entries(state.faceRunsByLevel)
                .filter(([, n]) => n > 0)
                .map(([l, n]) => `${l} ${n}`)
                .join(', '),
            ],
          ] as Array<[string, string]>)
        : []),
    ]);
  }
}

main().catch((e: unknown) => {
  state.error = String(e instanceof Error ? e.message : e);
  status.textContent =
    e instanceof DOMException && e.name === 'NotAllowedError'
      ? 'Camera permission was denied: allow the camera and reload.'
      : `Error: ${state.error}`;
});
