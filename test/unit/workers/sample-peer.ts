// The other thread of test/unit/ring-samples.test.ts: opens the SampleRing in the shared memory
// and either consumes (checking that samples arrive as 0, 1, 2 ... mod 2^24, none lost or repeated)
// or produces that sequence, in seeded random block sizes, with JS-heap blocks.
import { parentPort, workerData } from 'node:worker_threads';
import { SampleRing, type SampleRingLayout } from '../../../ts/frame/sample-ring.js';
import { mulberry32 } from '../../helpers/index.js';

const { buffer, layout, total, seed, mode, flags } = workerData as {
  buffer: SharedArrayBuffer;
  layout: SampleRingLayout;
  total: number;
  seed: number;
  mode: 'consume' | 'produce';
  flags: SharedArrayBuffer;
};
const ring = SampleRing.open(buffer, layout);
const flag = new Int32Array(flags);
const rand = mulberry32(seed);
const block = new Float32Array(layout.capacity);
let n = 0;
let errors = 0;
let firstError = '';
Atomics.store(flag, 0, 1);
while (n < total) {
  const want = Math.min(1 + Math.floor(rand() * layout.capacity), total - n);
  const view = block.subarray(0, want); // allocates; this test checks order, not allocation
  if (mode === 'produce') {
    for (let i = 0; i < want; i++) view[i] = (n + i) % 16777216;
    if (ring.push(view)) n += want;
    else Atomics.wait(flag, 1, 0, 0.05);
  } else if (ring.pop(view)) {
    for (let i = 0; i < want; i++) {
      if (view[i] !== (n + i) % 16777216 && errors++ === 0) firstError = `sample ${n + i} is ${view[i]}`;
    }
    n += want;
  } else Atomics.wait(flag, 1, 0, 0.05);
}
parentPort!.postMessage({ n, errors, firstError });
