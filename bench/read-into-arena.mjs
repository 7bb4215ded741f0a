// What reading a 1080p I420 frame from a file costs the calling thread, by where the bytes land:
// a plain ArrayBuffer, a plain WebAssembly memory (the arena's default) or a shared one. Each
// iteration starts one vectored read (`FileHandle.readv`, as ts/io/video.ts reads Y4M frames), keeps
// the thread busy for 3 ms (a frame's tracking) and then awaits the read; the cost is the iteration's
// time past those 3 ms. Node and Bun, alternating, in one run.
// Run: node bench/read-into-arena.mjs [--out bench/results/read-into-arena-epyc-2core.json]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadAverage, median, resultHead, runtimes } from './track-runs.mjs';

const W = 1920;
const H = 1080;
const Y = W * H;
const C = Y / 2;
const FRAMES = 60;

/** One runtime's measurement (run as a child: `--child FILE`). */
async function child(file) {
  const fh = await open(file);
  const plain = new Uint8Array(new ArrayBuffer(64 << 20));
  const wasm = new Uint8Array(new WebAssembly.Memory({ initial: 1024, maximum: 1024 }).buffer);
  const shared = new Uint8Array(new WebAssembly.Memory({ initial: 1024, maximum: 1024, shared: true }).buffer);
  const tag = new Uint8Array(6);
  // Eight frames' luma and chroma, one after another (a frame pool with chroma slots).
  const parts = (m, i) => [tag, m.subarray((i % 8) * Y, (i % 8) * Y + Y), m.subarray(8 * Y + (i % 8) * C, 8 * Y + (i % 8) * C + C)];
  const targets = { arrayBuffer: plain, wasmMemory: wasm, sharedWasmMemory: shared };
  let sink = 0;
  const busy = (ms) => {
    const t = performance.now();
    while (performance.now() - t < ms) sink++;
  };
  const out = {};
  for (const name of Object.keys(targets)) out[name] = [];
  for (let round = 0; round < 5; round++) {
    for (const [name, m] of Object.entries(targets)) {
      const n = 200;
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const p = fh.readv(parts(m, i), 100 + (i % FRAMES) * (Y + C + 6));
        busy(3);
        await p;
      }
      out[name].push((performance.now() - t0) / n - 3);
    }
  }
  await fh.close();
  process.stdout.write(JSON.stringify({ out, sink: sink > 0 }) + '\n');
}

const { values } = parseArgs({ options: { out: { type: 'string' }, child: { type: 'string' } } });
if (values.child) await child(values.child);
else {
  const dir = existsSync('/dev/shm') ? '/dev/shm/framekit-bench' : join(tmpdir(), 'framekit-bench');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `read-into-arena-${FRAMES}.y4m`);
  if (!existsSync(file))
    execFileSync('ffmpeg', [
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${W}x${H}:rate=30`,
      '-frames:v',
      String(FRAMES),
      '-pix_fmt',
      'yuv420p',
      file,
    ]);
  const self = fileURLToPath(import.meta.url);
  const results = {
    ...resultHead(
      'node bench/read-into-arena.mjs',
      'ms of the calling thread per 1080p I420 frame read (FileHandle.readv into three views, awaited after 3 ms of work), median of 5 rounds of 200 reads',
    ),
    runtimes: {},
  };
  for (const [name, exe] of runtimes) {
    const r = JSON.parse(execFileSync(exe, [self, '--child', file], { encoding: 'utf8' }).trim().split('\n').at(-1));
    results.runtimes[name] = Object.fromEntries(
      Object.entries(r.out).map(([k, v]) => [k, { medianMs: +median(v).toFixed(3), roundsMs: v.map((x) => +x.toFixed(3)) }]),
    );
    console.log(name, JSON.stringify(Object.fromEntries(Object.entries(results.runtimes[name]).map(([k, v]) => [k, v.medianMs]))));
  }
  results.loadAverageAtEnd = loadAverage();
  if (values.out) writeFileSync(values.out, JSON.stringify(results, null, 2) + '\n');
}
