// Whisper's log-mel spectrogram, one 10 ms column per call, read straight from a ring of f32 samples
// (see ts/kernels/mel for the parameters and the tables' layout, built by ts/kernels/mel/tables.ts):
//
//   x[j] = ring[(base + j') & mask] * hann[j], j in [0, 400), j' = j reflected below `lead` and above
//          399 - tail (reflect padding at the stream's start and end)
//   z[n] = x[2n] + i x[2n+1]                      the 400 real samples are 200 complex ones, in place
//   Z    = FFT_200(z)                             Stockham autosort, radices 5, 5, 4, 2
//   X[k] = (E + V_k O) / 2, E = Z[k] + conj Z[200-k], O = Z[k] - conj Z[200-k], k in [0, 200]
//   mel[m] = log10(max(sum_k fb[m][k] |X[k]|^2, 1e-10))
//
// Everything up to the mel energies is float64: the oracle (transformers.js) transforms in float64,
// and a float32 FFT's rounding noise sits about 140 dB under a frame's peak, well above the 1e-10
// floor for a loud tone; bands that far under the peak would then be off by more than 1e-4 in log10.
// A complex number is one f64x2 (re, im); a product by a stored twiddle (wr, wr, -wi, wi) is
// a * (wr, wr) + swap(a) * (-wi, wi). The scalar build does the same arithmetic on f64 pairs, in the
// same order. The log10 runs four bands at a time in f32 (the result is f32), with the fdlibm split
// x = 2^e * m, m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| < 0.172, and
// the series to s^9 (truncation error under 1e-9).

const C1: f64 = 0.30901699437494745; // cos(2 pi / 5)
const C2: f64 = -0.8090169943749473; // cos(4 pi / 5)
const S1: f64 = 0.9510565162951535; // sin(2 pi / 5)
const S2: f64 = 0.5877852522924732; // sin(4 pi / 5)
const HALF: i32 = 200;
const NFFT: i32 = 400;

// ---- complex helpers (SIMD build) ----
// @ts-ignore: decorator
@inline function swap(a: v128): v128 {
  return i64x2.shuffle(a, a, 1, 0);
}
// -i * a = (ai, -ar)
// @ts-ignore: decorator
@inline function mulNegI(a: v128): v128 {
  return f64x2.mul(swap(a), f64x2(1.0, -1.0));
}
// @ts-ignore: decorator
@inline function cmul(a: v128, t: usize): v128 {
  return f64x2.add(f64x2.mul(a, v128.load(t)), f64x2.mul(swap(a), v128.load(t, 16)));
}

// ---- one Stockham stage: y[q + s (r p + k)] = (sum_j x[q + s (p + j m)] W_r^(jk)) w_n^(pk) ----

function stage5(x: usize, y: usize, n: i32, s: i32, tw: usize): void {
  const m = n / 5;
  for (let p = 0; p < m; p++) {
    const t = tw + (<usize>p << 7);
    for (let q = 0; q < s; q++) {
      const i0 = x + (<usize>(q + s * p) << 4);
      const sm = <usize>(s * m) << 4;
      const o = y + (<usize>(q + s * 5 * p) << 4);
      const so = <usize>s << 4;
      if (ASC_FEATURE_SIMD) {
        const a0 = v128.load(i0);
        const a1 = v128.load(i0 + sm);
        const a2 = v128.load(i0 + 2 * sm);
        const a3 = v128.load(i0 + 3 * sm);
        const a4 = v128.load(i0 + 4 * sm);
        const t1 = f64x2.add(a1, a4);
        const t2 = f64x2.add(a2, a3);
        const t3 = f64x2.sub(a1, a4);
        const t4 = f64x2.sub(a2, a3);
        const c1 = f64x2.splat(C1);
        const c2 = f64x2.splat(C2);
        const s1 = f64x2.splat(S1);
        const s2 = f64x2.splat(S2);
        const u1 = f64x2.add(a0, f64x2.add(f64x2.mul(c1, t1), f64x2.mul(c2, t2)));
        const u2 = f64x2.add(a0, f64x2.add(f64x2.mul(c2, t1), f64x2.mul(c1, t2)));
        const v1 = mulNegI(f64x2.add(f64x2.mul(s1, t3), f64x2.mul(s2, t4)));
        const v2 = mulNegI(f64x2.sub(f64x2.mul(s2, t3), f64x2.mul(s1, t4)));
        v128.store(o, f64x2.add(a0, f64x2.add(t1, t2)));
        if (p == 0) {
          v128.store(o + so, f64x2.add(u1, v1));
          v128.store(o + 2 * so, f64x2.add(u2, v2));
          v128.store(o + 3 * so, f64x2.sub(u2, v2));
          v128.store(o + 4 * so, f64x2.sub(u1, v1));
        } else {
          v128.store(o + so, cmul(f64x2.add(u1, v1), t));
          v128.store(o + 2 * so, cmul(f64x2.add(u2, v2), t + 32));
          v128.store(o + 3 * so, cmul(f64x2.sub(u2, v2), t + 64));
          v128.store(o + 4 * so, cmul(f64x2.sub(u1, v1), t + 96));
        }
      } else {
        const a0r = load<f64>(i0), a0i = load<f64>(i0, 8);
        const a1r = load<f64>(i0 + sm), a1i = load<f64>(i0 + sm, 8);
        const a2r = load<f64>(i0 + 2 * sm), a2i = load<f64>(i0 + 2 * sm, 8);
        const a3r = load<f64>(i0 + 3 * sm), a3i = load<f64>(i0 + 3 * sm, 8);
        const a4r = load<f64>(i0 + 4 * sm), a4i = load<f64>(i0 + 4 * sm, 8);
        const t1r = a1r + a4r, t1i = a1i + a4i;
        const t2r = a2r + a3r, t2i = a2i + a3i;
        const t3r = a1r - a4r, t3i = a1i - a4i;
        const t4r = a2r - a3r, t4i = a2i - a3i;
        const u1r = a0r + (C1 * t1r + C2 * t2r), u1i = a0i + (C1 * t1i + C2 * t2i);
        const u2r = a0r + (C2 * t1r + C1 * t2r), u2i = a0i + (C2 * t1i + C1 * t2i);
        // v = -i * w: (wi, -wr)
        const v1r = S1 * t3i + S2 * t4i, v1i = -(S1 * t3r + S2 * t4r);
        const v2r = S2 * t3i - S1 * t4i, v2i = -(S2 * t3r - S1 * t4r);
        store<f64>(o, a0r + (t1r + t2r));
        store<f64>(o, a0i + (t1i + t2i), 8);
        cstore(o + so, u1r + v1r, u1i + v1i, t, p);
        cstore(o + 2 * so, u2r + v2r, u2i + v2i, t + 32, p);
        cstore(o + 3 * so, u2r - v2r, u2i - v2i, t + 64, p);
        cstore(o + 4 * so, u1r - v1r, u1i - v1i, t + 96, p);
      }
    }
  }
}

function stage4(x: usize, y: usize, n: i32, s: i32, tw: usize): void {
  const m = n / 4;
  for (let p = 0; p < m; p++) {
    const t = tw + <usize>p * 96;
    for (let q = 0; q < s; q++) {
      const i0 = x + (<usize>(q + s * p) << 4);
      const sm = <usize>(s * m) << 4;
      const o = y + (<usize>(q + s * 4 * p) << 4);
      const so = <usize>s << 4;
      if (ASC_FEATURE_SIMD) {
        const a0 = v128.load(i0);
        const a1 = v128.load(i0 + sm);
        const a2 = v128.load(i0 + 2 * sm);
        const a3 = v128.load(i0 + 3 * sm);
        const s02 = f64x2.add(a0, a2);
        const s13 = f64x2.add(a1, a3);
        const e = f64x2.sub(a0, a2);
        const d = mulNegI(f64x2.sub(a1, a3));
        v128.store(o, f64x2.add(s02, s13));
        if (p == 0) {
          v128.store(o + so, f64x2.add(e, d));
          v128.store(o + 2 * so, f64x2.sub(s02, s13));
          v128.store(o + 3 * so, f64x2.sub(e, d));
        } else {
          v128.store(o + so, cmul(f64x2.add(e, d), t));
          v128.store(o + 2 * so, cmul(f64x2.sub(s02, s13), t + 32));
          v128.store(o + 3 * so, cmul(f64x2.sub(e, d), t + 64));
        }
      } else {
        const a0r = load<f64>(i0), a0i = load<f64>(i0, 8);
        const a1r = load<f64>(i0 + sm), a1i = load<f64>(i0 + sm, 8);
        const a2r = load<f64>(i0 + 2 * sm), a2i = load<f64>(i0 + 2 * sm, 8);
        const a3r = load<f64>(i0 + 3 * sm), a3i = load<f64>(i0 + 3 * sm, 8);
        const s02r = a0r + a2r, s02i = a0i + a2i;
        const s13r = a1r + a3r, s13i = a1i + a3i;
        const er = a0r - a2r, ei = a0i - a2i;
        const dr = a1i - a3i, di = -(a1r - a3r);
        store<f64>(o, s02r + s13r);
        store<f64>(o, s02i + s13i, 8);
        cstore(o + so, er + dr, ei + di, t, p);
        cstore(o + 2 * so, s02r - s13r, s02i - s13i, t + 32, p);
        cstore(o + 3 * so, er - dr, ei - di, t + 64, p);
      }
    }
  }
}

// The last stage: radix 2 over n = 2 (m = 1, p = 0, no twiddles).
function stage2(x: usize, y: usize, s: i32): void {
  const so = <usize>s << 4;
  for (let q = 0; q < s; q++) {
    const i0 = x + (<usize>q << 4);
    const o = y + (<usize>q << 4);
    if (ASC_FEATURE_SIMD) {
      const a0 = v128.load(i0);
      const a1 = v128.load(i0 + so);
      v128.store(o, f64x2.add(a0, a1));
      v128.store(o + so, f64x2.sub(a0, a1));
    } else {
      const a0r = load<f64>(i0), a0i = load<f64>(i0, 8);
      const a1r = load<f64>(i0 + so), a1i = load<f64>(i0 + so, 8);
      store<f64>(o, a0r + a1r);
      store<f64>(o, a0i + a1i, 8);
      store<f64>(o + so, a0r - a1r);
      store<f64>(o + so, a0i - a1i, 8);
    }
  }
}

// Scalar: stores (re, im), times the twiddle at t unless p is 0 (then every twiddle is 1). The
// product is written as the SIMD build computes it: (re wr + (-im wi), im wr + re wi).
// @ts-ignore: decorator
@inline function cstore(o: usize, re: f64, im: f64, t: usize, p: i32): void {
  if (p == 0) {
    store<f64>(o, re);
    store<f64>(o, im, 8);
  } else {
    store<f64>(o, re * load<f64>(t) + im * load<f64>(t, 16));
    store<f64>(o, im * load<f64>(t, 8) + re * load<f64>(t, 24), 8);
  }
}

// Windowed samples into work as 400 f64 (= 200 interleaved complex values).
function gather(src: usize, mask: i32, base: i32, lead: i32, tail: i32, win: usize, work: usize): void {
  const start = base & mask;
  if (lead == 0 && tail == 0 && start + NFFT <= mask + 1) {
    const p = src + (<usize>start << 2);
    let j = 0;
    if (ASC_FEATURE_SIMD) {
      for (; j < NFFT; j += 4) {
        const v = v128.load(p + (<usize>j << 2));
        const o = <usize>j << 3;
        v128.store(work + o, f64x2.mul(f64x2.promote_low_f32x4(v), v128.load(win + o)));
        v128.store(work + o, f64x2.mul(f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 0)), v128.load(win + o, 16)), 16);
      }
    }
    for (; j < NFFT; j++) store<f64>(work + (<usize>j << 3), <f64>load<f32>(p + (<usize>j << 2)) * load<f64>(win + (<usize>j << 3)));
    return;
  }
  // A window that wraps the ring, or is reflected at an end of the stream: index by index.
  const last = NFFT - 1 - tail;
  for (let j = 0; j < NFFT; j++) {
    const k = j < lead ? 2 * lead - j : j > last ? 2 * last - j : j;
    const v = <f64>load<f32>(src + (<usize>((base + k) & mask) << 2));
    store<f64>(work + (<usize>j << 3), v * load<f64>(win + (<usize>j << 3)));
  }
}

// |X[k]|^2 for k in [0, 200] from Z (see the top of the file).
function power(z: usize, split: usize, out: usize): void {
  for (let k = 0; k <= HALF; k++) {
    const a = z + (<usize>(k == HALF ? 0 : k) << 4);
    const b = z + (<usize>(k == 0 ? 0 : HALF - k) << 4);
    const t = split + (<usize>k << 5);
    let xr: f64, xi: f64;
    if (ASC_FEATURE_SIMD) {
      const zk = v128.load(a);
      const zc = f64x2.mul(v128.load(b), f64x2(1.0, -1.0));
      const x = f64x2.add(f64x2.add(zk, zc), cmul(f64x2.sub(zk, zc), t));
      xr = f64x2.extract_lane(x, 0);
      xi = f64x2.extract_lane(x, 1);
    } else {
      const zr = load<f64>(a), zi = load<f64>(a, 8);
      const cr = load<f64>(b), ci = -load<f64>(b, 8);
      const or = zr - cr, oi = zi - ci;
      xr = zr + cr + (or * load<f64>(t) + oi * load<f64>(t, 16));
      xi = zi + ci + (oi * load<f64>(t, 8) + or * load<f64>(t, 24));
    }
    store<f64>(out + (<usize>k << 3), 0.25 * (xr * xr + xi * xi));
  }
}

// mel[m] = max(sum over the band's bins of weight * power, 1e-10), as f32.
function filterbank(pw: usize, heads: usize, weights: usize, bands: i32, out: usize): void {
  for (let m = 0; m < bands; m++) {
    const h = heads + <usize>m * 12;
    const first = load<i32>(h);
    const count = load<i32>(h, 4);
    const w = weights + (<usize>load<i32>(h, 8) << 3);
    const p = pw + (<usize>first << 3);
    let acc: f64 = 0;
    let i = 0;
    if (ASC_FEATURE_SIMD) {
      let v = f64x2.splat(0);
      for (; i + 2 <= count; i += 2) v = f64x2.add(v, f64x2.mul(v128.load(w + (<usize>i << 3)), v128.load(p + (<usize>i << 3))));
      acc = f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
    }
    for (; i < count; i++) acc += load<f64>(w + (<usize>i << 3)) * load<f64>(p + (<usize>i << 3));
    store<f32>(out + (<usize>m << 2), <f32>max(acc, 1e-10));
  }
}

const SQRT_HALF_BITS: i32 = 0x3f3504f3;
const LOG10_2: f32 = 0.30102999566398120;
const LOG10_E: f32 = 0.43429448190325182;

// log10 of n positive normal f32 in place (n a multiple of 4 in the SIMD loop; the scalar loop takes the rest).
function log10InPlace(p: usize, n: i32): void {
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    for (; i + 4 <= n; i += 4) {
      const a = p + (<usize>i << 2);
      const bits = i32x4.sub(v128.load(a), i32x4.splat(SQRT_HALF_BITS));
      const e = f32x4.convert_i32x4_s(i32x4.shr_s(bits, 23));
      const f = f32x4.sub(i32x4.add(v128.and(bits, i32x4.splat(0x7fffff)), i32x4.splat(SQRT_HALF_BITS)), f32x4.splat(1));
      const s = f32x4.div(f, f32x4.add(f32x4.splat(2), f));
      const z = f32x4.mul(s, s);
      let r = f32x4.add(f32x4.splat(<f32>(2.0 / 7.0)), f32x4.mul(z, f32x4.splat(<f32>(2.0 / 9.0))));
      r = f32x4.add(f32x4.splat(<f32>(2.0 / 5.0)), f32x4.mul(z, r));
      r = f32x4.add(f32x4.splat(<f32>(2.0 / 3.0)), f32x4.mul(z, r));
      r = f32x4.mul(s, f32x4.add(f32x4.splat(2), f32x4.mul(z, r)));
      v128.store(a, f32x4.add(f32x4.mul(e, f32x4.splat(LOG10_2)), f32x4.mul(r, f32x4.splat(LOG10_E))));
    }
  }
  for (; i < n; i++) {
    const a = p + (<usize>i << 2);
    const bits = load<i32>(a) - SQRT_HALF_BITS;
    const e = <f32>(bits >> 23);
    const f = reinterpret<f32>((bits & 0x7fffff) + SQRT_HALF_BITS) - 1;
    const s = f / (2 + f);
    const z = s * s;
    let r: f32 = <f32>(2.0 / 7.0) + z * <f32>(2.0 / 9.0);
    r = <f32>(2.0 / 5.0) + z * r;
    r = <f32>(2.0 / 3.0) + z * r;
    r = s * (2 + z * r);
    store<f32>(a, e * LOG10_2 + r * LOG10_E);
  }
}

/**
 * One log-mel column: the 400-sample window at ring index `base` of the f32 ring at `src` (cells
 * `index & mask`), reflected below window index `lead` and above 399 - `tail`, into `bands` f32 at
 * `out`. `tables` is the block ts/kernels/mel/tables.ts lays out; `work` holds MEL_WORK_BYTES.
 */
export function mel_column(src: usize, mask: i32, base: i32, lead: i32, tail: i32, tables: usize, out: usize, work: usize): void {
  const a = work;
  const b = work + (<usize>HALF << 4);
  const pw = work + (<usize>HALF << 5);
  gather(src, mask, base, lead, tail, tables + <usize>load<i32>(tables), a);
  let tw = tables + <usize>load<i32>(tables, 4);
  // 200 = 5 * 5 * 4 * 2; each stage's twiddle block holds m * (r - 1) entries of 32 bytes.
  stage5(a, b, 200, 1, tw);
  tw += 40 * 4 * 32;
  stage5(b, a, 40, 5, tw);
  tw += 8 * 4 * 32;
  stage4(a, b, 8, 25, tw);
  stage2(b, a, 100);
  power(a, tables + <usize>load<i32>(tables, 8), pw);
  const bands = load<i32>(tables, 20);
  filterbank(pw, tables + <usize>load<i32>(tables, 12), tables + <usize>load<i32>(tables, 16), bands, out);
  log10InPlace(out, bands);
}

/** Level of `n` f32 samples: out[0] = root mean square, out[1] = peak |sample| (f32 each). */
export function audio_level(src: usize, n: i32, out: usize): void {
  let sum: f32 = 0;
  let peak: f32 = 0;
  let i = 0;
  if (ASC_FEATURE_SIMD) {
    let s = f32x4.splat(0);
    let m = f32x4.splat(0);
    for (; i + 4 <= n; i += 4) {
      const v = v128.load(src + (<usize>i << 2));
      s = f32x4.add(s, f32x4.mul(v, v));
      m = f32x4.max(m, f32x4.abs(v));
    }
    sum = f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + (f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3));
    peak = max(max(f32x4.extract_lane(m, 0), f32x4.extract_lane(m, 1)), max(f32x4.extract_lane(m, 2), f32x4.extract_lane(m, 3)));
  }
  for (; i < n; i++) {
    const v = load<f32>(src + (<usize>i << 2));
    sum += v * v;
    peak = max(peak, abs(v));
  }
  store<f32>(out, n > 0 ? sqrt<f32>(sum / <f32>n) : 0);
  store<f32>(out, peak, 4);
}

