import { createFramekit, type Framekit, type Plane } from '../ts/index.js';
import { readImageFile } from '../ts/io/image.js';
import { invertAffine, invertPerspective } from '../ts/kernels/warp/matrix.js';
import { warpAffineReference, warpPerspectiveReference } from '../ts/kernels/warp/reference.js';
import { fixturePath } from './fixtures.js';
import { measure, tile, type BenchRow, type BenchSuite } from './harness.js';
import { loadOpenCV } from '../ts/cli/peers.js';

/** A camera turning and leaning over the picture: 8 degrees of rotation, 1.15x zoom, a little perspective (dst from src). */
function homography(w: number, h: number): number[] {
  const a = (8 * Math.PI) / 180;
  const [c, s] = [1.15 * Math.cos(a), 1.15 * Math.sin(a)];
  return [c, -s, w * 0.02, s, c, -h * 0.08, 0.06 / w, 0.04 / h, 1];
}

/** 8 degrees of rotation about the centre and 1.15x zoom (dst from src). */
function affine(w: number, h: number): number[] {
  const a = (8 * Math.PI) / 180;
  const [c, s] = [1.15 * Math.cos(a), 1.15 * Math.sin(a)];
  return [c, -s, w / 2 - c * (w / 2) + s * (h / 2), s, c, h / 2 - s * (w / 2) - c * (h / 2)];
}

interface Side {
  fk: Framekit;
  src: Record<'gray' | 'rgba', Plane>;
  dst: Record<'gray' | 'rgba', Plane>;
}

async function side(backend: 'wasm-scalar' | 'wasm-simd', w: number, h: number, gray: Uint8Array, rgba: Uint8Array): Promise<Side> {
  const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 4, backend });
  return {
    fk,
    src: { gray: fk.writePixels(fk.allocPlane(w, h, 'gray'), gray), rgba: fk.writePixels(fk.allocPlane(w, h, 'rgba'), rgba) },
    dst: { gray: fk.allocPlane(w, h, 'gray'), rgba: fk.allocPlane(w, h, 'rgba') },
  };
}

/**
 * warpPerspective and warpAffine (INTER_LINEAR, BORDER_CONSTANT) of the tiled photograph, gray and
 * RGBA, into a destination of the same size: the TypeScript reference, WASM scalar and SIMD, and
 * OpenCV.js cv.warpPerspective / cv.warpAffine into preallocated Mats (same output, byte for byte:
 * test/unit/warp.test.ts). OpenCV.js inverts the matrix on every call, framekit too.
 */
export const warpSuite: BenchSuite = {
  kernel: 'warp',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    if (!cv) o.log('warp: OpenCV.js is not installed; its rows are left out');
    const photo = await readImageFile(fixturePath('astronaut.png'));
    const luma = new Uint8Array(photo.width * photo.height);
    for (let i = 0; i < luma.length; i++) {
      const d = photo.data;
      luma[i] = (9798 * d[i * 4]! + 19235 * d[i * 4 + 1]! + 3735 * d[i * 4 + 2]! + 16384) >> 15;
    }
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const gray = tile(new Uint8Array(w * h), w, h, { width: photo.width, height: photo.height, data: luma }, 1);
      const rgba = tile(new Uint8Array(w * h * 4), w, h, { width: photo.width, height: photo.height, data: photo.data }, 4);
      const [scalar, simd] = [await side('wasm-scalar', w, h, gray, rgba), await side('wasm-simd', w, h, gray, rgba)];
      for (const format of ['gray', 'rgba'] as const) {
        const cn = format === 'gray' ? 1 : 4;
        const m = cv ? new cv.Mat(h, w, cn === 1 ? cv.CV_8UC1 : cv.CV_8UC4) : null;
        m?.data.set(format === 'gray' ? gray : rgba);
        const out = cv ? new cv.Mat(h, w, cn === 1 ? cv.CV_8UC1 : cv.CV_8UC4) : null;
        for (const kind of ['perspective', 'affine'] as const) {
          const M = kind === 'perspective' ? homography(w, h) : affine(w, h);
          const inv = new Float64Array(9);
          if (kind === 'perspective') invertPerspective(M, inv);
          else invertAffine(M, inv);
          const mm = cv ? cv.matFromArray(kind === 'perspective' ? 3 : 2, 3, cv.CV_64F, M) : null;
          const size = cv ? new cv.Size(w, h) : null;
          const zero = cv ? new cv.Scalar(0, 0, 0, 0) : null;
          const value = [0, 0, 0, 0];
          const heap = simd.fk.heap;
          const run = (s: Side) => () =>
            kind === 'perspective'
              ? s.fk.warpPerspective(s.dst[format], s.src[format], M)
              : s.fk.warpAffine(s.dst[format], s.src[format], M);
          rows.push(
            ...(await measure(
              `warp${kind === 'perspective' ? 'Perspective' : 'Affine'} ${format}`,
              w,
              h,
              [
                [
                  'reference',
                  kind === 'perspective'
                    ? () => warpPerspectiveReference(heap, simd.dst[format], simd.src[format], cn, inv, 'constant', value)
                    : () => warpAffineReference(heap, simd.dst[format], simd.src[format], cn, inv, 'constant', value),
                ],
                ['wasm-scalar', run(scalar)],
                ['wasm-simd', run(simd)],
                cv
                  ? [
                      'opencv.js',
                      kind === 'perspective'
                        ? () => cv.warpPerspective(m, out, mm, size, cv.INTER_LINEAR, cv.BORDER_CONSTANT, zero)
                        : () => cv.warpAffine(m, out, mm, size, cv.INTER_LINEAR, cv.BORDER_CONSTANT, zero),
                    ]
                  : undefined,
              ],
              o,
            )),
          );
          mm?.delete();
        }
        m?.delete();
        out?.delete();
      }
    }
    return rows;
  },
};
