// Consumer thread for test/unit/ring.test.ts: pops items in seeded random chunk sizes into a
// destination with guard cells after each chunk, and checks that the items are 0, 1, 2 ... in order
// (overwrite mode: strictly increasing, gaps allowed), posting a summary when `total` is reached or
// the producer says it is done.
import { parentPort, workerData } from 'node:worker_threads';
import { FrameRing } from '../../../ts/frame/ring.js';
import { mulberry32 } from '../../helpers/index.js';

const { buffer, byteOffset, total, seed, maxChunk, done } = workerData as {
  buffer: SharedArrayBuffer;
  byteOffset: number;
  total: number;
  seed: number;
  maxChunk: number;
  done: SharedArrayBuffer;
};
const GUARD = -123456789;
const ring = new FrameRing(buffer, byteOffset);
const finished = new Int32Array(done);
const rand = mulberry32(seed);
const dst = new Int32Array(maxChunk + 8);
let expected = 0;
let received = 0;
let errors = 0;
let firstError = '';
let spins = 0;
Atomics.store(finished, 2, 1); // ready: the producer starts now, so the two threads overlap
Atomics.notify(finished, 2);
const fail = (msg: string) => {
  if (errors++ === 0) firstError = msg;
};

for (;;) {
  const want = 1 + Math.floor(rand() * maxChunk);
  dst.fill(GUARD);
  const n = ring.read(dst, 0, want);
  for (let i = want; i < dst.length; i++) if (dst[i] !== GUARD) fail(`guard cell ${i} overwritten after a chunk of ${want}`);
  for (let i = 0; i < n; i++) {
    const v = dst[i]!;
    if (ring.overwrite ? v < expected : v !== expected) fail(`got ${v}, expected ${ring.overwrite ? '>= ' : ''}${expected}`);
    expected = v + 1;
  }
  received += n;
  if (n === 0) {
    if (Atomics.load(finished, 0) === 1 && ring.size === 0) break;
    if (++spins % 64 === 0) Atomics.wait(finished, 1, 0, 0.05); // brief back-off: the machine is shared
  }
  if (!ring.overwrite && received === total) break;
}
parentPort!.postMessage({ received, last: expected - 1, errors, firstError });
