/**
 * README's "How fast" figures, written from committed JSON only: `npm run bench:readme` rewrites the
 * part of README.md between the two `bench:readme` markers, and test/unit/readme.test.ts fails when
 * README differs from what this produces. The JSON comes from `bash bench/readme-run.sh`
 * (`framekit bench --json` under Node and Bun in one session, then `framekit track --json` on the
 * embedded default and on a clip) and, for the GPU line, from `node bench/webgpu-device.mjs`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchEnv, BenchRow } from './harness.js';

export const BEGIN = '<!-- bench:readme begin (written by `npm run bench:readme` from JSON in bench/results: do not edit) -->';
export const END = '<!-- bench:readme end -->';

const root = fileURLToPath(new URL('../', import.meta.url));
const RUNTIMES = ['node', 'bun'] as const;
type Runtime = (typeof RUNTIMES)[number];

interface Report {
  env: BenchEnv;
  results: BenchRow[];
}

/** The summary line `framekit track --json` prints last. */
interface TrackSummary {
  summary: {
    source: string;
    width: number;
    height: number;
    frames: number;
    fps: number;
    pipelineFps: number;
    backend: string;
    relocalized: number;
  };
  /** bench/readme-run.sh with READMEBENCH_TRACK_ROUNDS: every run's figures (the summary is the median run's). */
  runs?: { fps: number; pipelineFps: number }[];
}

/** Every file the section is written from, relative to the repository. */
export const SOURCES = {
  bench: (rt: Runtime) => `bench/results/readme-bench-${rt}.json`,
  track: (input: 'default' | 'clip', rt: Runtime) => `bench/results/readme-track-${input}-${rt}.json`,
  gpu: 'bench/results/webgpu-nvidia-h200-run2.json',
  /** An earlier `framekit bench --json --kernel targets` run, quoted for how much the single-call rows move. */
  earlierTargets: (rt: Runtime) => `bench/results/targets-epyc-2core-${rt}.json`,
};

function readJson<T>(rel: string): T {
  return JSON.parse(readFileSync(resolve(root, rel), 'utf8')) as T;
}

/** The rows of README's kernel table: label, bench kernel name, size. */
const KERNELS: Array<[label: string, kernel: string]> = [
  ['Gaussian blur 5x5', 'gaussian5x5 (interleaved)'],
  ['Sobel 3x3, dx and dy', 'sobel3 dx+dy (interleaved)'],
  ['pyrDown', 'pyrdown (interleaved)'],
  ['FAST-9, threshold 20, non-maximum suppression', 'fast'],
  ['ORB, 500 features (keypoints and descriptors)', 'orb'],
  ['pyramidal Lucas-Kanade, 1000 points, 21x21, 3 levels, both pyramids built', 'lk'],
  ['goodFeaturesToTrack, 1000 corners', 'good-features'],
];

function median(r: Report, kernel: string, impl: string, w: number, h: number): number {
  const row = r.results.find((x) => x.kernel === kernel && x.impl === impl && x.width === w && x.height === h);
  if (typeof row?.medianMs !== 'number') throw new Error(`${r.env.runtime} bench JSON has no ${kernel} ${impl} ${w}x${h} row`);
  return row.medianMs;
}

function trackFps(r: Report, w: number, h: number): number {
  const row = r.results.find((x) => x.kernel === 'track' && x.impl === 'wasm-simd' && x.width === w && x.height === h);
  if (typeof row?.fps !== 'number') throw new Error(`${r.env.runtime} bench JSON has no track wasm-simd ${w}x${h} row`);
  return row.fps;
}

const ms = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));
const day = (iso: string) => iso.slice(0, 10);

/** The Markdown between the markers, from the committed JSON. */
export function renderHowFast(): string {
  const bench = Object.fromEntries(RUNTIMES.map((rt) => [rt, readJson<Report>(SOURCES.bench(rt))])) as Record<Runtime, Report>;
  const track = (input: 'default' | 'clip', rt: Runtime) => readJson<TrackSummary>(SOURCES.track(input, rt)).summary;
  const trackRuns = (input: 'default' | 'clip', rt: Runtime) => readJson<TrackSummary>(SOURCES.track(input, rt)).runs ?? [];
  const gpu = readJson<Report & { adapter: string }>(SOURCES.gpu);
  const [n, b] = [bench.node.env, bench.bun.env];
  const out: string[] = [];
  out.push(
    `Measured with \`bash bench/readme-run.sh\` on ${day(n.date)}: \`framekit bench --json\` once under Node ${n.version} and once`,
    `under Bun ${b.version}, on ${n.cpu} (${n.cores} cores of a virtual machine: medians drift between runs, so every`,
    `ratio below is from one run in which the implementations take turns). Raw rows: [${SOURCES.bench('node')}](${SOURCES.bench('node')}),`,
    `[${SOURCES.bench('bun')}](${SOURCES.bench('bun')}).`,
    '',
    `Each figure is OpenCV.js's median time over framekit's WASM SIMD median on the same 1920x1080 tiled`,
    `photograph (in brackets: framekit ms vs OpenCV.js ms). The baseline is OpenCV.js 4.12 as npm ships it`,
    `(\`@techstark/opencv-js\`): a single-threaded WebAssembly build without SIMD instructions. framekit's`,
    `figures are one thread with WASM SIMD; the blur, Sobel and pyrDown rows time single calls in turns.`,
    '',
    '| kernel, 1920x1080 | Node | Bun |',
    '|---|---|---|',
  );
  for (const [label, kernel] of KERNELS) {
    const cells = RUNTIMES.map((rt) => {
      const simd = median(bench[rt], kernel, 'wasm-simd', 1920, 1080);
      const cv = median(bench[rt], kernel, 'opencv.js', 1920, 1080);
      return `${(cv / simd).toFixed(1)}x faster (${ms(simd)} vs ${ms(cv)} ms)`;
    });
    out.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  const earlier = Object.fromEntries(RUNTIMES.map((rt) => [rt, readJson<Report>(SOURCES.earlierTargets(rt))])) as Record<Runtime, Report>;
  const single = KERNELS.filter(([, k]) => k.endsWith('(interleaved)')).map(([label, kernel]) => {
    const r = RUNTIMES.map((rt) => {
      const x = median(earlier[rt], kernel, 'opencv.js', 1920, 1080) / median(earlier[rt], kernel, 'wasm-simd', 1920, 1080);
      return `${rt === 'node' ? 'Node' : 'Bun'} ${x.toFixed(1)}x`;
    });
    return `${label} ${r.join(', ')}`;
  });
  out.push(
    '',
    'The single-call rows move most from run to run on this shared machine; an earlier run of the same',
    `rows on ${day(earlier.node.env.date)} ([${SOURCES.earlierTargets('node')}](${SOURCES.earlierTargets('node')}), \`-bun.json\`) gave`,
    `${single.join('; ')}.`,
  );
  const fps = (v: number) => `${v.toFixed(1)} fps`;
  const td = RUNTIMES.map((rt) => track('default', rt));
  const tc = RUNTIMES.map((rt) => track('clip', rt));
  const c = tc[0]!;
  out.push(
    '',
    'The tracker (pyramid, Lucas-Kanade on 500 points, RANSAC homography, pose, FAST refill, ORB keyframes',
    'for relocalization), one thread, WASM SIMD. The `track` row of the same bench runs is the median',
    'frame rate of the pipeline alone over a synthetic pan of a photograph (frames rendered before',
    'timing). `framekit track` itself reports the mean over every frame, keyframes included, of the',
    'pipeline alone, and frames per second end to end, the source included; saved from `framekit track',
    `--json\` in [bench/results/readme-track-*.json](bench/results/). The clip is ${c.width}x${c.height}, ${c.frames} frames of H.264`,
    'that the run script makes with ffmpeg (a pan over `test/fixtures/hubble_deep_field.jpg`), decoded by ffmpeg.',
    '',
    '| tracker | Node | Bun |',
    '|---|---|---|',
    `| \`framekit bench\` track row, 1280x720: median | ${RUNTIMES.map((rt) => fps(trackFps(bench[rt], 1280, 720))).join(' | ')} |`,
    `| \`framekit bench\` track row, 1920x1080: median | ${RUNTIMES.map((rt) => fps(trackFps(bench[rt], 1920, 1080))).join(' | ')} |`,
    `| \`framekit track\`, embedded default (${td[0]!.width}x${td[0]!.height}, ${td[0]!.frames} frames): pipeline mean | ${td.map((s) => fps(s.pipelineFps)).join(' | ')} |`,
    `| the same, end to end (the source renders each next frame with warpPerspective on a worker thread while the current one is tracked) | ${td.map((s) => fps(s.fps)).join(' | ')} |`,
    `| the same, end to end / pipeline mean | ${td.map((s) => (s.fps / s.pipelineFps).toFixed(2)).join(' | ')} |`,
    `| \`framekit track\`, H.264 clip (${c.width}x${c.height}, ${c.frames} frames): pipeline mean | ${tc.map((s) => fps(s.pipelineFps)).join(' | ')} |`,
    `| the same, end to end (ffmpeg decoding included) | ${tc.map((s) => fps(s.fps)).join(' | ')} |`,
  );
  const spread = (input: 'default' | 'clip') =>
    RUNTIMES.map((rt) => {
      const r = trackRuns(input, rt);
      return `${rt === 'node' ? 'Node' : 'Bun'} ${r.map((x) => `${x.fps.toFixed(1)}/${x.pipelineFps.toFixed(1)}`).join(', ')}`;
    }).join('; ');
  if (RUNTIMES.every((rt) => trackRuns('default', rt).length > 1 && trackRuns('clip', rt).length > 1)) {
    out.push(
      '',
      `Each \`framekit track\` row is the run with the median end-to-end rate of ${trackRuns('default', 'node').length}, Node and Bun alternating;`,
      `every run, end to end / pipeline mean fps: embedded default ${spread('default')}; clip ${spread('clip')}.`,
    );
  }
  const chain = gpu.results.find((r) => r.kernel === 'chain' && r.impl === 'webgpu-compute' && r.width === 3840);
  const upload = gpu.results.find((r) => r.kernel === 'chain' && r.impl === 'webgpu' && r.width === 3840);
  if (typeof chain?.medianMs !== 'number' || typeof upload?.medianMs !== 'number')
    throw new Error(`${SOURCES.gpu} has no 3840x2160 chain rows`);
  out.push(
    '',
    `On an NVIDIA H200 through Dawn (Vulkan), \`node bench/webgpu-device.mjs\` on ${day(gpu.env.date)}: the WebGPU chain`,
    `gray -> blur -> pyramid -> FAST takes ${chain.medianMs.toFixed(2)} ms of GPU time at 3840x2160 (timestamp queries), and`,
    `${ms(upload.medianMs)} ms from an RGBA frame in the arena to keypoints on the CPU, upload and readback included`,
    `([${SOURCES.gpu}](${SOURCES.gpu}); more in [bench/results/nvidia-h200.md](bench/results/nvidia-h200.md)).`,
  );
  return out.join('\n');
}

/** README.md with the section between the markers replaced by `body`. */
export function withSection(readme: string, body: string): string {
  const i = readme.indexOf(BEGIN);
  const j = readme.indexOf(END);
  if (i < 0 || j < i) throw new Error(`README.md lacks the markers ${BEGIN} ... ${END}`);
  return `${readme.slice(0, i + BEGIN.length)}\n${body}\n${readme.slice(j)}`;
}

export const README = resolve(root, 'README.md');

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const before = readFileSync(README, 'utf8');
  const after = withSection(before, renderHowFast());
  if (after !== before) writeFileSync(README, after);
  console.log(after === before ? 'README.md: "How fast" already matches the JSON' : 'README.md: "How fast" rewritten from the JSON');
}
