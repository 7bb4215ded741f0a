import { createFramekit } from '../ts/index.js';
import type { BenchRow, BenchSuite } from './harness.js';
import { loadOpenCV } from '../ts/cli/peers.js';
import { tiledGray } from './features.bench.js';

/**
 * The issue's speed targets, measured interleaved: each round times WASM SIMD, OpenCV.js and a
 * memcpy of the bytes the kernel moves once each, in turn, so a busy machine slows all three alike
 * (the per-kernel suites time one implementation after another, which a shared machine skews).
 * Rows carry `ratioOpencv` (OpenCV.js / SIMD) and `ratioMemcpy` (SIMD / memcpy). Targets at 1080p:
 * Gaussian 5x5 >= 4x, Sobel dx+dy >= 5x, pyrDown >= 3x OpenCV.js; memory-bound kernels within 2x of
 * memcpy. The memcpy copies half the bytes the kernel reads and writes, so that it moves (reads plus
 * writes) as many bytes as the kernel: the strict reading of the target. The memory-bound rows also
 * time `memcpy-all`, a memcpy of as many bytes as the kernel reads and writes together (it moves
 * twice that), and carry `ratioMemcpyAll` (SIMD / memcpy-all): the other reading of the target.
 * Each group is timed twice. `interleaved`: the implementations take turns, each finding in the
 * caches what the one before it left. `cold`: every timed call starts after the same 64 MiB sweep
 * (twice the L3 of the machines measured here), so every implementation reads its input from
 * memory, whatever ran before it: the state the memory-bound targets are about.
 * Rounds scale with --time (one round per 10 ms, at least 15).
 */
export const targetsSuite: BenchSuite = {
  kernel: 'targets',
  async run(o) {
    const cv = (await loadOpenCV())?.cv;
    if (!cv) {
      o.log('targets: OpenCV.js not installed; suite skipped');
      return [];
    }
    const rows: BenchRow[] = [];
    const sweep = new Uint8Array(64 << 20);
    const rounds = Math.max(15, Math.round(o.timeMs / 10));
    for (const [w, h] of o.sizes) {
      const bytes = await tiledGray(w, h);
      const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 8, backend: 'wasm-simd' });
      const src = fk.writePixels(fk.allocPlane(w, h, 'gray', { stride: w }), bytes);
      const [hw, hh] = [(w + 1) >> 1, (h + 1) >> 1];
      const g = fk.allocPlane(w, h, 'gray', { stride: w });
      const half = fk.allocPlane(hw, hh, 'gray', { stride: hw });
      const [dx, dy, mag] = [0, 1, 2].map(() => fk.allocPlane(w, h, 'i16', { stride: 2 * w }));
      const [a, b] = [0, 1].map(() => fk.allocPlane(6 * w, h, 'gray', { stride: 6 * w }));
      const sum = fk.allocPlane(w + 1, h + 1, 'i32', { stride: 4 * (w + 1) });
      const m = new cv.Mat(h, w, cv.CV_8UC1);
      m.data.set(bytes);
      const mats = {
        o: new cv.Mat(h, w, cv.CV_8UC1),
        oh: new cv.Mat(hh, hw, cv.CV_8UC1),
        gx: new cv.Mat(h, w, cv.CV_16S),
        gy: new cv.Mat(h, w, cv.CV_16S),
        cs: new cv.Mat(h + 1, w + 1, cv.CV_32S),
      };
      const [k5, hs] = [new cv.Size(5, 5), new cv.Size(hw, hh)];
      const copy = (n: number) => () => fk.heap.copyWithin(b!.ptr, a!.ptr, a!.ptr + Math.ceil(n));
      const groups: Array<[string, Record<string, () => unknown>]> = [
        [
          'gaussian5x5',
          {
            'wasm-simd': () => fk.gaussianBlur(g, src, 5),
            'opencv.js': () => cv.GaussianBlur(m, mats.o, k5, 0, 0, cv.BORDER_DEFAULT),
            memcpy: copy(w * h),
          },
        ],
        [
          'sobel3 dx+dy',
          {
            'wasm-simd': () => (fk.sobel(dx!, src, 1, 0, 3), fk.sobel(dy!, src, 0, 1, 3)),
            'opencv.js': () => (cv.Sobel(m, mats.gx, cv.CV_16S, 1, 0, 3), cv.Sobel(m, mats.gy, cv.CV_16S, 0, 1, 3)),
            memcpy: copy(3 * w * h),
          },
        ],
        [
          'pyrdown',
          { 'wasm-simd': () => fk.pyrDown(half, src), 'opencv.js': () => cv.pyrDown(m, mats.oh), memcpy: copy((w * h + hw * hh) / 2) },
        ],
        [
          'threshold',
          {
            'wasm-simd': () => fk.threshold(g, src, 127),
            'opencv.js': () => cv.threshold(m, mats.o, 127, 255, cv.THRESH_BINARY),
            memcpy: copy(w * h),
            'memcpy-all': copy(2 * w * h),
          },
        ],
        [
          'magnitude l1',
          { 'wasm-simd': () => fk.gradientMagnitude(mag!, dx!, dy!), memcpy: copy(3 * w * h), 'memcpy-all': copy(6 * w * h) },
        ],
        [
          'integral',
          {
            'wasm-simd': () => fk.integral(sum, src),
            'opencv.js': () => cv.integral(m, mats.cs, cv.CV_32S),
            memcpy: copy(2.5 * w * h),
            'memcpy-all': copy(5 * w * h),
          },
        ],
        [
          'resize area 1/2',
          {
            'wasm-simd': () => fk.resize(half, src, 'area'),
            'opencv.js': () => cv.resize(m, mats.oh, hs, 0, 0, cv.INTER_AREA),
            memcpy: copy((w * h + hw * hh) / 2),
            'memcpy-all': copy(w * h + hw * hh),
          },
        ],
      ];
      for (const [name, tasks] of groups) {
        for (const mode of ['interleaved', 'cold'] as const) {
          // The interleaved pass keeps its three implementations (an extra task between them
          // changes what each finds in the caches); the cold pass times every task, memcpy-all too.
          const picked = Object.entries(tasks).filter(([impl]) => mode === 'cold' || impl !== 'memcpy-all');
          const times: Record<string, number[]> = {};
          for (const [impl, f] of picked) {
            times[impl] = [];
            for (let i = 0; i < 3; i++) f();
          }
          for (let r = 0; r < rounds; r++) {
            for (const [impl, f] of picked) {
              if (mode === 'cold') sweep.fill(r & 255);
              const t0 = performance.now();
              f();
              times[impl]!.push(performance.now() - t0);
            }
          }
          const med = (v: number[]) => v.sort((x, y) => x - y)[v.length >> 1]!;
          const simd = med(times['wasm-simd']!);
          const memcpy = med(times.memcpy!);
          const ocv = times['opencv.js'] ? med(times['opencv.js']) : undefined;
          const all = times['memcpy-all'] ? med(times['memcpy-all']) : undefined;
          const kernel = `${name} (${mode})`;
          for (const [impl, v] of Object.entries(times))
            rows.push({ kernel, impl, width: w, height: h, medianMs: med(v), samples: v.length });
          rows.push({
            kernel,
            impl: 'ratios',
            width: w,
            height: h,
            ratioOpencv: ocv ? ocv / simd : null,
            ratioMemcpy: simd / memcpy,
            ...(all ? { ratioMemcpyAll: simd / all } : {}),
          });
          o.log(
            `${name.padEnd(16)} ${mode.padEnd(11)} ${`${w}x${h}`.padEnd(10)} simd ${simd.toFixed(3)} ms  opencv.js/simd ${ocv ? (ocv / simd).toFixed(2) + 'x' : '-'}  simd/memcpy ${(simd / memcpy).toFixed(2)}x${all ? `  simd/memcpy-all ${(simd / all).toFixed(2)}x` : ''}`,
          );
        }
      }
      for (const x of [m, ...Object.values(mats)]) x.delete();
    }
    return rows;
  },
};
