// Helpers for the job-queue tests and bench: a real redis-server on a free loopback port, framekit
// CLI processes, and small Y4M clips (a pan over a test photograph) to track.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(ROOT, 'dist', 'ts', 'cli', 'main.js');

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts Debian's redis-server on 127.0.0.1 with append-only persistence in its own folder. */
export async function startRedis(port, dir = mkdtempSync(join(tmpdir(), 'fk-redis-'))) {
  if (spawnSync('redis-server', ['--version']).status !== 0)
    throw new Error('redis-server is not installed (apt-get install redis-server; .ci/run installs it)');
  const p = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--save',
      '',
      '--protected-mode',
      'yes',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  p.stdout.on('data', (d) => (log += d));
  await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`redis-server did not start: ${log}`)), 10000);
    p.stdout.on('data', () => {
      if (/Ready to accept connections/.test(log)) {
        clearTimeout(t);
        resolve();
      }
    });
    p.once('exit', (c) => reject(new Error(`redis-server exited ${c}: ${log}`)));
  });
  return {
    port,
    dir,
    proc: p,
    stop: () =>
      new Promise((resolve) => {
        if (p.exitCode !== null || p.signalCode !== null) return resolve();
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      }),
  };
}

/** Runs the framekit CLI to the end; resolves with { code, stdout, stderr }. */
export function cli(args, opts = {}) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Starts `framekit worker`; `events` collects its log lines; `waitFor(re)` resolves on the first matching line. */
export function startWorker(queue, extra = []) {
  const p = spawn(process.execPath, [CLI, 'worker', '--queue', queue, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  let buf = '';
  p.stderr.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop();
    for (const l of parts) {
      lines.push(l);
      for (const w of [...waiters]) {
        if (!w.re.test(l)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  const exited = new Promise((resolve) => p.on('close', (code, signal) => resolve({ code, signal })));
  return {
    proc: p,
    lines,
    exited,
    waitFor(re, ms = 60000) {
      const hit = lines.find((l) => re.test(l));
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`worker never logged ${re}: ${lines.join('\n')}`)), ms);
        t.unref(); // a waiter that lost a race must not hold the test process open
        waiters.push({ re, resolve: (l) => (clearTimeout(t), resolve(l)) });
      });
    },
  };
}

/** Writes a W x H 4:2:0 Y4M clip of `frames` frames panning across test/fixtures/`photo` (luma only matters). */
export function writeClip(path, { photo = 'astronaut.png', width = 320, height = 240, frames = 40, dx = 2, dy = 1 } = {}) {
  const png = PNG.sync.read(readFileSync(join(ROOT, 'test', 'fixtures', photo)));
  const luma = (x, y) => {
    const i = (y * png.width + x) * 4;
    return (png.data[i] * 77 + png.data[i + 1] * 150 + png.data[i + 2] * 29) >> 8;
  };
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const frame = Buffer.alloc(width * height + 2 * cw * ch, 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`)];
  for (let f = 0; f < frames; f++) {
    const ox = Math.min(png.width - width, f * dx);
    const oy = Math.min(png.height - height, f * dy);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) frame[y * width + x] = luma(ox + x, oy + y);
    parts.push(Buffer.from('FRAME\n'), Buffer.from(frame));
  }
  writeFileSync(path, Buffer.concat(parts));
  return path;
}

/** Per-frame lines without the timings (which differ from run to run). */
export function stableLines(text) {
  return text
    .trimEnd()
    .split('\n')
    .filter((l) => l && !l.startsWith('{"summary"'))
    .map((l) => {
      const o = JSON.parse(l);
      delete o.ms;
      return JSON.stringify(o);
    });
}

export function tmp(prefix) {
  return mkdtempSync(join(tmpdir(), prefix));
}
