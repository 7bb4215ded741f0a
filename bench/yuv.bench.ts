import { createFramekit } from '../ts/index.js';
import { yuvReference } from '../ts/kernels/yuv/reference.js';
import { measure, type BenchRow, type BenchSuite } from './harness.js';
import { loadOpenCV } from '../ts/cli/peers.js';
import { tiledGray } from './features.bench.js';

/**
 * I420 and NV12 to RGBA: the tiled photograph as luma, a smooth synthetic chroma. The memcpy row
 * copies half of what the kernel moves (reads 1.5 w h, writes 4 w h: a copy of 2.75 w h). Peers:
 * OpenCV.js cvtColor COLOR_YUV2RGBA_I420 / _NV12 into a preallocated Mat (jsfeat has no YUV input).
 */
export const yuvSuite: BenchSuite = {
  kernel: 'yuv',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    const rows: BenchRow[] = [];
    for (const [w0, h0] of o.sizes) {
      const [w, h] = [w0 & ~1, h0 & ~1];
      const buf = new Uint8Array((w * h * 3) / 2);
      buf.set(await tiledGray(w, h));
      for (let i = w * h; i < buf.length; i++) buf[i] = 96 + ((i * 7) % 64);
      const nv12 = buf.slice();
      const q = (w * h) / 4;
      for (let i = 0; i < q; i++) {
        nv12[w * h + 2 * i] = buf[w * h + i]!;
        nv12[w * h + 2 * i + 1] = buf[w * h + q + i]!;
      }
      const set = async (backend: 'wasm-scalar' | 'wasm-simd') => {
        const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 3, backend });
        const y = fk.writePixels(fk.allocPlane(w, h, 'gray', { stride: w }), buf.subarray(0, w * h));
        const u = fk.writePixels(fk.allocPlane(w / 2, h / 2, 'gray', { stride: w / 2 }), buf.subarray(w * h, w * h + q));
        const v = fk.writePixels(fk.allocPlane(w / 2, h / 2, 'gray', { stride: w / 2 }), buf.subarray(w * h + q));
        const uv = fk.writePixels(fk.allocPlane(w, h / 2, 'gray', { stride: w }), nv12.subarray(w * h));
        const dst = fk.allocPlane(w, h, 'rgba', { stride: 4 * w });
        return { fk, y, u, v, uv, dst };
      };
      const c = await set('wasm-scalar');
      const s = await set('wasm-simd');
      const copy = s.fk.allocPlane(w, h, 'rgba', { stride: 4 * w });
      const n = Math.ceil(2.75 * w * h);
      const heap = s.fk.heap;
      const mi = cv ? new cv.Mat((h * 3) / 2, w, cv.CV_8UC1) : null;
      const mn = cv ? new cv.Mat((h * 3) / 2, w, cv.CV_8UC1) : null;
      mi?.data.set(buf);
      mn?.data.set(nv12);
      const out = cv ? new cv.Mat(h, w, cv.CV_8UC4) : null;
      for (const nv of [false, true]) {
        rows.push(
          ...(await measure(
            nv ? 'nv12->rgba' : 'i420->rgba',
            w,
            h,
            [
              ['memcpy', () => heap.copyWithin(copy.ptr, s.dst.ptr, s.dst.ptr + n)],
              [
                'reference',
                nv
                  ? () => yuvReference(heap, s.dst, s.y, s.uv.ptr, s.uv.stride, s.uv.ptr + 1, s.uv.stride, 2)
                  : () => yuvReference(heap, s.dst, s.y, s.u.ptr, s.u.stride, s.v.ptr, s.v.stride, 1),
              ],
              ['wasm-scalar', nv ? () => c.fk.nv12ToRgba(c.dst, c.y, c.uv) : () => c.fk.i420ToRgba(c.dst, c.y, c.u, c.v)],
              ['wasm-simd', nv ? () => s.fk.nv12ToRgba(s.dst, s.y, s.uv) : () => s.fk.i420ToRgba(s.dst, s.y, s.u, s.v)],
              cv
                ? [
                    'opencv.js',
                    nv ? () => cv.cvtColor(mn, out, cv.COLOR_YUV2RGBA_NV12) : () => cv.cvtColor(mi, out, cv.COLOR_YUV2RGBA_I420),
                  ]
                : undefined,
            ],
            o,
          )),
        );
      }
      for (const x of [mi, mn, out]) x?.delete();
    }
    return rows;
  },
};
