// Consumer thread for test/unit/ring-frames.test.ts: takes frame handles from one ring, reads the
// frame's pixels and gray plane straight from the shared memory, writes their byte sums into the
// frame's 'sum' user slot, and hands the handle back on a second ring. Nothing but handles crosses.
import { workerData } from 'node:worker_threads';
import { FrameRing } from '../../../ts/frame/ring.js';
import { SharedFrames } from '../../../ts/frame/shared.js';
import type { FramePoolLayout } from '../../../ts/frame/pool.js';

const { memory, layout, rings, frames, flags } = workerData as {
  memory: SharedArrayBuffer;
  layout: FramePoolLayout;
  rings: SharedArrayBuffer;
  frames: number;
  flags: SharedArrayBuffer;
};
const shared = new SharedFrames(memory, layout);
const inbox = new FrameRing(rings, 0);
const outbox = new FrameRing(rings, 256);
const flag = new Int32Array(flags);
const part = layout.parts.find((p) => p.name === 'sum')!;
const sums = layout.slotPtrs.map((base) => new Float64Array(memory, base + part.offset, 2));

let done = 0;
let stale = 0;
while (done < frames) {
  const h = inbox.pop();
  if (h < 0) {
    Atomics.wait(flag, 0, 0, 0.1);
    continue;
  }
  if (!shared.isLive(h)) stale++;
  const px = shared.pixels(h).data;
  const gray = shared.gray(h).data;
  let a = 0;
  for (let i = 0; i < px.length; i++) a += px[i]!;
  let g = 0;
  for (let i = 0; i < gray.length; i++) g += gray[i]!;
  const s = sums[h & 1023]!;
  s[0] = a;
  s[1] = g;
  while (!outbox.push(h)) Atomics.wait(flag, 0, 0, 0.1);
  done++;
}
Atomics.store(flag, 1, stale);
Atomics.store(flag, 2, 1);
Atomics.notify(flag, 2);
