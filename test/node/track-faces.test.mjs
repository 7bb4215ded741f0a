// framekit track --faces: BlazeFace beside the tracker on a colour Y4M of a face, JSON lines with
// `faces`, boxes drawn in the annotated output, and a broken model that leaves the media path running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodeImage } from 'framekit';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/ts/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'fk-track-faces-'));
const W = 640;
const H = 480;
const N = 20;
/** Where the astronaut's face is in the photograph (512x512): its centre, as `framekit faces` finds it. */
const FACE = { x: 230, y: 120 };

/** N frames of 640x480 I420 (BT.601 studio range): the photograph at x = 64 + k on black. */
function colourClip(file) {
  const img = decodeImage(readFileSync(join(root, 'test/fixtures/astronaut.png')));
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`)];
  for (let k = 0; k < N; k++) {
    const f = new Uint8Array(W * H * 1.5);
    const Y = f.subarray(0, W * H).fill(16);
    const U = f.subarray(W * H, W * H * 1.25).fill(128);
    const V = f.subarray(W * H * 1.25).fill(128);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const sx = x - 64 - k;
        if (sx < 0 || sx >= img.width || y >= img.height) continue;
        const i = (y * img.width + sx) * 4;
        const [r, g, b] = [img.data[i], img.data[i + 1], img.data[i + 2]];
        Y[y * W + x] = Math.round(16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255);
        if (!(x & 1) && !(y & 1)) {
          const c = (y >> 1) * (W >> 1) + (x >> 1);
          U[c] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
          V[c] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
        }
      }
    parts.push(Buffer.from('FRAME\n'), f);
  }
  writeFileSync(file, Buffer.concat(parts));
}

const clip = join(dir, 'face.y4m');
colourClip(clip);
const lines = (s) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** The Y plane of the last frame of a Y4M written by framekit. */
function lastLuma(file) {
  const b = readFileSync(file);
  const at = b.lastIndexOf(Buffer.from('FRAME\n'));
  const [, w, h] = b
    .subarray(0, 80)
    .toString()
    .match(/W(\d+) H(\d+)/)
    .map(Number);
  return { w, h, y: b.subarray(at + 6, at + 6 + w * h) };
}

test('track --faces: every frame line, `faces` on the frames a result attached to, the face where it is; boxes in -o', async () => {
  const on = join(dir, 'on.y4m');
  const off = join(dir, 'off.y4m');
  const { stdout } = await run(process.execPath, [cli, 'track', clip, '--json', '--faces', '--faces-nice', '0', '-o', on], {
    maxBuffer: 1 << 26,
  });
  await run(process.execPath, [cli, 'track', clip, '--json', '-o', off], { maxBuffer: 1 << 26 });
  const out = lines(stdout);
  assert.equal(out.length, N + 1);
  out.slice(0, N).forEach((l, k) => assert.equal(l.seq, k));
  const withFaces = out.slice(0, N).filter((l) => l.faces?.length);
  assert.ok(withFaces.length >= 1, 'a face result attached to at least one frame');
  for (const l of withFaces) {
    assert.equal(l.faces.length, 1, JSON.stringify(l.faces));
    const f = l.faces[0];
    const cx = f.x + f.width / 2;
    const cy = f.y + f.height / 2;
    // The photograph moves 1 px a frame: its face centre at 64 + seq.
    assert.ok(Math.abs(cx - (64 + l.seq + FACE.x)) < 25 && Math.abs(cy - FACE.y) < 25, `frame ${l.seq}: centre ${cx}, ${cy}`);
    assert.equal(f.landmarks.length, 6);
  }
  const s = out[N].summary;
  assert.equal(s.frames, N);
  const fs = s.faces;
  assert.equal(fs.colour, 'I420');
  assert.equal(fs.errors, 0, fs.error);
  assert.equal(fs.pushed, N);
  assert.equal(fs.framesWithFaces, withFaces.length);
  assert.ok(fs.runs >= withFaces.length && fs.runs + fs.notRun === fs.pushed, JSON.stringify(fs));
  // Colour was made only for the frames an inference ran on.
  assert.equal(fs.conversions, fs.runs + fs.stale);
  assert.ok(fs.inferenceMs.p50 > 0);
  // The annotated output: the last frame differs from the run without faces only around a face box.
  const a = lastLuma(on);
  const b = lastLuma(off);
  const box = withFaces.at(-1).faces[0];
  let differ = 0;
  let outside = 0;
  for (let y = 0; y < a.h; y++)
    for (let x = 0; x < a.w; x++) {
      if (a.y[y * a.w + x] === b.y[y * a.w + x]) continue;
      differ++;
      const m = 30; // the box drawn may come from a later frame (1 px a frame) and is 3 px thick
      if (x < box.x - m || x > box.x + box.width + m || y < box.y - m || y > box.y + box.height + m) outside++;
    }
  assert.ok(differ > 200, `pixels drawn: ${differ}`);
  assert.equal(outside, 0, `pixels changed away from the face: ${outside}`);
});

test('track --faces with a model that is not one: every frame still tracked, the error reported in the summary', async () => {
  const bad = join(dir, 'bad.onnx');
  writeFileSync(bad, Buffer.from('not an onnx model'));
  const { stdout } = await run(process.execPath, [cli, 'track', clip, '--json', '--faces', '--faces-model', bad], { maxBuffer: 1 << 26 });
  const out = lines(stdout);
  assert.equal(out.length, N + 1);
  assert.ok(out.slice(0, N).every((l) => l.faces === undefined && l.keypoints > 0));
  const fs = out[N].summary.faces;
  assert.equal(fs.runs, 0);
  assert.ok(fs.errors >= 1);
  assert.match(fs.error, /not a model ONNX Runtime can load/);
});

test('track --faces-every, --faces-nice: a bad value is a typed argument error', async () => {
  await assert.rejects(run(process.execPath, [cli, 'track', clip, '--faces', '--faces-every', '0']), /E_ARGUMENT|faces-every/);
  for (const bad of ['20', '-1', '1.5', 'x'])
    await assert.rejects(
      run(process.execPath, [cli, 'track', clip, '--faces', `--faces-nice=${bad}`]),
      /E_ARGUMENT: --faces-nice must be an integer from 0 to 19/,
    );
});
