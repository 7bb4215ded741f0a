// framekit track over a video with an audio stream runs Silero VAD on the audio: each frame line's
// audio window carries the speech flag and probability of the audio frame covering the frame, the
// same as `framekit listen --frames` gives for that audio frame; --no-vad, a model that does not
// load and ONNX Runtime not installed leave `speech` null, say why, and exit 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { appWithoutOrt, cli, lines, root } from './cli-helpers.mjs';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'fk-track-vad-'));

/** speech-16k.wav's speech, seconds, from how it was assembled (test/fixtures/LICENSES.md). */
const SPEECH = [
  [0.6, 3.6314375],
  [4.5314375, 8.040875],
];
/** The VAD keeps a segment open for 300 ms of silence after it (track uses listen's hysteresis). */
const REDEMPTION = 0.3;

// 8.64 s of 320x240 video at 10 fps (the astronaut photograph) with the speech clip as its audio (FLAC).
const video = join(dir, 'speech.mkv');
execFileSync('ffmpeg', [
  '-v',
  'error',
  '-y',
  '-loop',
  '1',
  '-framerate',
  '10',
  '-i',
  join(root, 'test/fixtures/astronaut.png'),
  '-i',
  join(root, 'test/fixtures/speech-16k.wav'),
  '-vf',
  'scale=320:240,format=yuv420p',
  '-t',
  '8.64',
  '-c:v',
  'mpeg4',
  '-q:v',
  '3',
  '-c:a',
  'flac',
  '-shortest',
  video,
]);

/** Runs a CLI; resolves { code, stdout, stderr } whatever the exit code. */
async function go(bin, ...args) {
  try {
    const { stdout, stderr } = await run('node', [bin, ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('each frame gets the speech flag of its audio window: true inside the clip`s speech, false well outside, as listen says', async () => {
  const r = await go(cli, 'track', video, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const out = lines(r.stdout);
  const summary = out.pop().summary;
  assert.equal(out.length, 86);
  assert.deepEqual(
    out.map((l) => l.seq),
    out.map((_, k) => k),
  );
  const a = summary.audio;
  assert.equal(a.detector, 'silero-vad-v5');
  assert.equal(a.vad.runtime, 'onnxruntime-node');
  assert.deepEqual([a.vad.framesWithResult, a.vad.late, a.vad.framesWithoutAudio, a.vad.skipped, a.vad.errors], [86, 0, 0, 0, 0]);
  // Every audio frame cut went through the model: the audio read covers the last video frame (8.5 s).
  assert.ok(a.vad.windows >= Math.ceil(8.5 / 0.032), `${a.vad.windows} windows`);
  assert.ok(a.vad.realTimeFactor > 0 && a.vad.realTimeFactor < 1, `real-time factor ${a.vad.realTimeFactor}`);
  assert.equal(a.vad.segments.length, 2);
  a.vad.segments.forEach(([s, e], i) => {
    assert.ok(Math.abs(s - SPEECH[i][0]) < 0.15 && Math.abs(e - SPEECH[i][1]) < 0.15, `segment ${s}-${e} vs ${SPEECH[i]}`);
  });
  let inside = 0;
  let outside = 0;
  for (const l of out) {
    const t = l.audio.t;
    assert.equal(typeof l.audio.speech, 'boolean', `frame ${l.seq}`);
    assert.ok(l.audio.speechProbability >= 0 && l.audio.speechProbability <= 1);
    if (SPEECH.some(([s, e]) => t >= s + 0.2 && t + 0.032 <= e - 0.2)) {
      assert.equal(l.audio.speech, true, `frame ${l.seq} at ${t} s lies in speech`);
      inside++;
    }
    if (SPEECH.every(([s, e]) => t + 0.032 < s - 0.15 || t > e + REDEMPTION + 0.1)) {
      assert.equal(l.audio.speech, false, `frame ${l.seq} at ${t} s lies in silence`);
      outside++;
    }
  }
  assert.ok(inside >= 55 && outside >= 8, `${inside} frames checked in speech, ${outside} in silence`);

  // The same audio through listen, one line per 32 ms audio frame: each video frame's window says what
  // listen says for that audio frame (same model, same hysteresis, same windows from the stream's start).
  const l = await go(cli, 'listen', video, '--json', '--frames');
  assert.equal(l.code, 0, l.stderr);
  const frames = lines(l.stdout);
  frames.pop();
  const byStart = new Map(frames.map((f) => [Math.round(f.t * 1e6), f]));
  for (const v of out) {
    const f = byStart.get(Math.round(v.audio.t * 1e6));
    assert.ok(f, `an audio frame at ${v.audio.t} s`);
    assert.deepEqual([v.audio.speech, v.audio.speechProbability], [f.speech, f.speechProbability], `frame ${v.seq} at ${v.audio.t} s`);
  }

  // With the face stage on, its hold is the speech hold: the same flags.
  const fr = await go(cli, 'track', video, '--json', '--faces');
  assert.equal(fr.code, 0, fr.stderr);
  const withFaces = lines(fr.stdout);
  assert.equal(withFaces.pop().summary.audio.vad.late, 0);
  assert.deepEqual(
    withFaces.map((x) => x.audio.speech),
    out.map((x) => x.audio.speech),
  );
});

test('--no-vad: speech stays null and the summary says why', async () => {
  const r = await go(cli, 'track', video, '--json', '--no-vad');
  assert.equal(r.code, 0, r.stderr);
  const out = lines(r.stdout);
  const a = out.pop().summary.audio;
  assert.equal(out.length, 86);
  assert.ok(out.every((l) => l.audio.speech === null && l.audio.speechProbability === null));
  assert.deepEqual([a.detector, a.vad], [null, null]);
  assert.match(a.speechMissing, /--no-vad/);
  assert.equal(a.attached, 86);
  // A model named for the audio while the audio or the model is off: a usage error, before any output.
  for (const off of ['--no-vad', '--no-audio']) {
    const bad = await go(cli, 'track', video, '--json', off, '--vad-model', join(dir, 'any.onnx'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /E_ARGUMENT: --vad-model/);
    assert.equal(bad.stdout, '');
  }
});

test('a model that does not load: track runs on, says why once on stderr and in the summary', async () => {
  const bad = join(dir, 'bad.onnx');
  writeFileSync(bad, 'not a model');
  const r = await go(cli, 'track', video, '--json', '--vad-model', bad);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.match(/no speech flags/g)?.length, 1, r.stderr);
  const out = lines(r.stdout);
  const a = out.pop().summary.audio;
  assert.equal(out.length, 86);
  assert.ok(out.every((l) => l.audio.speech === null));
  assert.equal(a.detector, null);
  assert.match(a.speechMissing, /model did not load/);
});

test('ONNX Runtime not installed: track runs on, frames without speech flags, the message names the package to add', async () => {
  const r = await go(appWithoutOrt(dir), 'track', video, '--json');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /model stages need ONNX Runtime, which is not installed/);
  assert.match(r.stderr, /npm i onnxruntime-web/);
  const out = lines(r.stdout);
  const a = out.pop().summary.audio;
  assert.equal(out.length, 86);
  assert.ok(out.every((l) => l.audio.speech === null && typeof l.audio.rms === 'number'));
  assert.equal(a.detector, null);
  assert.match(a.speechMissing, /npm i onnxruntime-web/);
});
