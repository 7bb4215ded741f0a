import { createFramekit } from '../ts/index.js';
import { grayReference } from '../ts/kernels/gray/reference.js';
import { readImageFile } from '../ts/io/image.js';
import { measure, tile, type BenchRow, type BenchSuite } from './harness.js';
import { loadJsfeat, loadOpenCV } from '../ts/cli/peers.js';
import { fixturePath } from './fixtures.js';

/**
 * RGBA -> gray at each size: memcpy of the RGBA frame (the bandwidth floor), the TypeScript
 * reference, WASM scalar and SIMD, OpenCV.js cvtColor on preallocated Mats, jsfeat.grayscale.
 */
export const graySuite: BenchSuite = {
  kernel: 'gray',
  async run(o) {
    const photo = await readImageFile(fixturePath('astronaut.png'));
    const cv = (await loadOpenCV())?.cv;
    const jsfeat = loadJsfeat();
    if (!cv) o.log('gray: OpenCV.js not installed; its rows are left out');
    if (!jsfeat) o.log('gray: jsfeat not installed; its rows are left out');
    const rows: BenchRow[] = [];
    for (const [w, h] of o.sizes) {
      const rgbaBytes = tile(new Uint8Array(w * h * 4), w, h, photo, 4);
      const simd = await createFramekit({ maxWidth: w, maxHeight: h, frames: 2, backend: 'wasm-simd' });
      const scalar = await createFramekit({ maxWidth: w, maxHeight: h, frames: 2, backend: 'wasm-scalar' });
      const plane = (fk: typeof simd) => {
        const src = fk.writePixels(fk.allocPlane(w, h, 'rgba', { stride: w * 4 }), rgbaBytes);
        return { src, dst: fk.allocPlane(w, h, 'gray', { stride: w }), copy: fk.allocPlane(w, h, 'rgba', { stride: w * 4 }) };
      };
      const a = plane(simd);
      const b = plane(scalar);
      let cvTask: (() => void) | undefined;
      if (cv) {
        const src = new cv.Mat(h, w, cv.CV_8UC4);
        src.data.set(rgbaBytes);
        const dst = new cv.Mat(h, w, cv.CV_8UC1);
        cvTask = () => cv.cvtColor(src, dst, cv.COLOR_RGBA2GRAY);
      }
      let jsTask: (() => void) | undefined;
      if (jsfeat) {
        const dst = new jsfeat.matrix_t(w, h, jsfeat.U8_t | jsfeat.C1_t);
        jsTask = () => jsfeat.imgproc.grayscale(rgbaBytes, w, h, dst, jsfeat.COLOR_RGBA2GRAY);
      }
      const heap = simd.heap;
      const n = w * h * 4;
      rows.push(
        ...(await measure(
          'gray',
          w,
          h,
          [
            ['memcpy', () => heap.copyWithin(a.copy.ptr, a.src.ptr, a.src.ptr + n)],
            ['reference', () => grayReference(heap, a.dst, a.src)],
            ['wasm-scalar', () => scalar.gray(b.dst, b.src)],
            ['wasm-simd', () => simd.gray(a.dst, a.src)],
            cvTask && ['opencv.js', cvTask],
            jsTask && ['jsfeat', jsTask],
          ],
          o,
        )),
      );
    }
    return rows;
  },
};
