// The consumer side of the FrameRing test: pops handles and pushes them back, in order.
import { parentPort, workerData } from 'node:worker_threads';
import { FrameRing } from 'framekit';

const inRing = new FrameRing(workerData.a);
const out = new FrameRing(workerData.b);
let n = 0;
while (n < workerData.n) {
  const v = inRing.pop();
  if (v < 0) continue;
  while (!out.push(v));
  n++;
}
parentPort.postMessage('done');
