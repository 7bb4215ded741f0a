// Web Worker side of the FrameRing check: pops handles and pushes them back, in order.
import { FrameRing } from '../../dist/browser/browser.js';

onmessage = ({ data }) => {
  const inRing = new FrameRing(data.a);
  const out = new FrameRing(data.b);
  let n = 0;
  while (n < data.n) {
    const v = inRing.pop();
    if (v < 0) continue;
    while (!out.push(v));
    n++;
  }
  postMessage('done');
};
