import { FramekitError } from '../../errors.js';
import { createFramekit, Scheduler, type Framekit } from '../../index.js';
import { Plane } from '../../image/plane.js';
import { readImageFile, type DecodedImage } from '../../io/image.js';
import { i420Bytes, openVideo } from '../../io/video.js';
import type { FitMode } from '../../kernels/tensor-prep/tables.js';
import { FaceStage, type BlazeFaceVariant, type FaceDetections } from '../../models/blazeface/stage.js';
import type { Face } from '../../models/blazeface/decode.js';
import { backendOf, requireArg, sharedForFileReads } from '../common.js';
import type { Command, Values } from '../command.js';

const IMAGE = /\.(png|jpe?g|pgm|ppm)$/i;

/** RGB or gray pixels to RGBA (allocates: the CLI's one conversion per image). */
function toRgba(img: DecodedImage): Uint8Array {
  if (img.format === 'rgba') return img.data;
  const n = img.width * img.height;
  const out = new Uint8Array(4 * n);
  const ch = img.format === 'rgb' ? 3 : 1;
  for (let i = 0; i < n; i++) {
    const p = i * ch;
    out[4 * i] = img.data[p]!;
    out[4 * i + 1] = img.data[ch === 3 ? p + 1 : p]!;
    out[4 * i + 2] = img.data[ch === 3 ? p + 2 : p]!;
    out[4 * i + 3] = 255;
  }
  return out;
}

const r2 = (v: number) => Math.round(v * 100) / 100;

function faceJson(f: Face) {
  return {
    x: r2(f.x),
    y: r2(f.y),
    width: r2(f.width),
    height: r2(f.height),
    score: Math.round(f.score * 1e4) / 1e4,
    landmarks: f.landmarks.map(([x, y]) => [r2(x), r2(y)]),
  };
}

function stageOf(fk: Framekit, values: Values): FaceStage {
  const variant = String(values.variant) as BlazeFaceVariant;
  if (variant !== 'front' && variant !== 'back') throw new FramekitError('E_ARGUMENT', `--variant must be front or back, got ${variant}`);
  const minScore = Number(values['min-score']);
  const fit = String(values.fit) as FitMode;
  if (fit !== 'letterbox' && fit !== 'stretch') throw new FramekitError('E_ARGUMENT', `--fit must be letterbox or stretch, got ${fit}`);
  const model = typeof values.model === 'string' ? values.model : undefined;
  // The CLI calls detect() frame after frame; the scheduler is the stage's, unused here.
  return new FaceStage(fk, { scheduler: new Scheduler({ host: 'manual' }), variant, minScore, fit, model });
}

function summary(r: FaceDetections): string {
  const lines = r.faces.map(
    (f) => `  face at ${f.x.toFixed(1)},${f.y.toFixed(1)} size ${f.width.toFixed(1)}x${f.height.toFixed(1)} score ${f.score.toFixed(3)}`,
  );
  return `${r.faces.length} face${r.faces.length === 1 ? '' : 's'} in ${r.width}x${r.height} (${r.ms.toFixed(1)} ms)\n${lines.join('\n')}${lines.length ? '\n' : ''}`;
}

export const faces: Command = {
  name: 'faces',
  usage:
    'framekit faces IMAGE|VIDEO [--json] [--variant front|back] [--min-score S] [--fit letterbox|stretch] [--frames N] [--model FILE.onnx]',
  summary: 'BlazeFace face detection (ONNX Runtime) on an image, or on every frame of a video',
  options: {
    json: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    variant: { type: 'string', default: 'front' },
    'min-score': { type: 'string', default: '0.5' },
    fit: { type: 'string', default: 'letterbox' },
    frames: { type: 'string' },
    model: { type: 'string' },
  },
  async run(p, values, out) {
    const input = requireArg(p[0], 'input image or video (framekit faces IN)');
    if (IMAGE.test(input)) {
      const img = await readImageFile(input);
      const fk = await createFramekit({ arenaBytes: img.width * img.height * 4 + (4 << 20), backend: backendOf(values) });
      const plane = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), toRgba(img));
      const stage = stageOf(fk, values);
      const r = await stage.detect(plane);
      out.stdout(values.json ? JSON.stringify({ width: r.width, height: r.height, faces: r.faces.map(faceJson) }) + '\n' : summary(r));
      return;
    }
    const limit = values.frames === undefined ? Infinity : Number(values.frames);
    if (!(limit >= 1)) throw new FramekitError('E_ARGUMENT', `--frames must be a positive integer, got ${String(values.frames)}`);
    const video = await openVideo(input);
    try {
      const { width, height } = video.info;
      if (width % 2 || height % 2)
        throw new FramekitError('E_DIMENSION', `video frames must have even sizes for I420, got ${width}x${height}`);
      const bytes = i420Bytes(width, height);
      const fk = await createFramekit({
        arenaBytes: bytes + width * height * 4 + (4 << 20),
        backend: backendOf(values),
        shared: sharedForFileReads,
      });
      // One I420 frame region (Y, U, V planes back to back) and one RGBA plane, reused for every frame.
      const yuv = fk.arena.alloc(bytes, 'I420 frame');
      const y = new Plane(fk.heap, yuv.ptr, width, height, width, 'gray');
      const u = new Plane(fk.heap, yuv.ptr + width * height, width >> 1, height >> 1, width >> 1, 'gray');
      const v = new Plane(fk.heap, u.ptr + (width >> 1) * (height >> 1), width >> 1, height >> 1, width >> 1, 'gray');
      const rgba = fk.allocPlane(width, height, 'rgba');
      const frameBytes = fk.heap.subarray(yuv.ptr, yuv.ptr + bytes);
      const stage = stageOf(fk, values);
      let n = 0;
      let found = 0;
      let ms = 0;
      while (n < limit && (await video.readFrame(frameBytes))) {
        fk.i420ToRgba(rgba, y, u, v);
        const r = await stage.detect(rgba);
        found += r.faces.length;
        ms += r.ms;
        if (values.json) out.stdout(JSON.stringify({ frame: n, faces: r.faces.map(faceJson) }) + '\n');
        else out.stdout(`frame ${n}: ${summary(r)}`);
        n++;
      }
      out.stderr(`${n} frames, ${found} faces, ${(ms / Math.max(1, n)).toFixed(1)} ms per frame (${stage.info?.runtime ?? 'no model'})\n`);
    } finally {
      await video.close();
    }
  },
};
