import { describe, expect, test } from 'bun:test';
import { SampleRing, type Framekit } from '../../ts/index.js';
import { MelSpectrogram, MelStream, whisperNormalize } from '../../ts/kernels/mel/api.js';
import { audioLevelReference, melColumnReference } from '../../ts/kernels/mel/reference.js';
import { buildMelTables, hannWindow, MEL_HOP, slaneyFilterbank, type MelBands } from '../../ts/kernels/mel/tables.js';
import { framekits, mulberry32 } from '../helpers/index.js';
import { sineSweep, speechClip, whiteNoise } from '../helpers/audio.js';
// The oracle: transformers.js's Whisper feature extractor (a pinned development dependency), built
// from a config object (no download). Its `spectrogram` and `mel_filter_bank` are internal, imported
// from the package's source to get the raw log10 mel before Whisper's normalisation.
import { WhisperFeatureExtractor } from '@huggingface/transformers';
// @ts-expect-error: an internal module of the pinned package, untyped
import { mel_filter_bank, spectrogram, window_function } from '../../node_modules/@huggingface/transformers/src/utils/audio.js';

const fks = await framekits({ arenaBytes: 8 << 20 });
const TOL = 1e-4;
/** Tests that run the oracle get a minute: its first call loads ONNX Runtime, and the machine may be shared. */
const SLOW = 60_000;

function extractor(bands: MelBands) {
  return new WhisperFeatureExtractor({
    feature_size: bands,
    sampling_rate: 16000,
    hop_length: 160,
    chunk_length: 30,
    n_fft: 400,
    n_samples: 480000,
    nb_max_frames: 3000,
    padding_value: 0,
    return_attention_mask: false,
  } as never) as unknown as {
    window: Float64Array;
    config: { mel_filters: number[][] };
    _call(a: Float32Array): Promise<{ input_features: { data: Float32Array; dims: number[] } }>;
  };
}

/** transformers.js's raw log10 mel of `audio`: [bands][floor(n / 160)] row-major. */
async function oracleLog10(audio: Float32Array, bands: MelBands): Promise<{ data: Float32Array; frames: number }> {
  const fe = extractor(bands);
  const frames = Math.floor(audio.length / MEL_HOP);
  const s = (await spectrogram(audio, fe.window, 400, 160, {
    power: 2,
    mel_filters: fe.config.mel_filters,
    log_mel: 'log10',
    max_num_frames: frames,
  })) as {
    data: Float32Array;
  };
  return { data: s.data, frames };
}

/**
 * framekit's streaming mel over `audio`: pushed into a SampleRing in blocks of seeded random sizes,
 * each column computed as soon as its window is in, the ring drained up to `keepFrom`, then `finish`.
 * Returns [column][band].
 */
function streamMel(fk: Framekit, audio: Float32Array, bands: MelBands, seed = 7): Float32Array[] {
  const mel = new MelSpectrogram(fk, { bands });
  const ring = new SampleRing(fk, 4096);
  ring.push(new Float32Array(37)); // start the stream off the ring's first cell
  ring.skip(37);
  const stream = new MelStream(mel, ring);
  const max = 64;
  const out = fk.arena.alloc(max * bands * 4);
  const cols: Float32Array[] = [];
  const take = (n: number) => {
    for (let i = 0; i < n; i++) cols.push(new Float32Array(fk.heap.buffer, out.ptr + i * bands * 4, bands).slice());
  };
  const rnd = mulberry32(seed);
  let pushed = 0;
  let consumed = 0;
  while (pushed < audio.length) {
    const n = Math.min(audio.length - pushed, 1 + Math.floor(rnd() * 1500), ring.free);
    expect(ring.push(audio.subarray(pushed, pushed + n))).toBe(true);
    pushed += n;
    let k;
    while ((k = stream.advance(pushed, out.ptr, max)) > 0) take(k);
    const drop = stream.keepFrom - consumed;
    expect(ring.skip(drop)).toBe(true);
    consumed += drop;
  }
  let k;
  while ((k = stream.finish(audio.length, out.ptr, max)) > 0) take(k);
  fk.arena.free(out);
  ring.dispose();
  mel.dispose();
  return cols;
}

function maxDiff(cols: Float32Array[], oracle: { data: Float32Array; frames: number }, bands: number): number {
  let worst = 0;
  for (let t = 0; t < oracle.frames; t++)
    for (let m = 0; m < bands; m++) worst = Math.max(worst, Math.abs(cols[t]![m]! - oracle.data[m * oracle.frames + t]!));
  return worst;
}

describe('mel tables', () => {
  test('Slaney filterbank and Hann window equal transformers.js mel_filter_bank / window_function', () => {
    for (const bands of [80, 128]) {
      const ours = slaneyFilterbank(bands);
      const theirs = mel_filter_bank(201, bands, 0, 8000, 16000, 'slaney', 'slaney') as number[][];
      let worst = 0;
      for (let m = 0; m < bands; m++) for (let k = 0; k < 201; k++) worst = Math.max(worst, Math.abs(ours[m]![k]! - theirs[m]![k]!));
      expect(worst).toBeLessThan(1e-12);
    }
    const w = window_function(400, 'hann') as Float64Array;
    const h = hannWindow();
    for (let i = 0; i < 400; i++) expect(Math.abs(h[i]! - w[i]!)).toBeLessThan(1e-15);
  });
  test('every band has weights; the sparse form keeps every non-zero weight', () => {
    const t = buildMelTables(128);
    const nz = t.filterbank.reduce((s, row) => s + row.filter((v) => v !== 0).length, 0);
    expect(nz).toBeGreaterThan(200);
    for (const row of t.filterbank) expect(row.some((v) => v > 0)).toBe(true);
  });
});

describe('mel column: every implementation equals the reference', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: random rings, wrapped windows, reflected leads and tails, 80 and 128 bands, guard bytes`, () => {
      const cap = 1024;
      const ring = new SampleRing(fk, cap);
      const cells = ring.cells;
      const r = mulberry32(11);
      for (let i = 0; i < cap; i++) cells[i] = (r() * 2 - 1) * (i % 7 === 0 ? 0.9 : 0.05);
      for (const bands of [80, 128] as const) {
        const mel = new MelSpectrogram(fk, { bands });
        const region = fk.arena.alloc(bands * 4 + 64);
        const out = region.ptr + 32;
        const ref = fk.arena.alloc(bands * 4);
        const cases: Array<[number, number, number]> = [
          [0, 0, 0],
          [1, 0, 0],
          [cap - 400, 0, 0],
          [cap - 399, 0, 0], // wraps by one sample
          [cap - 3, 0, 0],
          [-200, 200, 0],
          [-40, 40, 0],
          [500, 0, 40],
          [600, 0, 200],
          [(2 ** 31 - 5) | 0, 0, 0], // ring index counters wrap at 2^32
          [777, 13, 17],
        ];
        for (const [base, lead, tail] of cases) {
          fk.heap.fill(0xa5, region.ptr, region.ptr + region.size);
          mel.column(out, ring.storagePtr, cap, base, lead, tail);
          melColumnReference(fk.heap, ring.storagePtr, cap - 1, base, lead, tail, mel.tables.ptr, ref.ptr);
          const a = new Float32Array(fk.heap.buffer, out, bands);
          const b = new Float32Array(fk.heap.buffer, ref.ptr, bands);
          let worst = 0;
          for (let m = 0; m < bands; m++) worst = Math.max(worst, Math.abs(a[m]! - b[m]!));
          expect(worst).toBeLessThan(1e-5);
          for (let i = region.ptr; i < out; i++) expect(fk.heap[i]).toBe(0xa5);
          for (let i = out + bands * 4; i < region.ptr + region.size; i++) expect(fk.heap[i]).toBe(0xa5);
        }
        fk.arena.free(region);
        fk.arena.free(ref);
        mel.dispose();
      }
      ring.dispose();
    });

    test(`${backend}: bad arguments are typed errors`, () => {
      const mel = new MelSpectrogram(fk);
      const ring = new SampleRing(fk, 1024);
      const out = fk.arena.alloc(80 * 4);
      const codeOf = (f: () => void) => {
        try {
          f();
        } catch (e) {
          return (e as { code?: string }).code;
        }
        return 'none';
      };
      expect(codeOf(() => mel.column(out.ptr, ring.storagePtr, 1000, 0))).toBe('E_ARGUMENT');
      expect(codeOf(() => mel.column(out.ptr, ring.storagePtr, 1024, 0, 201))).toBe('E_ARGUMENT');
      expect(codeOf(() => mel.column(8, ring.storagePtr, 1024, 0))).toBe('E_OUT_OF_BOUNDS');
      expect(codeOf(() => mel.column(ring.storagePtr + 64, ring.storagePtr, 1024, 0))).toBe('E_ARGUMENT');
      expect(codeOf(() => new MelSpectrogram(fk, { bands: 64 as MelBands }))).toBe('E_ARGUMENT');
      fk.arena.free(out);
      ring.dispose();
      mel.dispose();
      expect(codeOf(() => mel.column(out.ptr, ring.storagePtr, 1024, 0))).toBe('E_STATE');
    });

    test(`${backend}: a stream asked for samples the ring does not hold is E_STATE, and nothing is written`, () => {
      const mel = new MelSpectrogram(fk);
      const ring = new SampleRing(fk, 1024);
      const stream = new MelStream(mel, ring);
      const out = fk.arena.alloc(80 * 4 * 4);
      fk.heap.fill(0xa5, out.ptr, out.ptr + out.size);
      ring.push(new Float32Array(300));
      const codeOf = (f: () => void) => {
        try {
          f();
        } catch (e) {
          return (e as { code?: string }).code;
        }
        return 'none';
      };
      expect(codeOf(() => stream.advance(500, out.ptr, 4))).toBe('E_STATE'); // column 1 needs samples not pushed
      expect(stream.next).toBe(1); // column 0 was in and is done; column 1's row is untouched
      for (let i = out.ptr + 320; i < out.ptr + out.size; i++) expect(fk.heap[i]).toBe(0xa5);
      ring.push(new Float32Array(600));
      ring.skip(400); // drops samples column 1 still reads ([-40, 360) reflects to [0, 360))
      expect(codeOf(() => stream.advance(900, out.ptr, 4))).toBe('E_STATE');
      fk.arena.free(out);
      ring.dispose();
      mel.dispose();
    });

    test(`${backend}: RMS and peak of 0..70 samples at unaligned starts equal the reference`, () => {
      const region = fk.arena.alloc(4 * 80);
      const out = fk.arena.alloc(32);
      const ref = fk.arena.alloc(16);
      const r = mulberry32(5);
      const f = new Float32Array(fk.heap.buffer, region.ptr, 80);
      for (let i = 0; i < 80; i++) f[i] = (r() * 2 - 1) * 0.7;
      for (let n = 0; n <= 70; n++) {
        const src = region.ptr + 4 * (n % 5);
        fk.heap.fill(0xa5, out.ptr, out.ptr + 32);
        fk.kernels.mel.level(src, n, out.ptr + 8);
        audioLevelReference(fk.heap, src, n, ref.ptr);
        const a = new Float32Array(fk.heap.buffer, out.ptr + 8, 2);
        const b = new Float32Array(fk.heap.buffer, ref.ptr, 2);
        expect(Math.abs(a[0]! - b[0]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, b[0]!));
        expect(a[1]).toBe(b[1]!);
        for (let i = 0; i < 8; i++) expect(fk.heap[out.ptr + i]).toBe(0xa5);
        for (let i = 16; i < 32; i++) expect(fk.heap[out.ptr + i]).toBe(0xa5);
      }
      for (const g of [region, out, ref]) fk.arena.free(g);
    });
  }
});

describe('streaming mel equals transformers.js WhisperFeatureExtractor (raw log10, max |diff| <= 1e-4)', () => {
  const speech = speechClip();
  const signals: Array<[string, Float32Array]> = [
    ['speech (espeak-ng fixture, 8.6 s)', speech],
    ['white noise', whiteNoise(3 * 16000 + 17, 0.3, 3)],
    ['quiet noise', whiteNoise(16000, 1e-4, 4)],
    ['sine sweep 40 Hz - 7.9 kHz', sineSweep(3 * 16000 + 11, 40, 7900, 0.5)],
    ['silence', new Float32Array(16000 + 123)],
  ];
  for (const [backend, fk] of fks) {
    for (const [name, audio] of signals) {
      if (backend === 'reference' && audio !== speech) continue; // the plain DFT is slow: speech only
      test(
        `${backend}: ${name}, 80 bands`,
        async () => {
          const oracle = await oracleLog10(audio, 80);
          const cols = streamMel(fk, audio, 80);
          expect(cols.length).toBe(Math.floor(audio.length / MEL_HOP) + 1);
          expect(maxDiff(cols, oracle, 80)).toBeLessThanOrEqual(TOL);
        },
        SLOW,
      );
    }
    if (backend !== 'reference')
      test(
        `${backend}: speech, 128 bands`,
        async () => {
          const oracle = await oracleLog10(speech, 128);
          expect(maxDiff(streamMel(fk, speech, 128, 9), oracle, 128)).toBeLessThanOrEqual(TOL);
        },
        SLOW,
      );
  }
});

describe("Whisper's normalisation", () => {
  test(
    'whisperNormalize over a 30 s window equals the extractor output (speech zero-padded to 30 s)',
    async () => {
      const [, fk] = fks[2]!;
      const padded = new Float32Array(480000);
      padded.set(speechClip());
      const cols = streamMel(fk, padded, 80, 3);
      const raw = new Float32Array(80 * 3000);
      for (let t = 0; t < 3000; t++) for (let m = 0; m < 80; m++) raw[m * 3000 + t] = cols[t]![m]!;
      const ours = whisperNormalize(new Float32Array(raw.length), raw);
      const theirs = (await extractor(80)._call(speechClip())).input_features;
      expect(theirs.dims).toEqual([1, 80, 3000]);
      let worst = 0;
      for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - theirs.data[i]!));
      expect(worst).toBeLessThanOrEqual(TOL);
      // The floor at max - 8 is in force (speech then silence): some values sit on it.
      let min = Infinity;
      for (const v of ours) min = Math.min(min, v);
      let max = -Infinity;
      for (const v of ours) max = Math.max(max, v);
      expect(max - min).toBeCloseTo(2, 5);
    },
    SLOW,
  );
});
