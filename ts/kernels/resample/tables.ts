import { FramekitError } from '../../errors.js';

/**
 * A rational polyphase resampler's filter: output sample j lies at input position j * M / L
 * (in/out rates reduced by their gcd), so it uses phase (j * M) mod L of a windowed-sinc low-pass
 * sampled at L phases, `taps` input samples around floor(j * M / L). The filter: cutoff at 0.45 of
 * the lower rate (a 10% transition band below its Nyquist), Kaiser window (beta 8, about 80 dB
 * stopband), 16 zero crossings on each side, each phase normalised to unit gain at DC.
 */
export interface ResampleFilter {
  readonly inRate: number;
  readonly outRate: number;
  /** Output step in input samples is M / L. */
  readonly L: number;
  readonly M: number;
  /** Coefficients per output (a multiple of 4). */
  readonly taps: number;
  /** Cutoff in cycles per input sample. */
  readonly cutoff: number;
  /** L rows of `taps` f32: row p weighs inputs n - taps/2 + 1 .. n + taps/2 for an output at n + p / L. */
  readonly table: Float32Array;
}

/** Phases a filter table may have (L after reducing the rates): keeps the table under 1 MiB. */
export const MAX_PHASES = 2048;
const ZEROS = 16;
const BETA = 8;

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (series; for the Kaiser window). */
function bessel0(x: number): number {
  let s = 1;
  let t = 1;
  for (let k = 1; k < 50; k++) {
    t *= (x / (2 * k)) ** 2;
    s += t;
    if (t < 1e-17 * s) break;
  }
  return s;
}

/** The filter's impulse response at `t` input samples from the output's position (before normalisation). */
export function resampleKernel(t: number, cutoff: number, half: number): number {
  if (Math.abs(t) >= half) return 0;
  const x = 2 * cutoff * t;
  const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
  const r = t / half;
  return 2 * cutoff * sinc * (bessel0(BETA * Math.sqrt(1 - r * r)) / bessel0(BETA));
}

/** Builds the filter for `inRate` -> `outRate` (positive integers). Allocates: setup only. */
export function buildResampleFilter(inRate: number, outRate: number): ResampleFilter {
  for (const [name, v] of [
    ['inRate', inRate],
    ['outRate', outRate],
  ] as const)
    if (!Number.isInteger(v) || v < 1 || v > 768000)
      throw new FramekitError('E_ARGUMENT', `${name} must be an integer from 1 to 768000, got ${String(v)}`);
  const g = gcd(inRate, outRate);
  const L = outRate / g;
  const M = inRate / g;
  if (L > MAX_PHASES)
    throw new FramekitError('E_ARGUMENT', `resampling ${inRate} -> ${outRate} Hz needs ${L} filter phases; at most ${MAX_PHASES}`, { L });
  const cutoff = (0.45 * Math.min(inRate, outRate)) / inRate;
  const half = ZEROS / (2 * cutoff);
  const taps = Math.ceil((2 * Math.ceil(half)) / 4) * 4;
  const table = new Float32Array(L * taps);
  for (let p = 0; p < L; p++) {
    let sum = 0;
    const row = new Float64Array(taps);
    for (let k = 0; k < taps; k++) {
      row[k] = resampleKernel(k - taps / 2 + 1 - p / L, cutoff, half);
      sum += row[k]!;
    }
    for (let k = 0; k < taps; k++) table[p * taps + k] = row[k]! / sum;
  }
  return { inRate, outRate, L, M, taps, cutoff, table };
}
