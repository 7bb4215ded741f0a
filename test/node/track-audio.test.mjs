// framekit track over a video file with an audio stream: each frame line carries the audio window
// covering its timestamp (the audio starting 0.5 s after the video), and the summary the sync report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/ts/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'fk-track-audio-'));
const lines = (s) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

test('a video whose audio starts 0.5 s late: windows from 0.5 s on, speech energy where the clip speaks', async () => {
  const file = join(dir, 'av.mkv');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=10',
    '-itsoffset',
    '0.5',
    '-i',
    join(root, 'test/fixtures/speech-16k.wav'),
    '-t',
    '3',
    '-c:v',
    'mpeg4',
    '-q:v',
    '3',
    '-c:a',
    'flac',
    file,
  ]);
  const { stdout } = await run('node', [cli, 'track', file, '--json']);
  const out = lines(stdout);
  const summary = out.pop().summary;
  assert.equal(out.length, 30);
  assert.equal(summary.audio.audioStartUs, 500000);
  assert.equal(summary.audio.beforeAudio, 5);
  assert.equal(summary.audio.attached, 25);
  assert.equal(summary.audio.videoGaps, 0);
  out.forEach((l, k) => {
    const ts = k / 10;
    if (ts < 0.5) return assert.equal(l.audio, null);
    // The window covering the frame: 32 ms audio frames counted from the audio's first sample.
    const a = Math.floor((ts - 0.5) / 0.032);
    assert.ok(Math.abs(l.audio.t - (0.5 + a * 0.032)) < 1e-6, `frame ${k}: window at ${l.audio.t}`);
    assert.ok(Math.abs(l.audio.offsetMs - (ts - l.audio.t) * 1000) < 1e-3);
    // The clip is silent for its first 0.6 s (1.1 s on the file's timeline) and speaks from then on.
    if (l.audio.t + 0.032 <= 1.1) assert.equal(l.audio.rms, 0, `frame ${k}`);
  });
  const speaking = out.filter((l) => l.audio && l.audio.t >= 1.2);
  assert.ok(speaking.filter((l) => l.audio.rms > 0.005).length >= speaking.length * 0.7);

  const plain = lines((await run('node', [cli, 'track', file, '--json', '--no-audio'])).stdout);
  assert.equal(plain.pop().summary.audio, undefined);
  assert.equal(plain[0].audio, undefined);

  const silent = join(dir, 'video-only.mkv');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10', '-t', '1', '-c:v', 'mpeg4', silent]);
  const v = lines((await run('node', [cli, 'track', silent, '--json'])).stdout);
  assert.equal(v.pop().summary.audio, undefined);
});
