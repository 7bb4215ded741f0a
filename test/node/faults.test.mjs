// Faults in the input stream of `framekit track`, through the CLI as a user runs it: ffmpeg killed
// mid-stream, a pipe that ends mid-frame, and an ffmpeg that dies before writing anything. In each
// case the frames before the fault are processed and printed, every stdout line parses, the last
// line is a summary with an error, and the exit code is non-zero with a message that says what
// happened. The pipe faults use a stand-in `ffmpeg` on the PATH (test/node/fault-ffmpeg.mjs) that
// runs the real one and cuts its output short.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cameraPath, decodeImage, renderFrame } from 'framekit';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/ts/cli/main.js');
const dir = mkdtempSync(join(tmpdir(), 'fk-faults-'));
const W = 160;
const H = 120;
const FRAME_BYTES = W * H + 2 * (W / 2) * (H / 2);
const N = 120;

/** A lossless clip of the synthetic path, N frames, through ffmpeg (so track reads it through the ffmpeg pipe). */
function clip() {
  const img = decodeImage(readFileSync(join(root, 'test/fixtures/astronaut.png')));
  const luma = new Uint8Array(img.width * img.height);
  for (let i = 0; i < luma.length; i++)
    luma[i] = (9798 * img.data[i * 4] + 19235 * img.data[i * 4 + 1] + 3735 * img.data[i * 4 + 2] + 16384) >> 15;
  const path = cameraPath(W, H, img.width);
  const chroma = new Uint8Array(FRAME_BYTES - W * H).fill(128);
  const parts = [Buffer.from(`YUV4MPEG2 W${W} H${H} F30:1 Ip A1:1 C420jpeg\n`)];
  for (let k = 0; k < N; k++) {
    const f = new Uint8Array(W * H);
    renderFrame(f, W, path, path.frame(k), { width: img.width, height: img.height, data: luma });
    parts.push(Buffer.from('FRAME\n'), f, chroma);
  }
  writeFileSync(join(dir, 'clip.y4m'), Buffer.concat(parts));
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(dir, 'clip.y4m'), '-c:v', 'ffv1', join(dir, 'clip.mkv')]);
  return join(dir, 'clip.mkv');
}
const video = clip();

/** A folder holding the stand-in `ffmpeg`, to put first on the PATH. */
const shim = join(dir, 'bin');
execFileSync('mkdir', ['-p', shim]);
copyFileSync(join(root, 'test/node/fault-ffmpeg.mjs'), join(shim, 'ffmpeg'));
chmodSync(join(shim, 'ffmpeg'), 0o755);

/**
 * Runs `framekit track VIDEO --json`, calling `onLine(lines, child)` as each stdout line arrives;
 * resolves with the exit code, every line (parsed, or the raw text when it does not parse) and stderr.
 */
function track(env = {}, onLine = () => {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'track', video, '--json'], { env: { ...process.env, ...env } });
    let buf = '';
    let stderr = '';
    const lines = [];
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const text = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          lines.push(JSON.parse(text));
        } catch {
          lines.push({ unparsed: text });
        }
        onLine(lines, child);
      }
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, lines, stderr, rest: buf }));
  });
}

/** What every fault must leave: lines that parse, frame lines 0..n-1 in order, a summary with an error counting them. */
function checkKept(r, errorPattern) {
  assert.equal(r.rest, '', 'no partial line at the end of stdout');
  assert.ok(
    r.lines.every((l) => !('unparsed' in l)),
    'every line parses',
  );
  const frames = r.lines.filter((l) => typeof l.seq === 'number');
  frames.forEach((l, i) => assert.equal(l.seq, i, 'sequence numbers 0, 1, 2 ...'));
  const last = r.lines.at(-1);
  assert.ok(last.summary, 'the last line is the summary');
  assert.equal(r.lines.length, frames.length + 1);
  assert.equal(last.summary.frames, frames.length, 'the summary counts the frames printed');
  assert.match(last.summary.error, errorPattern);
  assert.equal(r.code, 1, `exit code 1, stderr: ${r.stderr}`);
  assert.match(r.stderr, errorPattern);
  return frames.length;
}

test('ffmpeg killed mid-stream (SIGKILL): the frames before are kept, the lines stay valid, exit 1 says so', async () => {
  let killed = null;
  const r = await track({}, (lines, child) => {
    if (killed !== null || lines.length < 10) return;
    // ffmpeg is the track process's child; kill it as the OOM killer or a user would.
    const pid = execFileSync('pgrep', ['-P', String(child.pid), '-x', 'ffmpeg'], { encoding: 'utf8' }).trim();
    killed = Number(pid.split('\n')[0]);
    process.kill(killed, 'SIGKILL');
  });
  assert.ok(killed > 0, 'ffmpeg was found and killed');
  const n = checkKept(r, /ffmpeg was killed \(SIGKILL\) after \d+ frames/);
  assert.ok(n >= 10 && n < N, `${n} frames processed before the kill`);
  assert.match(r.lines.at(-1).summary.error, new RegExp(`after ${n} frames`));
});

test('a pipe that ends mid-frame: the whole frames are kept, exit 1 names the short frame', async () => {
  const cut = Math.round(12.5 * FRAME_BYTES);
  const r = await track({ PATH: `${shim}:${process.env.PATH}`, FK_FAULT_BYTES: String(cut) });
  const n = checkKept(r, /ends mid-frame \(14400 of 28800 bytes\) after 12 frames/);
  assert.equal(n, 12);
});

test('a pipe that ends on a frame boundary with ffmpeg exiting 0 is a normal end', async () => {
  const r = await track({ PATH: `${shim}:${process.env.PATH}`, FK_FAULT_BYTES: String(7 * FRAME_BYTES) });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.lines.at(-1).summary.frames, 7);
  assert.equal(r.lines.at(-1).summary.error, undefined);
});

test('ffmpeg that dies before opening the pipe: a clear error, no hang', async () => {
  const r = await track({ PATH: `${shim}:${process.env.PATH}`, FK_FAULT_MODE: 'die-early' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /ffmpeg failed after 0 frames: fault-ffmpeg: exiting before writing/);
  assert.ok(
    r.lines.every((l) => !('unparsed' in l)),
    'every line parses',
  );
});
