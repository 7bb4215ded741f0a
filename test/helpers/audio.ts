import { readFileSync } from 'node:fs';
import { decodeWav } from '../../ts/io/wav.js';
import { mulberry32 } from './index.js';
import { fixturePath } from './index.js';

/** The committed speech clip (espeak-ng, 16 kHz mono s16) as f32. */
export function speechClip(): Float32Array {
  return decodeWav(readFileSync(fixturePath('speech-16k.wav')), 'speech-16k.wav').samples;
}

/** Its speech segments in samples, from how it was assembled (test/fixtures/LICENSES.md). */
export const SPEECH_SEGMENTS: ReadonlyArray<readonly [number, number]> = [
  [9600, 58103],
  [72503, 128654],
];

/** Seeded uniform white noise in [-amp, amp). */
export function whiteNoise(n: number, amp: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (2 * r() - 1) * amp;
  return out;
}

/** An exponential sine sweep from f0 to f1 Hz over n samples at 16 kHz. */
export function sineSweep(n: number, f0: number, f1: number, amp: number): Float32Array {
  const out = new Float32Array(n);
  const T = n / 16000;
  const k = Math.log(f1 / f0);
  for (let i = 0; i < n; i++) {
    const t = i / 16000;
    out[i] = amp * Math.sin(((2 * Math.PI * f0 * T) / k) * (Math.exp((t / T) * k) - 1));
  }
  return out;
}
