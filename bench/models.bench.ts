import { createFramekit, Scheduler, type Framekit, type Plane } from '../ts/index.js';
import { readImageFile } from '../ts/io/image.js';
import { toTensorReference } from '../ts/kernels/tensor-prep/reference.js';
import { tensorGeometry } from '../ts/kernels/tensor-prep/tables.js';
import { ssdAnchors } from '../ts/models/blazeface/anchors.js';
import { DecodeScratch, decodeFaces } from '../ts/models/blazeface/decode.js';
import { FaceStage } from '../ts/models/blazeface/stage.js';
import { loadOrt } from '../ts/models/ort.js';
import { VAD_WINDOW, VadStage } from '../ts/models/silero/vad.js';
import { fixturePath } from './fixtures.js';
import { measure, tile, type BenchOptions, type BenchRow, type BenchSuite } from './harness.js';

/**
 * A plain JavaScript resize + normalise, what one writes without a kernel: bilinear (pixel centres
 * aligned, no letterbox) from an RGBA byte array into a preallocated Float32Array NHWC [-1, 1].
 */
function jsResizeNormalise(src: Uint8Array, sw: number, sh: number, out: Float32Array, S: number): void {
  for (let y = 0; y < S; y++) {
    const fy = Math.min(sh - 1, Math.max(0, (y + 0.5) * (sh / S) - 0.5));
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, sh - 1);
    const wy = fy - y0;
    for (let x = 0; x < S; x++) {
      const fx = Math.min(sw - 1, Math.max(0, (x + 0.5) * (sw / S) - 0.5));
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, sw - 1);
      const wx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const a = src[(y0 * sw + x0) * 4 + c]! * (1 - wx) + src[(y0 * sw + x1) * 4 + c]! * wx;
        const b = src[(y1 * sw + x0) * 4 + c]! * (1 - wx) + src[(y1 * sw + x1) * 4 + c]! * wx;
        out[(y * S + x) * 3 + c] = (a * (1 - wy) + b * wy) / 127.5 - 1;
      }
    }
  }
}

async function tiledRgba(w: number, h: number): Promise<Uint8Array> {
  const photo = await readImageFile(fixturePath('astronaut.png'));
  return tile(new Uint8Array(w * h * 4), w, h, photo, 4);
}

async function ortAvailable(which: 'node' | 'web'): Promise<boolean> {
  return loadOrt(which).then(
    () => true,
    () => false,
  );
}

async function prepRows(o: BenchOptions, w: number, h: number, rgba: Uint8Array): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const fks: Array<[string, Framekit, Plane]> = [];
  for (const backend of ['wasm-scalar', 'wasm-simd'] as const) {
    const fk = await createFramekit({ arenaBytes: w * h * 4 + (8 << 20), backend });
    fks.push([backend, fk, fk.writePixels(fk.allocPlane(w, h, 'rgba'), rgba)]);
  }
  for (const S of [128, 256]) {
    const targets = fks.map(([, fk]) => ({ ptr: fk.arena.alloc(S * S * 12).ptr, width: S, height: S }));
    const simd = fks[1]!;
    const g = tensorGeometry(w, h, S, S, 'letterbox');
    const refOut = new Float32Array(simd[1].memory.buffer, targets[1]!.ptr, S * S * 3);
    const jsOut = new Float32Array(S * S * 3);
    rows.push(
      ...(await measure(
        `blazeface prep ${S}`,
        w,
        h,
        [
          ['reference', () => toTensorReference(simd[1].heap, refOut, 0, simd[2], g, 1 / 127.5, -1)],
          ['js resize+normalise', () => jsResizeNormalise(rgba, w, h, jsOut, S)],
          ['wasm-scalar', () => fks[0]![1].toTensor(targets[0]!, fks[0]![2])],
          ['wasm-simd', () => simd[1].toTensor(targets[1]!, simd[2])],
        ],
        o,
      )),
    );
  }
  return rows;
}

/**
 * Model stages: the BlazeFace preprocessing kernel (SIMD, scalar, reference, plain JS) from the
 * tiled photograph at each size; inference and decoding per frame with each ONNX Runtime package
 * installed; the whole stage (`detect()`: kernel + inference + decoding) at 1920x1080; Silero VAD
 * over 1.024 s of audio, with its real-time factor.
 */
export const modelsSuite: BenchSuite = {
  kernel: 'models',
  async run(o) {
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) rows.push(...(await prepRows(o, w, h, await tiledRgba(w, h))));
    const runtimes: Array<'node' | 'web'> = [];
    for (const k of ['node', 'web'] as const) if (await ortAvailable(k)) runtimes.push(k);
    if (!runtimes.length) {
      o.log('models: ONNX Runtime is not installed; inference rows skipped');
      return rows;
    }
    const [W, H] = [1920, 1080];
    const rgba = await tiledRgba(W, H);
    const fk = await createFramekit({ arenaBytes: W * H * 4 + (8 << 20), backend: 'wasm-simd' });
    const frame = fk.writePixels(fk.allocPlane(W, H, 'rgba'), rgba);
    for (const variant of ['front', 'back'] as const) {
      for (const k of runtimes) {
        const stage = new FaceStage(fk, { scheduler: new Scheduler({ host: 'manual' }), variant, ort: k });
        await stage.detect(frame);
        const S = stage.inputSize;
        const ort = (await loadOrt(k)).ort;
        const session = stage.model.session;
        const input = new ort.Tensor('float32', stage.inputData, [1, S, S, 3]);
        rows.push(
          ...(await measure(`blazeface ${variant} inference`, S, S, [[`onnxruntime-${k}`, () => session.run({ 'input:0': input })]], o)),
        );
        rows.push(...(await measure(`blazeface ${variant} stage`, W, H, [[`onnxruntime-${k}`, () => stage.detect(frame)]], o)));
        await stage.dispose();
      }
      // Decoding alone, on the outputs of one real frame.
      const stage = new FaceStage(fk, { scheduler: new Scheduler({ host: 'manual' }), variant, ort: runtimes[0] });
      await stage.detect(frame);
      const S = stage.inputSize;
      const ort = (await loadOrt(runtimes[0]!)).ort;
      const res = await stage.model.session.run({ 'input:0': new ort.Tensor('float32', stage.inputData, [1, S, S, 3]) });
      const [sa, sb, ra, rb] = ['Identity:0', 'Identity_1:0', 'Identity_2:0', 'Identity_3:0'].map((n) => res[n]!.data as Float32Array);
      const anchors = ssdAnchors(S, variant === 'front' ? [8, 16, 16, 16] : [16, 32, 32, 32]);
      const scratch = new DecodeScratch(896);
      rows.push(
        ...(await measure(
          `blazeface ${variant} decode`,
          S,
          S,
          [['typescript', () => decodeFaces(anchors, sa!, sb!, ra!, rb!, { minScore: 0.5, iou: 0.3, inputSize: S }, scratch)]],
          o,
        )),
      );
      await stage.dispose();
    }
    // Silero VAD through the stage (scheduler tasks, queue, model, hysteresis): 32 windows (1.024 s
    // of audio) pushed at once, timed until all are processed; real-time factor = that / 1024 ms.
    const clip = new Float32Array(32 * VAD_WINDOW);
    for (let i = 0; i < clip.length; i++) clip[i] = Math.sin(i * 0.07) * 0.1 + ((i * 7919) % 13) / 130 - 0.05;
    for (const k of runtimes) {
      const vad = new VadStage({ scheduler: new Scheduler(), ort: k, queue: 64 });
      const second = async () => {
        for (let w = 0; w < 32; w++) vad.push(clip.subarray(w * VAD_WINDOW, (w + 1) * VAD_WINDOW));
        await vad.idle();
      };
      await second();
      const r = await measure('silero vad 1.024 s', 16384, 1, [[`onnxruntime-${k}`, second]], o);
      for (const row of r) row.rtf = row.medianMs! / 1024;
      rows.push(...r);
      await vad.dispose();
    }
    return rows;
  },
};
