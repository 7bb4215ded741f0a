import { benchEnv, type BenchEnv, type BenchOptions, type BenchRow, type BenchSuite } from './harness.js';
import { graySuite } from './gray.bench.js';
import { blurSuite } from './blur.bench.js';
import { pyramidSuite } from './pyramid.bench.js';
import { gradientsSuite } from './gradients.bench.js';
import { integralSuite } from './integral.bench.js';
import { histogramSuite } from './histogram.bench.js';
import { yuvSuite } from './yuv.bench.js';
import { resizeSuite } from './resize.bench.js';
import { warpSuite } from './warp.bench.js';
import { targetsSuite } from './targets.bench.js';
import { steadyStateSuite } from './steady-state.bench.js';
import { schedulerSuite } from './scheduler.bench.js';
import { pipelineSuite } from './pipeline.bench.js';
import { workersSuite } from './workers.bench.js';
import { fastSuite, lkSuite, matchSuite, orbSuite } from './features.bench.js';
import { cornersSuite } from './corners.bench.js';
import { geometrySuite } from './geometry.bench.js';
import { webgpuSuite } from './webgpu.bench.js';
import { trackSuite } from './track.bench.js';
import { modelsSuite } from './models.bench.js';
import { audioSteadySuite, melSuite } from './audio.bench.js';
import { vadSteadySuite, vadSuite } from './vad.bench.js';
import { audioPipelineSuite } from './audio-pipeline.bench.js';
import { soakSuite } from './soak.js';

/** Every suite `framekit bench` runs, in order. */
export const SUITES: BenchSuite[] = [
  graySuite,
  blurSuite,
  pyramidSuite,
  gradientsSuite,
  integralSuite,
  histogramSuite,
  yuvSuite,
  resizeSuite,
  warpSuite,
  targetsSuite,
  fastSuite,
  cornersSuite,
  orbSuite,
  lkSuite,
  matchSuite,
  geometrySuite,
  webgpuSuite,
  steadyStateSuite,
  schedulerSuite,
  pipelineSuite,
  workersSuite,
  trackSuite,
  modelsSuite,
  melSuite,
  audioSteadySuite,
  vadSuite,
  vadSteadySuite,
  audioPipelineSuite,
  soakSuite,
  // Imported when asked for: it runs the fuzzers of test/fuzz, which a plain bench run does not need.
  {
    kernel: 'reliability',
    run: async (o) => (o.kernels.includes('reliability') ? (await import('./reliability.js')).reliabilitySuite.run(o) : []),
  },
];

export interface BenchReport {
  env: BenchEnv;
  results: BenchRow[];
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const env = benchEnv();
  const results: BenchRow[] = [];
  for (const s of SUITES) {
    if (o.kernels.length && !o.kernels.includes(s.kernel)) continue;
    results.push(...(await s.run(o)));
  }
  return { env, results };
}

/** Median of `impl` divided by median of `base` for one kernel and size, or null when either is missing. */
export function ratio(rows: BenchRow[], kernel: string, w: number, h: number, impl: string, base: string): number | null {
  const find = (i: string) => rows.find((r) => r.kernel === kernel && r.width === w && r.height === h && r.impl === i)?.medianMs;
  const a = find(impl);
  const b = find(base);
  return a !== undefined && b !== undefined && a > 0 ? b / a : null;
}
