// framekit listen, as a user runs it: the embedded default clip, a file through ffmpeg, and bad
// input (no audio stream, a truncated WAV, a bad option) that exits non-zero and keeps its output valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/ts/cli/main.js');
const clip = join(root, 'test/fixtures/speech-16k.wav');
const dir = mkdtempSync(join(tmpdir(), 'fk-listen-'));
const lines = (s) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

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

test('the embedded default: one JSON line per segment, then a summary with the real-time factor', async () => {
  const r = await listen('--json');
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const summary = out.pop().summary;
  assert.equal(out.length, 2);
  for (const l of out) assert.equal(l.type, 'segment');
  assert.equal(summary.frames, Math.ceil(138254 / 512));
  assert.equal(summary.melColumns, Math.floor(138254 / 160) + 1);
  assert.equal(summary.detector, 'energy');
  closeTo(summary.segments, summary.expectedSegments, 0.064);
  closeTo(
    out.map((l) => [l.start, l.end]),
    summary.expectedSegments,
    0.064,
  );
  assert.ok(summary.realTimeFactor > 0 && summary.realTimeFactor < 1, `real-time factor ${summary.realTimeFactor}`);
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
});

test('audio of any file ffmpeg reads: an Opus file gives the same segments', async () => {
  const opus = join(dir, 'speech.ogg');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-c:a', 'libopus', '-b:a', '48k', opus]);
  const r = await listen(opus, '--json');
  assert.equal(r.code, 0, r.stderr);
  const summary = lines(r.stdout).pop().summary;
  closeTo(
    summary.segments,
    [
      [0.6, 3.6314375],
      [4.5314375, 8.040875],
    ],
    0.1,
  );
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
