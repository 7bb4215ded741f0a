import type { PlaneLike } from '../../image/plane.js';

// The oracles for ORB's kernels (rust/src/orb), plain loops over the shared memory.
// `xs`, `ys`, `angles` and outputs are Float32Array views; positions are level coordinates.

const round = (x: number): number => {
  const f = Math.floor(x);
  const r = x - f;
  return r > 0.5 || (r === 0.5 && f % 2 !== 0) ? f + 1 : f;
};
const f32 = Math.fround;

export function harrisReference(heap: Uint8Array, img: PlaneLike, xs: Float32Array, ys: Float32Array, n: number, out: Float32Array): void {
  const px = (x: number, y: number) => heap[img.ptr + y * img.stride + x]!;
  const scale = f32(1 / (4 * 7 * 255));
  const scale4 = f32(f32(f32(scale * scale) * scale) * scale);
  for (let i = 0; i < n; i++) {
    const [x0, y0] = [round(xs[i]!), round(ys[i]!)];
    let [a, b, c] = [0, 0, 0];
    for (let y = y0 - 3; y <= y0 + 3; y++) {
      for (let x = x0 - 3; x <= x0 + 3; x++) {
        const ix = (px(x + 1, y) - px(x - 1, y)) * 2 + (px(x + 1, y - 1) - px(x - 1, y - 1)) + (px(x + 1, y + 1) - px(x - 1, y + 1));
        const iy = (px(x, y + 1) - px(x, y - 1)) * 2 + (px(x - 1, y + 1) - px(x - 1, y - 1)) + (px(x + 1, y + 1) - px(x + 1, y - 1));
        a += ix * ix;
        b += iy * iy;
        c += ix * iy;
      }
    }
    const [fa, fb, fc] = [f32(a), f32(b), f32(c)];
    const s = f32(fa + fb);
    out[i] = f32(f32(f32(f32(fa * fb) - f32(fc * fc)) - f32(f32(f32(0.04) * s) * s)) * scale4);
  }
}

/** Half-widths of the radius-15 disc per row, symmetric, as OpenCV's ORB builds them. */
export function umax(): number[] {
  const h = 15;
  const u: number[] = Array(h + 2).fill(0);
  const vmax = Math.floor((h * Math.SQRT2) / 2 + 1);
  const vmin = Math.ceil((h * Math.SQRT2) / 2);
  for (let v = 0; v <= vmax; v++) u[v] = round(Math.sqrt(h * h - v * v));
  for (let v = h, v0 = 0; v >= vmin; v--) {
    while (u[v0] === u[v0 + 1]) v0++;
    u[v] = v0++;
  }
  return u;
}

export function fastAtan2(y: number, x: number): number {
  const K = f32(180 / Math.PI);
  const [p1, p3, p5, p7] = [0.9997878412794807, -0.3258083974640975, 0.1555786518463281, -0.04432655554792128].map((p) =>
    f32(f32(p) * K),
  ) as [number, number, number, number];
  const [ax, ay] = [Math.abs(x), Math.abs(y)];
  const eps = f32(2.220446049250313e-16);
  let a: number;
  const poly = (c: number) => {
    const c2 = f32(c * c);
    return f32(f32(f32(f32(f32(f32(f32(p7 * c2) + p5) * c2) + p3) * c2) + p1) * c);
  };
  if (ax >= ay) a = poly(f32(ay / f32(ax + eps)));
  else a = f32(90 - poly(f32(ax / f32(ay + eps))));
  if (x < 0) a = f32(180 - a);
  if (y < 0) a = f32(360 - a);
  return a;
}

export function anglesReference(heap: Uint8Array, img: PlaneLike, xs: Float32Array, ys: Float32Array, n: number, out: Float32Array): void {
  const u = umax();
  for (let i = 0; i < n; i++) {
    const c = img.ptr + round(ys[i]!) * img.stride + round(xs[i]!);
    let [m01, m10] = [0, 0];
    for (let x = -15; x <= 15; x++) m10 += x * heap[c + x]!;
    for (let v = 1; v <= 15; v++) {
      let vsum = 0;
      for (let x = -u[v]!; x <= u[v]!; x++) {
        const [p, m] = [heap[c + x + v * img.stride]!, heap[c + x - v * img.stride]!];
        vsum += p - m;
        m10 += x * (p + m);
      }
      m01 += v * vsum;
    }
    out[i] = fastAtan2(m01, m10);
  }
}

/** rBRIEF on the image smoothed by the 7-tap Q8 kernel `k` at the sampled pixels only (see rust/src/orb). */
export function describeReference(
  heap: Uint8Array,
  img: PlaneLike,
  pattern: Int8Array,
  xs: Float32Array,
  ys: Float32Array,
  angles: Float32Array,
  n: number,
  k: ArrayLike<number>,
  out: Uint8Array,
): void {
  const smooth = (p: number) => {
    let acc = 0;
    for (let j = 0; j < 7; j++) for (let i = 0; i < 7; i++) acc += k[j]! * k[i]! * heap[p + (j - 3) * img.stride + i - 3]!;
    return (acc + 32768) >> 16;
  };
  for (let i = 0; i < n; i++) {
    const c = img.ptr + round(ys[i]!) * img.stride + round(xs[i]!);
    const t = f32(angles[i]! * f32(Math.PI / 180));
    const [a, b] = [f32(Math.cos(t)), f32(Math.sin(t))];
    const value = (q: number) => {
      const [x, y] = [pattern[2 * q]!, pattern[2 * q + 1]!];
      return smooth(c + round(f32(f32(x * b) + f32(y * a))) * img.stride + round(f32(f32(x * a) - f32(y * b))));
    };
    for (let byte = 0; byte < 32; byte++) {
      let v = 0;
      for (let bit = 0; bit < 8; bit++) {
        const q = 2 * (byte * 8 + bit);
        if (value(q) < value(q + 1)) v |= 1 << bit;
      }
      out[32 * i + byte] = v;
    }
  }
}

/** Bilinear resize (see rust/src/orb, fk_resize_bilinear): 11-bit weights, centres aligned, clamped. */
export function resizeReference(heap: Uint8Array, dst: PlaneLike, src: PlaneLike): void {
  const one = 2048;
  const [fx, fy] = [f32(src.width / dst.width), f32(src.height / dst.height)];
  const coord = (d: number, f: number, n: number) => {
    const s = f32(f32(f32(d + 0.5) * f) - 0.5);
    const x = Math.floor(s);
    if (x < 0) return [0, 0] as const;
    if (x >= n - 1) return [n - 1, 0] as const;
    return [x, round(f32(f32(s - x) * one))] as const;
  };
  for (let y = 0; y < dst.height; y++) {
    const [sy, wy] = coord(y, fy, src.height);
    const r0 = src.ptr + sy * src.stride;
    const r1 = wy > 0 ? r0 + src.stride : r0;
    for (let x = 0; x < dst.width; x++) {
      const [sx, wx] = coord(x, fx, src.width);
      const nx = wx > 0 ? 1 : 0;
      const top = heap[r0 + sx]! * (one - wx) + heap[r0 + sx + nx]! * wx;
      const bottom = heap[r1 + sx]! * (one - wx) + heap[r1 + sx + nx]! * wx;
      heap[dst.ptr + y * dst.stride + x] = (top * (one - wy) + bottom * wy + (1 << 21)) >> 22;
    }
  }
}
