/**
 * One side of bench/ring-stress.ts, on its own thread: a producer that writes 0, 1, 2 ... (FrameRing:
 * int32 items mod 2^31; SampleRing: Float32 samples mod 2^24, exact in a float) or a consumer that
 * checks each item is the next one, none lost, repeated or out of order. Both change speed at
 * seeded random moments: bursts (no pause), slow stretches (a spin between chunks) and stalls (a
 * sleep of up to 3 ms), with random chunk sizes, so the ring runs full, empty and in between.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FrameRing } from '../ts/frame/ring.js';
import { SampleRing, type SampleRingLayout } from '../ts/frame/sample-ring.js';

export interface StressWorkerData {
  kind: 'frame' | 'sample';
  role: 'produce' | 'consume';
  seed: number;
  durationMs: number;
  /** FrameRing: the ring's buffer. SampleRing: the shared memory's buffer. */
  buffer: SharedArrayBuffer;
  layout?: SampleRingLayout;
  /** Int32 cells: [0] producer done, [1] consumer ready; Float64 at byte 8: items the producer wrote. */
  control: SharedArrayBuffer;
}

export interface StressWorkerResult {
  items: number;
  errors: number;
  firstError: string;
  /** Times this side found the ring full (producer) or empty (consumer). */
  blocked: number;
  stalls: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const d = workerData as StressWorkerData;
const ctl = new Int32Array(d.control, 0, 2);
const total = new Float64Array(d.control, 8, 1);
const rand = mulberry32(d.seed);
const nap = new Int32Array(new SharedArrayBuffer(4));
const r: StressWorkerResult = { items: 0, errors: 0, firstError: '', blocked: 0, stalls: 0 };
const fail = (m: string) => {
  if (r.errors++ === 0) r.firstError = m;
};

// Speed phases: each lasts 1-20 ms of wall time.
let phase = 0; // 0 burst, 1 slow, 2 stall
let phaseEnd = 0;
let sink = 0;
function pace(): void {
  const now = performance.now();
  if (now >= phaseEnd) {
    const x = rand();
    phase = x < 0.45 ? 0 : x < 0.85 ? 1 : 2;
    phaseEnd = now + 1 + rand() * 19;
  }
  if (phase === 1) for (let i = 0, n = Math.floor(rand() * 2000); i < n; i++) sink += i & 1;
  else if (phase === 2) {
    r.stalls++;
    Atomics.wait(nap, 0, 0, rand() * 3);
    phaseEnd = 0;
  }
}

const frameRing = d.kind === 'frame' ? new FrameRing(d.buffer, 0) : null;
const sampleRing = d.kind === 'sample' ? SampleRing.open(d.buffer, d.layout!) : null;
const cap = frameRing ? frameRing.capacity : sampleRing!.capacity;
const ints = new Int32Array(cap);
const floats = new Float32Array(cap);
const floatBlocks = Array.from({ length: cap + 1 }, (_, i) => floats.subarray(0, i)); // made once
const MOD = d.kind === 'frame' ? 2 ** 31 : 2 ** 24;

if (d.role === 'consume') {
  Atomics.store(ctl, 1, 1);
  Atomics.notify(ctl, 1);
}
while (d.role === 'produce' && Atomics.load(ctl, 1) === 0) Atomics.wait(ctl, 1, 0, 10);
const end = performance.now() + d.durationMs;
let n = 0; // items done by this side

if (d.role === 'produce') {
  while (performance.now() < end) {
    const want = 1 + Math.floor(rand() * cap);
    let wrote = 0;
    if (frameRing) {
      for (let i = 0; i < want; i++) ints[i] = (n + i) % MOD;
      wrote = frameRing.write(ints, 0, want);
    } else {
      const block = floatBlocks[want]!;
      for (let i = 0; i < want; i++) block[i] = (n + i) % MOD;
      wrote = sampleRing!.push(block) ? want : 0;
    }
    if (wrote === 0) r.blocked++;
    n += wrote;
    pace();
  }
  total[0] = n;
  Atomics.store(ctl, 0, 1);
} else {
  for (;;) {
    const want = 1 + Math.floor(rand() * cap);
    let got = 0;
    if (frameRing) {
      got = frameRing.read(ints, 0, want);
      for (let i = 0; i < got; i++) if (ints[i] !== (n + i) % MOD) fail(`item ${n + i} arrived as ${ints[i]}`);
    } else {
      const block = floatBlocks[want]!;
      if (sampleRing!.pop(block)) {
        got = want;
        for (let i = 0; i < got; i++) if (block[i] !== (n + i) % MOD) fail(`sample ${n + i} arrived as ${block[i]}`);
      } else if (Atomics.load(ctl, 0) === 1 && sampleRing!.size > 0 && sampleRing!.size < want) continue; // ask for less at the end
    }
    n += got;
    if (got === 0) {
      r.blocked++;
      if (Atomics.load(ctl, 0) === 1 && n >= total[0]!) break;
    }
    pace();
  }
}
r.items = n;
if (sink < 0) r.stalls = -1; // keeps the spin from being optimised away
parentPort!.postMessage(r);
