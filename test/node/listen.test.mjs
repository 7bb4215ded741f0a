// framekit listen, as a user runs it: the embedded default clip through Silero VAD (onnxruntime-node
// and onnxruntime-web are installed here) and through the energy detector, a file through ffmpeg,
// and bad input (no audio stream, a truncated WAV, a bad option, a model missing or corrupt, ONNX
// Runtime not installed) that exits non-zero and keeps its output valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { appWithoutOrt, cli, lines, root } from './cli-helpers.mjs';

const run = promisify(execFile);
const clip = join(root, 'test/fixtures/speech-16k.wav');
const dir = mkdtempSync(join(tmpdir(), 'fk-listen-'));

/** Runs the CLI; resolves { code, stdout, stderr } whatever the exit code. */
async function listen(...args) {
  try {
    const { stdout, stderr } = await run('node', [cli, 'listen', ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function closeTo(segments, expected, tol) {
  assert.equal(segments.length, expected.length, JSON.stringify(segments));
  segments.forEach(([a, b], i) => {
    assert.ok(Math.abs(a - expected[i][0]) <= tol, `start ${a} vs ${expected[i][0]}`);
    assert.ok(Math.abs(b - expected[i][1]) <= tol, `end ${b} vs ${expected[i][1]}`);
  });
}

test('the embedded default: the model finds its two phrases; one JSON line per segment, then a summary with the real-time factor', async () => {
  const r = await listen('--json');
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const summary = out.pop().summary;
  assert.equal(out.length, 2);
  for (const l of out) assert.deepEqual([l.type, l.detector], ['segment', 'silero-vad-v5']);
  assert.equal(summary.frames, Math.ceil(138254 / 512));
  assert.equal(summary.melColumns, Math.floor(138254 / 160) + 1);
  assert.equal(summary.detector, 'silero-vad-v5');
  // every window's result on its own frame, none late, none failed
  assert.equal(summary.vad.runtime, 'onnxruntime-node');
  assert.deepEqual(
    [summary.vad.windows, summary.vad.attached, summary.vad.late, summary.vad.errors],
    [summary.frames, summary.frames, 0, 0],
  );
  closeTo(summary.segments, summary.expectedSegments, 0.1);
  closeTo(
    out.map((l) => [l.start, l.end]),
    summary.expectedSegments,
    0.1,
  );
  assert.ok(summary.realTimeFactor > 0 && summary.realTimeFactor < 1, `real-time factor ${summary.realTimeFactor}`);
  assert.ok(summary.vad.modelRealTimeFactor > 0 && summary.vad.modelRealTimeFactor < summary.realTimeFactor);
});

test('--ort web: onnxruntime-web finds the same segments', async () => {
  const r = await listen('--json', '--ort', 'web');
  assert.equal(r.code, 0, r.stderr);
  const summary = lines(r.stdout).pop().summary;
  assert.equal(summary.vad.runtime, 'onnxruntime-web');
  closeTo(summary.segments, summary.expectedSegments, 0.1);
});

test('--energy: the energy detector, said so, finds them too', async () => {
  const r = await listen('--json', '--energy');
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const summary = out.pop().summary;
  assert.equal(summary.detector, 'energy');
  assert.equal(summary.vad, undefined);
  for (const l of out) assert.equal(l.detector, 'energy');
  closeTo(summary.segments, summary.expectedSegments, 0.064);
});

test('--frames: one JSON line per 32 ms frame', async () => {
  const r = await listen('--json', '--frames', '--bands', '128');
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const summary = out.pop().summary;
  assert.equal(out.length, summary.frames);
  out.forEach((l, k) => {
    assert.equal(l.type, 'frame');
    assert.equal(l.t, +((k * 512) / 16000).toFixed(4));
  });
  assert.equal(
    out.reduce((s, l) => s + l.melColumns, 0),
    summary.melColumns,
  );
  assert.ok(out.some((l) => l.speech) && out.some((l) => !l.speech));
  // the model's probability on every frame: high in the phrases, low in the pauses
  for (const l of out) assert.ok(l.speechProbability >= 0 && l.speechProbability <= 1);
  const at = (t) => out[Math.round((t * 16000) / 512)];
  for (const t of [1.5, 6]) assert.ok(at(t).speech && at(t).speechProbability > 0.5);
  for (const t of [0.2, 4.1, 8.4]) assert.ok(!at(t).speech && at(t).speechProbability < 0.35);
});

test('audio of any file ffmpeg reads: an Opus file gives the same segments (model and energy detector)', async () => {
  const opus = join(dir, 'speech.ogg');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-c:a', 'libopus', '-b:a', '48k', opus]);
  for (const extra of [[], ['--energy']]) {
    const r = await listen(opus, '--json', ...extra);
    assert.equal(r.code, 0, r.stderr);
    const summary = lines(r.stdout).pop().summary;
    assert.equal(summary.detector, extra.length ? 'energy' : 'silero-vad-v5');
    closeTo(
      summary.segments,
      [
        [0.6, 3.6314375],
        [4.5314375, 8.040875],
      ],
      0.1,
    );
  }
});

test('bad input: no audio stream, a truncated WAV, a bad option', async () => {
  const video = join(dir, 'video.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '1', video]);
  const a = await listen(video, '--json');
  assert.equal(a.code, 1);
  assert.match(a.stderr, /E_NO_AUDIO/);
  assert.equal(a.stdout, '');

  const full = readFileSync(clip);
  const cut = join(dir, 'cut.wav');
  writeFileSync(cut, full.subarray(0, Math.floor(full.length * 0.6) + 1));
  const b = await listen(cut, '--json', '--frames');
  assert.equal(b.code, 1);
  assert.match(b.stderr, /truncated/);
  const out = lines(b.stdout); // every line written is valid JSON
  const summary = out.pop().summary;
  assert.match(summary.error, /truncated/);
  assert.ok(summary.frames > 100 && out.length === summary.frames);

  const c = await listen('--bands', '64');
  assert.equal(c.code, 2);
  const d = await listen(join(dir, 'missing.wav'));
  assert.equal(d.code, 1);
  assert.match(d.stderr, /E_IO/);
});

test('bad input: a model file missing or corrupt is E_MODEL before any output', async () => {
  const a = await listen('--json', '--model', join(dir, 'missing.onnx'));
  assert.equal(a.code, 1);
  assert.match(a.stderr, /E_MODEL: cannot read model/);
  assert.equal(a.stdout, '');
  const bad = join(dir, 'bad.onnx');
  writeFileSync(bad, readFileSync(clip).subarray(0, 4096));
  const b = await listen('--json', '--model', bad);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /E_MODEL: model silero-vad-v5 \(4096 bytes\) is not a model ONNX Runtime can load/);
  assert.equal(b.stdout, '');
  const c = await listen('--ort', 'cuda');
  assert.equal(c.code, 2);
});

test('ONNX Runtime not installed: the message names the package to add, exit 1; --energy still works', async () => {
  const bin = appWithoutOrt(dir);
  const go = async (...args) => {
    try {
      const { stdout, stderr } = await run('node', [bin, 'listen', clip, ...args]);
      return { code: 0, stdout, stderr };
    } catch (e) {
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const a = await go('--json');
  assert.equal(a.code, 1);
  assert.match(a.stderr, /E_DEPENDENCY: model stages need ONNX Runtime, which is not installed/);
  assert.match(a.stderr, /npm i onnxruntime-web/);
  assert.match(a.stderr, /--energy/);
  assert.equal(a.stdout, '');
  const b = await go('--json', '--ort', 'node');
  assert.equal(b.code, 1);
  assert.match(b.stderr, /npm i onnxruntime-node/);
  const c = await go('--json', '--energy');
  assert.equal(c.code, 0, c.stderr);
  assert.equal(lines(c.stdout).pop().summary.segments.length, 2);
});
