// framekit --backend webgpu as a user runs it (Dawn through the optional `webgpu` package; on these
// machines Mesa's llvmpipe through OpenGL ES): every image command gives the same bytes as
// --backend wasm on the test photographs, track takes its refill corners from the GPU keypoint chain,
// and without the package or an adapter the command fails, says what is missing and writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { encodeImage } from 'framekit';

const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/ts/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'fk-cli-webgpu-'));
const PHOTOS = ['astronaut.png', 'camera.png', 'chelsea.png', 'coffee.png', 'hubble_deep_field.jpg', 'rocket.jpg'];
const photo = (name) => {
  const p = join(root, 'test/fixtures', name);
  assert.ok(existsSync(p), `missing fixture ${p}`);
  return p;
};

/** Runs the CLI; resolves with its exit code, stdout and stderr (never rejects on a non-zero exit). */
async function run(args, { env = {}, node = [] } = {}) {
  try {
    const r = await exec(process.execPath, [...node, cli, ...args], { env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    if (typeof e.code !== 'number') throw e;
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs `args` with --backend wasm and --backend webgpu; `out` names the output file (null: stdout). */
async function both(args, out) {
  const got = {};
  for (const backend of ['wasm', 'webgpu']) {
    const file = out && join(dir, `${backend}-${out}`);
    const r = await run([...args, '--backend', backend, ...(file ? ['-o', file] : [])]);
    assert.equal(r.code, 0, `${args.join(' ')} --backend ${backend}: ${r.stderr}`);
    got[backend] = file ? readFileSync(file) : Buffer.from(r.stdout);
  }
  return got;
}

/** Each command, as [name, args, output file extension or null for JSON on stdout]. */
const COMMANDS = [
  ['gray', [], 'png'],
  ['blur', ['--ksize', '5'], 'png'],
  ['sobel', ['--dx', '1', '--dy', '0'], 'raw'],
  ['sobel', ['--dx', '0', '--dy', '1'], 'raw'],
  ['pyrdown', [], 'pgm'],
  ['fast', ['--threshold', '20', '--json'], null],
];

for (const [name, args, ext] of COMMANDS) {
  test(`${name} ${args.join(' ')}: --backend webgpu writes the bytes --backend wasm writes, on every photograph`, async () => {
    for (const p of PHOTOS) {
      const { wasm, webgpu } = await both([name, photo(p), ...args], ext && `${name}-${p}.${ext}`);
      assert.ok(wasm.length > 1000, `${p}: ${wasm.length} bytes`);
      assert.ok(webgpu.equals(wasm), `${name} ${p}: the outputs differ`);
      if (name === 'fast') assert.ok(JSON.parse(wasm).keypoints.length > 100, p);
    }
  });
}

test('options beyond the defaults: blur of other sizes and sigmas, sobel ksize 1, 3, 5, 7 (second order, mixed) and Scharr, fast without suppression', async () => {
  const cases = [
    ['blur', ['--ksize', '3'], 'png'],
    ['blur', ['--sigma', '1.5'], 'png'],
    ['blur', ['--ksize', '31', '--sigma', '4'], 'png'],
    ['sobel', ['--dx', '1', '--dy', '1', '--ksize', '1'], 'raw'],
    ['sobel', ['--dx', '2', '--dy', '0', '--ksize', '3'], 'raw'],
    ['sobel', ['--dx', '1', '--dy', '1', '--ksize', '3'], 'raw'],
    ['sobel', ['--dx', '0', '--dy', '1', '--ksize=-1'], 'raw'],
    ['sobel', ['--dx', '1', '--dy', '0', '--ksize', '5'], 'raw'],
    ['sobel', ['--dx', '2', '--dy', '1', '--ksize', '5'], 'raw'],
    ['sobel', ['--dx', '2', '--dy', '3', '--ksize', '7'], 'raw'],
    ['fast', ['--threshold', '10', '--no-nms', '--json'], null],
  ];
  // One photograph here: test/unit/webgpu-filters.test.ts runs these passes on every size and more photographs.
  for (const p of ['chelsea.png']) {
    for (const [name, args, ext] of cases) {
      const { wasm, webgpu } = await both([name, photo(p), ...args], ext && `x-${name}-${p}.${ext}`);
      assert.ok(webgpu.equals(wasm), `${name} ${args.join(' ')} ${p}: the outputs differ`);
    }
  }
});

test('fast with more corners than its first list holds (noise, threshold 0, no suppression): all of them, as WASM', async () => {
  const [w, h] = [301, 211];
  const data = new Uint8Array(w * h);
  let s = 7;
  for (let i = 0; i < data.length; i++) data[i] = (s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 24;
  const file = join(dir, 'noise.pgm');
  writeFileSync(file, encodeImage({ width: w, height: h, format: 'gray', data }, 'pgm'));
  const { wasm, webgpu } = await both(['fast', file, '--threshold', '0', '--no-nms', '--json'], null);
  // The CLI's first list holds a quarter of the pixels; this image has more corners than that.
  assert.ok(JSON.parse(wasm).keypoints.length > (w * h) / 4, String(JSON.parse(wasm).keypoints.length));
  assert.ok(webgpu.equals(wasm), 'the outputs differ');
});

test('bad options are the E_ARGUMENT the WASM path gives; commands without a GPU path say so; no output file', async () => {
  const cases = [
    [['sobel', photo('coffee.png'), '--dx', '1', '--dy', '0', '--ksize', '7'], /results could exceed int16/],
    [['sobel', photo('coffee.png'), '--dx', '0', '--dy', '0'], /dx \+ dy must be at least 1/],
    [['blur', photo('coffee.png'), '--ksize', '4'], /ksize must be odd/],
    [['orb', photo('coffee.png')], /webgpu runs info, gray, blur, sobel, pyrdown, fast and track only/],
    [
      ['resize', photo('coffee.png'), '--width', '10', '--height', '10'],
      /webgpu runs info, gray, blur, sobel, pyrdown, fast and track only/,
    ],
  ];
  for (const [i, [args, message]] of cases.entries()) {
    const file = join(dir, `unsupported-${i}.raw`);
    const r = await run([...args, '--backend', 'webgpu', ...(args[0] === 'orb' ? [] : ['-o', file])]);
    if (args[0] === 'sobel' || args[0] === 'blur') {
      const cpu = await run([...args, '--backend', 'wasm', '-o', file]);
      assert.equal(cpu.code, 2, cpu.stderr);
      assert.match(cpu.stderr, message);
    }
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /E_ARGUMENT/);
    assert.match(r.stderr, message);
    assert.equal(existsSync(file), false);
  }
});

test('info --backend webgpu --json names the adapter', async () => {
  const r = await run(['info', '--backend', 'webgpu', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.backend, 'webgpu');
  assert.equal(typeof info.gpu, 'string');
  assert.ok(info.gpu.length > 3, info.gpu);
  assert.equal(info.gpuFallback, null);
  const help = await run(['--help']);
  assert.match(help.stdout, /webgpu runs info, gray, blur, sobel, pyrdown, fast and track/);
});

test('track --backend webgpu: per-frame JSON, every refill from the GPU keypoint chain, the same track as WASM', async () => {
  const args = ['track', '--frames', '8', '--size', '320x240', '--json'];
  const parse = (s) =>
    s
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  const gpu = await run([...args, '--backend', 'webgpu']);
  assert.equal(gpu.code, 0, gpu.stderr);
  const cpu = await run([...args, '--backend', 'wasm']);
  assert.equal(cpu.code, 0, cpu.stderr);
  const g = parse(gpu.stdout);
  const c = parse(cpu.stdout);
  assert.equal(g.length, 9);
  const summary = g[8].summary;
  assert.equal(summary.frames, 8);
  assert.equal(summary.backend, 'webgpu');
  assert.equal(typeof summary.gpu, 'string');
  assert.equal(summary.gpuCornerFrames, 8);
  assert.equal(c[8].summary.gpuCornerFrames, undefined);
  for (let k = 0; k < 8; k++) {
    assert.equal(g[k].seq, k);
    assert.equal(g[k].corners, 'webgpu');
    assert.ok(g[k].keypoints > 100, `frame ${k}: ${g[k].keypoints} keypoints`);
    // The chain finds the corners WASM's FAST finds, so the track is the same to the last digit.
    for (const f of ['keypoints', 'tracked', 'inliers', 'relocalized', 'keyframe', 'deepened', 'pose'])
      assert.deepEqual(g[k][f], c[k][f], `frame ${k}: ${f}`);
  }
  assert.ok(g[7].tracked > 100, `tracked ${g[7].tracked}`);
});

/** No Vulkan driver, no EGL vendor library and no Mesa DRI driver: Dawn finds no adapter at all. */
const NO_ADAPTER = {
  VK_ICD_FILENAMES: '/nonexistent/icd.json',
  VK_DRIVER_FILES: '/nonexistent/icd.json',
  __EGL_VENDOR_LIBRARY_DIRS: '/nonexistent',
  LIBGL_DRIVERS_PATH: '/nonexistent',
};

test('no adapter: every webgpu command exits non-zero, says what is missing, and writes no file', async () => {
  const cases = [
    ['gray', photo('coffee.png')],
    ['blur', photo('coffee.png')],
    ['sobel', photo('coffee.png'), '--dx', '1', '--dy', '0', '--ext=raw'],
    ['pyrdown', photo('coffee.png')],
    ['fast', photo('coffee.png'), '--json', '--no-out'],
    ['info', '--json', '--no-out'],
    ['track', '--frames', '3', '--size', '160x120'],
  ];
  for (const c of cases) {
    const noOut = c.includes('--no-out');
    const ext = c.find((a) => a.startsWith('--ext='))?.slice(6) ?? (c[0] === 'track' ? 'y4m' : 'png');
    const file = join(dir, `no-adapter-${c[0]}.${ext}`);
    const args = [...c.filter((a) => !a.startsWith('--ext=') && a !== '--no-out'), '--backend', 'webgpu', ...(noOut ? [] : ['-o', file])];
    const r = await run(args, { env: NO_ADAPTER });
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, new RegExp(`framekit ${c[0]}: E_GPU: --backend webgpu found no WebGPU adapter`));
    assert.match(r.stderr, /Mesa's EGL and its llvmpipe/);
    assert.equal(r.stdout, '');
    assert.equal(existsSync(file), false, `${c[0]} left ${file}`);
  }
});

test('without the webgpu package: the error names the package, exits non-zero, writes no file', async () => {
  // A resolve hook that answers as Node does when a package is not installed.
  const hooks = join(dir, 'no-webgpu-hooks.mjs');
  writeFileSync(
    hooks,
    `export async function resolve(specifier, context, next) {
  if (specifier === 'webgpu') throw Object.assign(new Error("Cannot find package 'webgpu'"), { code: 'ERR_MODULE_NOT_FOUND' });
  return next(specifier, context);
}
`,
  );
  const register = join(dir, 'no-webgpu.mjs');
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(new URL(`file://${hooks}`).href)});\n`);
  for (const cmd of ['gray', 'track']) {
    const file = join(dir, `no-package-${cmd}.${cmd === 'track' ? 'y4m' : 'png'}`);
    const args = cmd === 'track' ? ['track', '--frames', '3', '--size', '160x120'] : [cmd, photo('coffee.png')];
    const r = await run([...args, '--backend', 'webgpu', '-o', file], { node: ['--import', register] });
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /E_GPU: --backend webgpu needs the optional package "webgpu" \(Dawn\), which could not be loaded/);
    assert.match(r.stderr, /npm i webgpu/);
    assert.equal(existsSync(file), false);
  }
  // The same hook leaves the WASM path alone: the failure above is the package, nothing else.
  const ok = await run(['gray', photo('coffee.png'), '-o', join(dir, 'no-package-wasm.png'), '--backend', 'wasm'], {
    node: ['--import', register],
  });
  assert.equal(ok.code, 0, ok.stderr);
});
