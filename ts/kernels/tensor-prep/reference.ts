import type { PlaneLike } from '../../image/plane.js';
import { fillAxis, type TensorGeometry } from './tables.js';

const f = Math.fround;

/**
 * The oracle: RGBA or BGRA pixels of `src` to a float32 NHWC RGB tensor at `out[at..]`
 * (dstWidth x dstHeight x 3), bilinear into the content rectangle of `g`, v * scale + bias, border
 * = bias. Every step rounded to float32 in the order wasm/tensor.ts computes it, so every build
 * matches it bit for bit. Allocates its tables per call (the oracle, not for the frame loop).
 */
export function toTensorReference(
  heap: Uint8Array,
  out: Float32Array,
  at: number,
  src: PlaneLike,
  g: TensorGeometry,
  scale: number,
  bias: number,
): void {
  const xt = new Int32Array(4 * g.cw);
  const yt = new Int32Array(4 * g.ch);
  fillAxis(xt, new Float32Array(xt.buffer), 0, g.srcWidth, g.cw, 4);
  fillAxis(yt, new Float32Array(yt.buffer), 0, g.srcHeight, g.ch, 1);
  const xf = new Float32Array(xt.buffer);
  const yf = new Float32Array(yt.buffer);
  const s = f(scale);
  const b = f(bias);
  const order = src.format === 'bgra' ? [2, 1, 0] : [0, 1, 2];
  out.fill(b, at, at + g.dstWidth * g.dstHeight * 3);
  for (let y = 0; y < g.ch; y++) {
    const r0 = src.ptr + yt[4 * y]! * src.stride;
    const r1 = src.ptr + yt[4 * y + 1]! * src.stride;
    const fy = yf[4 * y + 2]!;
    const gy = f(1 - fy);
    for (let x = 0; x < g.cw; x++) {
      const a = xt[4 * x]!;
      const c = xt[4 * x + 1]!;
      const fx = xf[4 * x + 2]!;
      const gx = f(1 - fx);
      const o = at + ((g.oy + y) * g.dstWidth + g.ox + x) * 3;
      for (let k = 0; k < 3; k++) {
        const top = f(f(heap[r0 + a + k]! * gx) + f(heap[r0 + c + k]! * fx));
        const bot = f(f(heap[r1 + a + k]! * gx) + f(heap[r1 + c + k]! * fx));
        const v = f(f(top * gy) + f(bot * fy));
        out[o + order[k]!] = f(f(v * s) + b);
      }
    }
  }
}
