#!/usr/bin/env node
// A stand-in `ffmpeg` for test/node/faults.test.mjs, put first on the PATH. It runs the real ffmpeg
// (/usr/bin/ffmpeg) with the same arguments, except that the output file (the FIFO framekit reads,
// the last argument) becomes a pipe to this process, and it forwards only the first FK_FAULT_BYTES
// bytes to the FIFO, then ends the stream and exits 0: a writer that stops mid-frame. With
// FK_FAULT_MODE=die-early it exits 1 at once without ever opening the FIFO.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';

const args = process.argv.slice(2);
if (process.env.FK_FAULT_MODE === 'die-early') {
  process.stderr.write('fault-ffmpeg: exiting before writing\n');
  process.exit(1);
}
const fifo = args.pop();
let left = Number(process.env.FK_FAULT_BYTES ?? Infinity);
const real = spawn('/usr/bin/ffmpeg', [...args, 'pipe:1'], { stdio: ['ignore', 'pipe', 'inherit'] });
const out = createWriteStream(fifo);
real.stdout.on('data', (d) => {
  if (left <= 0) return;
  const part = d.subarray(0, Math.min(d.length, left));
  left -= part.length;
  out.write(part);
  if (left <= 0) {
    real.stdout.pause();
    real.kill();
    out.end();
  }
});
real.on('close', () => out.end());
out.on('close', () => process.exit(0));
