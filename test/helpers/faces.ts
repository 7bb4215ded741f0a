// Face test images and the reference detector: @vladmandic/human's BlazeFace through its node-wasm
// build (TensorFlow.js WASM backend), with the models shipped inside its npm package; no network.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { fixture } from './index.js';

export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** A face as a reference detector reports it: centre and size in pixels. */
export interface RefFace {
  cx: number;
  cy: number;
  size: number;
  score: number;
}

function blank(width: number, height: number, rgb = [0, 0, 0]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([rgb[0]!, rgb[1]!, rgb[2]!, 255], 4 * i);
  return { width, height, data };
}

/** Copies `src` into `dst` at (x, y), mirrored left-right when `mirror`. */
function paste(dst: RgbaImage, src: RgbaImage, x: number, y: number, mirror = false): void {
  for (let j = 0; j < src.height; j++) {
    for (let i = 0; i < src.width; i++) {
      const si = 4 * (j * src.width + (mirror ? src.width - 1 - i : i));
      dst.data.set(src.data.subarray(si, si + 4), 4 * ((y + j) * dst.width + x + i));
    }
  }
}

/** 2x2 mean downscale. */
function half(src: RgbaImage): RgbaImage {
  const w = src.width >> 1;
  const h = src.height >> 1;
  const out = blank(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 4; c++) {
        const at = (dx: number, dy: number) => src.data[4 * ((2 * y + dy) * src.width + 2 * x + dx) + c]!;
        out.data[4 * (y * w + x) + c] = (at(0, 0) + at(1, 0) + at(0, 1) + at(1, 1) + 2) >> 2;
      }
  return out;
}

/**
 * Photographs with faces (public domain / CC0 fixtures) and composites of them: the astronaut, the
 * cameraman, both side by side, four half-size astronauts (two mirrored), and a half-size astronaut
 * on the coffee photograph. Allocates: for tests.
 */
export async function faceImages(): Promise<Array<[string, RgbaImage]>> {
  const astro = await fixture('astronaut.png');
  const camera = await fixture('camera.png');
  const coffee = await fixture('coffee.png');
  const pair = blank(1024, 512);
  paste(pair, astro, 0, 0);
  paste(pair, camera, 512, 0);
  const small = half(astro);
  const four = blank(512, 512);
  paste(four, small, 0, 0);
  paste(four, small, 256, 0, true);
  paste(four, small, 0, 256, true);
  paste(four, small, 256, 256);
  const onCoffee: RgbaImage = { width: coffee.width, height: coffee.height, data: new Uint8Array(coffee.data) };
  paste(onCoffee, small, 300, 100);
  return [
    ['astronaut', astro],
    ['cameraman', camera],
    ['astronaut and cameraman', pair],
    ['four half-size astronauts', four],
    ['astronaut on coffee', onCoffee],
  ];
}

type HumanLike = {
  load(): Promise<void>;
  detect(input: unknown): Promise<{ face: Array<{ box: [number, number, number, number]; boxScore?: number; score: number }> }>;
  tf: { tensor(data: Int32Array, shape: number[], dtype: string): { dispose(): void } };
};
let human: Promise<HumanLike> | null = null;

/** Human (node-wasm build) with only its face detector on; models read from its npm package. */
export function loadHuman(): Promise<HumanLike> {
  human ??= (async () => {
    const require = createRequire(import.meta.url);
    // Its exports map lists the node-wasm build without "./", so it is reached by path.
    const dist = dirname(require.resolve('@vladmandic/human'));
    const { Human } = require(join(dist, 'human.node-wasm.js')) as { Human: new (config: object) => HumanLike };
    const tfWasm = dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    // Human fetches its model files; Node's fetch has no file: scheme, so those are read from disk here.
    const netFetch = globalThis.fetch;
    globalThis.fetch = (async (u: string | URL | Request, init?: RequestInit) => {
      const url = String((u as Request)?.url ?? u);
      if (url.startsWith('file:')) return new Response(readFileSync(fileURLToPath(url)));
      return netFetch(u, init);
    }) as typeof fetch;
    const h = new Human({
      backend: 'wasm',
      wasmPath: pathToFileURL(tfWasm).href + '/',
      modelBasePath: pathToFileURL(join(dist, '..', 'models')).href + '/',
      debug: false,
      face: {
        enabled: true,
        detector: { rotation: false, maxDetected: 20, minConfidence: 0.5, iouThreshold: 0.3, return: false },
        mesh: { enabled: false },
        iris: { enabled: false },
        description: { enabled: false },
        emotion: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
      filter: { enabled: false },
    });
    await h.load();
    return h;
  })();
  return human;
}

/** Faces Human's BlazeFace finds in an RGBA image. */
export async function humanFaces(img: RgbaImage): Promise<RefFace[]> {
  const h = await loadHuman();
  const rgb = new Int32Array(img.width * img.height * 3);
  for (let i = 0; i < img.width * img.height; i++) for (let c = 0; c < 3; c++) rgb[3 * i + c] = img.data[4 * i + c]!;
  const t = h.tf.tensor(rgb, [1, img.height, img.width, 3], 'int32');
  const r = await h.detect(t);
  t.dispose();
  return r.face.map((f) => ({ cx: f.box[0] + f.box[2] / 2, cy: f.box[1] + f.box[3] / 2, size: f.box[2], score: f.boxScore ?? f.score }));
}
