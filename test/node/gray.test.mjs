// The built package (dist/) under Node's own test runner, imported by its name as users do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createFramekit, decodeImage, FramekitError, grayReference } from 'framekit';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/ts/cli/main.js');
const fixture = (n) => join(root, 'test/fixtures', n);
const PHOTOS = ['camera.png', 'astronaut.png', 'coffee.png', 'chelsea.png', 'rocket.jpg', 'hubble_deep_field.jpg'];

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function openCV() {
  const cv = createRequire(import.meta.url)('@techstark/opencv-js');
  if (!cv.Mat) await new Promise((r) => (cv.onRuntimeInitialized = r));
  return { cv };
}

test('info: Node runs the WASM SIMD build', async () => {
  const fk = await createFramekit({ arenaBytes: 1 << 20 });
  const info = fk.info();
  assert.equal(info.runtime, `node ${process.versions.node}`); // Node 20 and Node 24 in CI
  assert.equal(info.wasm, 'simd');
  const { stdout } = await run(process.execPath, [cli, 'info', '--json']);
  assert.deepEqual(Object.keys(JSON.parse(stdout)).slice(0, 3), ['runtime', 'wasm', 'gpu']);
});

for (const backend of ['reference', 'wasm-scalar', 'wasm-simd']) {
  test(`gray (${backend}) equals the reference: widths 1..65, wide strides, guard bytes intact`, async () => {
    const fk = await createFramekit({ arenaBytes: 8 << 20, backend });
    const r = rng(11);
    for (const format of ['rgba', 'bgra', 'rgb', 'bgr']) {
      const bpp = format.length;
      for (let w = 1; w <= 65; w++) {
        const h = 1 + (w % 3) * 2;
        const src = fk.allocPlane(w, h, format, { stride: w * bpp + (w % 7) });
        for (let i = 0; i < src.data.length; i++) src.data[i] = (r() * 256) | 0;
        const region = fk.arena.alloc(w * h + 64);
        fk.heap.fill(0xa5, region.ptr, region.ptr + region.size);
        const dst = { ptr: region.ptr + 32, width: w, height: h, stride: w, format: 'gray' };
        const ref = fk.allocPlane(w, h, 'gray', { stride: w });
        fk.gray(dst, src);
        grayReference(fk.heap, ref, src);
        assert.deepEqual(fk.heap.subarray(dst.ptr, dst.ptr + w * h), ref.data);
        for (let i = region.ptr; i < region.ptr + 32; i++) assert.equal(fk.heap[i], 0xa5);
        for (let i = dst.ptr + w * h; i < region.ptr + region.size; i++) assert.equal(fk.heap[i], 0xa5);
        fk.arena.free(region);
        fk.freePlane(ref);
        fk.freePlane(src);
      }
    }
    assert.equal(fk.arena.stats().bytesInUse, 0);
  });
}

test('framekit gray output is byte-identical to OpenCV.js cvtColor on the photographs', async () => {
  const { cv } = await openCV();
  const dir = mkdtempSync(join(tmpdir(), 'fk-gray-'));
  for (const name of PHOTOS) {
    const out = join(dir, `${name}.png`);
    await run(process.execPath, [cli, 'gray', fixture(name), '-o', out]);
    const img = decodeImage(readFileSync(fixture(name)));
    const mat = new cv.Mat(img.height, img.width, cv.CV_8UC4);
    mat.data.set(img.data);
    const gray = new cv.Mat();
    cv.cvtColor(mat, gray, cv.COLOR_RGBA2GRAY);
    const ours = decodeImage(readFileSync(out));
    const lumaOfOurs = new Uint8Array(img.width * img.height);
    for (let i = 0; i < lumaOfOurs.length; i++) lumaOfOurs[i] = ours.data[i * 4];
    assert.equal(Buffer.compare(Buffer.from(lumaOfOurs), Buffer.from(gray.data)), 0, name);
    mat.delete();
    gray.delete();
    // .pgm and .raw carry the same bytes.
    await run(process.execPath, [cli, 'gray', fixture(name), '-o', join(dir, 'g.raw')]);
    assert.equal(Buffer.compare(readFileSync(join(dir, 'g.raw')), Buffer.from(lumaOfOurs)), 0);
  }
});

test('CLI bad input: clear error, non-zero exit, no output file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fk-bad-'));
  const corrupt = join(dir, 'corrupt.png');
  const bytes = readFileSync(fixture('chelsea.png'));
  writeFileSync(corrupt, bytes.subarray(0, 2000));
  const notImage = join(dir, 'x.png');
  writeFileSync(notImage, 'hello');
  const cases = [
    [['gray', join(dir, 'missing.png'), '-o', join(dir, 'o1.png')], /E_IO/, 'o1.png'],
    [['gray', corrupt, '-o', join(dir, 'o2.png')], /E_DECODE/, 'o2.png'],
    [['gray', notImage, '-o', join(dir, 'o3.png')], /E_DECODE/, 'o3.png'],
    [['gray', fixture('camera.png'), '-o', join(dir, 'o4.gif')], /E_ARGUMENT/, 'o4.gif'],
    [['gray', fixture('camera.png')], /missing output/, null],
    [['nope'], /unknown command/, null],
  ];
  for (const [args, message, file] of cases) {
    await assert.rejects(run(process.execPath, [cli, ...args]), (e) => {
      assert.ok(e.code === 1 || e.code === 2, `exit code ${e.code}`);
      assert.match(e.stderr, message);
      return true;
    });
    if (file) assert.equal(existsSync(join(dir, file)), false);
  }
});

test('typed errors from the API', async () => {
  const fk = await createFramekit({ maxWidth: 64, maxHeight: 64, frames: 1, scratchBytes: 0 });
  assert.throws(
    () => fk.allocPlane(0, 5, 'gray'),
    (e) => e instanceof FramekitError && e.code === 'E_DIMENSION',
  );
  assert.throws(
    () => fk.allocPlane(4096, 4096, 'rgba'),
    (e) => e instanceof FramekitError && e.code === 'E_OUT_OF_MEMORY',
  );
  assert.throws(
    () => decodeImage(new Uint8Array([1, 2, 3])),
    (e) => e instanceof FramekitError && e.code === 'E_DECODE',
  );
});
