// framekit track, as a user runs it: the embedded default with ground truth, a Y4M, a video through
// ffmpeg, an image folder, annotated output, and bad input that keeps what was processed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cameraPath, decodeImage, encodeImage, renderFrame } from 'framekit';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/ts/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'fk-track-'));
const lines = (s) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** Frames of the synthetic path as packed gray planes (what a camera would film). */
function frames(w, h, n) {
  const img = decodeImage(readFileSync(join(root, 'test/fixtures/astronaut.png')));
  const luma = new Uint8Array(img.width * img.height);
  for (let i = 0; i < luma.length; i++)
    luma[i] = (9798 * img.data[i * 4] + 19235 * img.data[i * 4 + 1] + 3735 * img.data[i * 4 + 2] + 16384) >> 15;
  const path = cameraPath(w, h, img.width);
  return Array.from({ length: n }, (_, k) => {
    const f = new Uint8Array(w * h);
    renderFrame(f, w, path, path.frame(k), { width: img.width, height: img.height, data: luma });
    return f;
  });
}

function y4m(file, w, h, fs) {
  const chroma = new Uint8Array(2 * Math.ceil(w / 2) * Math.ceil(h / 2)).fill(128);
  const parts = [Buffer.from(`YUV4MPEG2 W${w} H${h} F30:1 Ip A1:1 C420jpeg\n`)];
  for (const f of fs) parts.push(Buffer.from('FRAME\n'), f, chroma);
  writeFileSync(file, Buffer.concat(parts));
}

test('the embedded default: one JSON line per frame, then a summary with the error against ground truth', async () => {
  const { stdout } = await run(process.execPath, [cli, 'track', '--frames', '30', '--size', '320x240', '--json']);
  const out = lines(stdout);
  assert.equal(out.length, 31);
  const last = out[29];
  assert.equal(last.seq, 29);
  assert.ok(last.tracked > 100, `tracked ${last.tracked}`);
  assert.ok(last.inliers > 100);
  assert.equal(last.pose.R.length, 9);
  for (const k of ['pyramid', 'flow', 'geometry', 'features', 'total']) assert.equal(typeof last.ms[k], 'number');
  const s = out[30].summary;
  assert.equal(s.frames, 30);
  assert.ok(s.fps > 0);
  assert.equal(s.drops, 0);
  assert.match(s.backend, /wasm-simd/);
  assert.ok(s.groundTruth.meanCornerErrorPx < 2, JSON.stringify(s.groundTruth));
  assert.ok(s.groundTruth.meanRotationErrorDeg < 1, JSON.stringify(s.groundTruth));
  assert.ok(s.groundTruth.meanTranslationErrorPct < 1, JSON.stringify(s.groundTruth));
});

test('a Y4M file, annotated output as Y4M, and the same video through ffmpeg', async () => {
  const fs = frames(160, 120, 12);
  y4m(join(dir, 'clip.y4m'), 160, 120, fs);
  const { stdout } = await run(process.execPath, [cli, 'track', join(dir, 'clip.y4m'), '--json', '-o', join(dir, 'annotated.y4m')]);
  const out = lines(stdout);
  assert.equal(out.at(-1).summary.frames, 12);
  assert.ok(out[11].tracked > 20);
  const annotated = readFileSync(join(dir, 'annotated.y4m'));
  assert.equal(annotated.subarray(0, 10).toString(), 'YUV4MPEG2 ');
  assert.equal(annotated.length, Buffer.byteLength('YUV4MPEG2 W160 H120 F30000:1000 Ip A1:1 C420jpeg\n') + 12 * (6 + 160 * 120 * 1.5));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(dir, 'clip.y4m'), '-c:v', 'ffv1', join(dir, 'clip.mkv')]);
  const viaFfmpeg = lines((await run(process.execPath, [cli, 'track', join(dir, 'clip.mkv'), '--json'])).stdout);
  // Lossless: the same frames, so the same keypoints and tracks.
  assert.deepEqual(
    viaFfmpeg.slice(0, 12).map((l) => [l.keypoints, l.tracked, l.inliers]),
    out.slice(0, 12).map((l) => [l.keypoints, l.tracked, l.inliers]),
  );
});

test('an image folder, with a PNG sequence written', async () => {
  const folder = join(dir, 'shots');
  mkdirSync(folder);
  frames(200, 150, 6).forEach((f, i) =>
    writeFileSync(join(folder, `s${i}.png`), encodeImage({ width: 200, height: 150, format: 'gray', data: f }, 'png')),
  );
  mkdirSync(join(dir, 'out'));
  const { stdout } = await run(process.execPath, [cli, 'track', folder, '--json', '-o', join(dir, 'out', 'f%03d.png')]);
  assert.equal(lines(stdout).at(-1).summary.frames, 6);
  assert.deepEqual(readdirSync(join(dir, 'out')).sort(), ['f000.png', 'f001.png', 'f002.png', 'f003.png', 'f004.png', 'f005.png']);
  assert.ok(statSync(join(dir, 'out', 'f005.png')).size > 1000);
});

test('bad input: a missing file, and a video that ends mid-frame (lines already written stay valid)', async () => {
  await assert.rejects(run(process.execPath, [cli, 'track', join(dir, 'nope.mp4')]), (e) => e.code === 1 && /E_IO/.test(e.stderr));
  const fs = frames(160, 120, 5);
  y4m(join(dir, 'cut.y4m'), 160, 120, fs);
  const whole = readFileSync(join(dir, 'cut.y4m'));
  writeFileSync(join(dir, 'cut.y4m'), whole.subarray(0, whole.length - 5000));
  await assert.rejects(run(process.execPath, [cli, 'track', join(dir, 'cut.y4m'), '--json']), (e) => {
    assert.equal(e.code, 1);
    assert.match(e.stderr, /ends mid-frame/);
    const out = lines(e.stdout);
    assert.equal(out.length, 5, 'four frame lines and the summary');
    assert.equal(out[4].summary.frames, 4);
    assert.match(out[4].summary.error, /mid-frame/);
    return true;
  });
});

test('a bad option or an output that cannot be written ends the command with its error, the render worker and the source closed', async () => {
  // The embedded default starts a render worker: a failure after it started must not leave the process running.
  const cases = [
    [['--features', 'x'], 2, /E_ARGUMENT: --features must be a positive integer/],
    [['--stats', 'x', '--json'], 2, /E_ARGUMENT: --stats must be a positive integer/],
    [['--faces', '--size', '641x481'], 1, /E_DIMENSION: --faces needs even frame sizes/],
    [['-o', join(dir, 'no-such-folder', 'out.y4m')], 1, /E_IO: cannot write/],
  ];
  for (const [args, code, message] of cases)
    await assert.rejects(run(process.execPath, [cli, 'track', '--frames', '2', ...args], { timeout: 30_000 }), (e) => {
      assert.equal(e.killed, false, `${args.join(' ')}: the command did not end by itself`);
      assert.equal(e.code, code, `${args.join(' ')}: ${e.stderr}`);
      assert.match(e.stderr, message);
      return true;
    });
});
