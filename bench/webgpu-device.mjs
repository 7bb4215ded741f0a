#!/usr/bin/env node
// The webgpu bench rows at 1920x1080 and 3840x2160 on whatever GPU this machine has, through Dawn
// (the `webgpu` package): its default backend first (Vulkan on Linux, D3D12 on Windows, Metal on
// macOS), then OpenGL ES. Prints one JSON document on stdout and, when $OUT is set, writes it to
// $OUT/webgpu-h100.json. Needs only Node >= 20, the built package (dist/) and node_modules/webgpu:
// no network, no system packages beyond the GPU driver. Exits 2 when no adapter appears, 3 when
// the run outlives its time limit (WEBGPU_BENCH_LIMIT_S, default 170 s: under 3 minutes), 4 when
// the only adapter is a software renderer (llvmpipe, SwiftShader; WEBGPU_BENCH_ALLOW_SOFTWARE=1 accepts it).
//
//   npm run build:ts && node bench/webgpu-device.mjs
//
// or, where the machine gets the working tree but not node_modules: here
//   npm run build:ts && node bench/webgpu-device.mjs --prepare
// then carry dist/ts, dist/bench, dist/wasm, dist/node_modules and there run
//   node bench/webgpu-device.mjs
//
// Options through the environment: WEBGPU_BENCH_TIME_MS (per row, default 700),
// WEBGPU_BENCH_SIZES (default "1920x1080,3840x2160").
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../', import.meta.url);

// `--prepare` (run where the package is built): copies the few packages the built bench imports
// into dist/node_modules, where Node finds them from dist/ts and dist/bench, so that a machine
// given only the working tree plus dist/ts, dist/bench, dist/wasm and dist/node_modules (about
// 25 MB) runs this script: no npm install, no network.
if (process.argv.includes('--prepare')) {
  const from = (p) => new URL(`node_modules/${p}`, root).pathname;
  const to = (p) => new URL(`dist/node_modules/${p}`, root).pathname;
  rmSync(to(''), { recursive: true, force: true });
  for (const p of [
    'tinybench',
    'pngjs',
    'jpeg-js',
    'webgpu/index.js',
    'webgpu/package.json',
    `webgpu/dist/${process.platform}-${process.arch}`,
  ]) {
    if (!existsSync(from(p))) {
      console.error(`webgpu-device --prepare: ${from(p)} is missing (npm install, with the optional dependency webgpu)`);
      process.exit(1);
    }
    cpSync(from(p), to(p), { recursive: true });
  }
  console.error(`webgpu-device --prepare: copied into ${to('')}`);
  process.exit(0);
}
const dist = new URL('dist/bench/webgpu.bench.js', root);
if (!existsSync(dist)) {
  console.error(`webgpu-device: ${dist.pathname} is missing; run \`npm run build:ts\` first`);
  process.exit(1);
}
const { webgpuBench } = await import(dist.href);
const { benchEnv } = await import(new URL('dist/bench/harness.js', root).href);

const limitS = Number(process.env.WEBGPU_BENCH_LIMIT_S ?? 170);
const timeMs = Number(process.env.WEBGPU_BENCH_TIME_MS ?? 700);
const sizes = (process.env.WEBGPU_BENCH_SIZES ?? '1920x1080,3840x2160').split(',').map((s) => s.split('x').map(Number));
const started = Date.now();
const log = (line) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}\n`);
const rows = [];
// Where Dawn looks for the GPU driver: a Vulkan ICD manifest, or the vendor's EGL library.
const driverFiles = [
  '/usr/share/vulkan/icd.d/nvidia_icd.json',
  '/etc/vulkan/icd.d/nvidia_icd.json',
  '/usr/lib/x86_64-linux-gnu/libvulkan.so.1',
  '/usr/lib/x86_64-linux-gnu/libEGL_nvidia.so.0',
  '/usr/lib/x86_64-linux-gnu/libnvidia-glvkspirv.so',
  '/usr/share/glvnd/egl_vendor.d/10_nvidia.json',
  '/dev/nvidia0',
].filter((f) => existsSync(f));
if (process.env.VK_ICD_FILENAMES) driverFiles.push(`VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}`);
const report = { env: benchEnv(), adapter: null, timing: null, sizes, timeMs, driverFiles, results: rows, complete: false };

function emit() {
  const text = JSON.stringify(report, null, 1);
  process.stdout.write(text + '\n');
  if (process.env.OUT) {
    mkdirSync(process.env.OUT, { recursive: true });
    writeFileSync(join(process.env.OUT, 'webgpu-h100.json'), text + '\n');
    log(`wrote ${join(process.env.OUT, 'webgpu-h100.json')}`);
  }
}

const watchdog = setTimeout(() => {
  log(`time limit of ${limitS} s reached; printing the rows measured so far`);
  report.error = `time limit of ${limitS} s reached`;
  emit();
  process.exit(3);
}, limitS * 1000);

// Dawn quantizes timestamp queries (to blunt timing attacks in browsers); a bench wants them exact.
const exact = 'disable-dawn-features=timestamp_quantization';
try {
  const r = await webgpuBench(
    { sizes, timeMs, kernels: [], log: (l) => log(l) },
    { dawnFlags: [[exact], ['backend=opengles', exact]], timeoutMs: 30_000 },
    rows,
  );
  if (!r.adapter) {
    console.error(`webgpu-device: no WebGPU adapter: ${r.reason}`);
    console.error(
      "Dawn needs the GPU driver's Vulkan ICD (libvulkan.so.1 + e.g. nvidia_icd.json) or its EGL (libEGL_nvidia) to see the GPU.",
    );
    clearTimeout(watchdog);
    process.exit(2);
  }
  report.adapter = r.adapter;
  report.timing = r.timing;
  report.features = r.features;
  report.complete = true;
  report.softwareAdapter = /llvmpipe|lavapipe|swiftshader|software/i.test(r.adapter);
  if (report.softwareAdapter)
    log(`warning: ${r.adapter} is a software renderer: the GPU was not reached (driver files seen: ${driverFiles.join(', ') || 'none'})`);
  const find = (kernel, impl, w, h) =>
    rows.find((x) => x.kernel === kernel && x.impl === impl && x.width === w && x.height === h)?.medianMs;
  const gpu4k = find('chain', 'webgpu-compute', 3840, 2160);
  const cpu4k = find('chain', 'webgpu', 3840, 2160);
  const res4k = find('chain', 'webgpu-resident', 3840, 2160);
  const raw4k = find('chain', 'webgpu-resident-unsorted', 3840, 2160);
  if (gpu4k !== undefined && cpu4k !== undefined) {
    report.targets = {
      'chain 4K GPU time < 1 ms': { ms: gpu4k, met: gpu4k < 1, timing: r.timing },
      'chain 4K to keypoints on the CPU < 2 ms (upload from the arena included)': { ms: cpu4k, met: cpu4k < 2 },
      'chain 4K to keypoints on the CPU < 2 ms (frame already on the device)': { ms: res4k, met: res4k !== undefined && res4k < 2 },
      'chain 4K to keypoints on the CPU < 2 ms (frame on the device, keypoints in GPU order)': {
        ms: raw4k,
        met: raw4k !== undefined && raw4k < 2,
      },
    };
  }
} catch (e) {
  report.error = String(e?.stack ?? e);
  log(`failed: ${report.error}`);
}
clearTimeout(watchdog);
emit();
log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
// 4: measured, but on a software renderer (a CPU), not the GPU this script is meant for.
process.exit(!report.complete ? 1 : report.softwareAdapter && !process.env.WEBGPU_BENCH_ALLOW_SOFTWARE ? 4 : 0);
