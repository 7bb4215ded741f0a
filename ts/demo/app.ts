/**
 * The live demo: camera -> VideoFrame -> framekit -> overlays. Each VideoFrame is copied once into
 * the shared memory (`copyTo`); for the 4:2:0 formats cameras deliver, its Y plane is the gray plane
 * the tracker reads, so no colour conversion runs. Exposes `window.__demo` (counters) for tests.
 */
import { createFramekit, type Framekit, type PlaneLike } from '../browser.js';
import { Tracker } from '../track/tracker.js';

interface DemoState {
  frames: number;
  keypoints: number;
  tracked: number;
  fps: number;
  backend: string;
  format: string;
  error: string | null;
}

const state: DemoState = { frames: 0, keypoints: 0, tracked: 0, fps: 0, backend: '', format: '', error: null };
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
  constructor(fk: Framekit, w: number, h: number) {
    this.#fk = fk;
    this.#region = fk.arena.alloc(w * h * 4);
    this.#rgba = { ptr: this.#region.ptr, width: w, height: h, stride: w * 4, format: 'rgba' };
    this.gray = fk.allocPlane(w, h, 'gray', { stride: w });
  }
  async frame(vf: VideoFrame): Promise<void> {
    const fk = this.#fk;
    const dst = fk.heap.subarray(this.#region.ptr, this.#region.ptr + this.#region.size);
    const format = vf.format ?? 'unknown';
    state.format = format;
    const layout = await vf.copyTo(dst);
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

async function main(): Promise<void> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: false });
  const track = stream.getVideoTracks()[0]!;
  const s = track.getSettings();
  const w = s.width ?? 640;
  const h = s.height ?? 480;
  canvas.width = w;
  canvas.height = h;
  const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 2, scratchBytes: 8 << 20 });
  state.backend = fk.info().backend;
  const ingest = new Ingest(fk, w, h);
  const tracker = new Tracker(fk, { width: w, height: h });
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
    try {
      await ingest.frame(vf);
      ctx.drawImage(vf, 0, 0);
    } finally {
      vf.close();
    }
    const r = tracker.process(ingest.gray);
    drawTracks(tracker);
    const t = performance.now();
    state.fps = 0.9 * state.fps + 0.1 * (1000 / Math.max(1, t - last));
    last = t;
    state.frames++;
    state.keypoints = r.keypoints;
    show([
      ['backend', state.backend],
      ['frame format', state.format],
      ['fps', state.fps.toFixed(1)],
      ['keypoints', String(r.keypoints)],
      ['tracked', String(r.tracked)],
      ['inliers', String(r.inliers)],
      ['pyramid ms', r.ms.pyramid.toFixed(2)],
      ['flow ms', r.ms.flow.toFixed(2)],
      ['geometry ms', r.ms.geometry.toFixed(2)],
      ['features ms', r.ms.features.toFixed(2)],
      ['total ms', r.ms.total.toFixed(2)],
      ['frames', String(state.frames)],
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
