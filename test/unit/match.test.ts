import { describe, expect, test } from 'bun:test';
import { type Descriptors, type Framekit, type Matches } from '../../ts/index.js';
import { hamming } from '../../ts/kernels/match/reference.js';
import { framekits, openCV, mulberry32, errorCode } from '../helpers/index.js';

const fks = await framekits();

/** `na` random descriptors, and `nb` train descriptors of which some are noisy copies of query rows (shuffled). */
function fill(fk: Framekit, na: number, nb: number, seed: number): [Descriptors, Descriptors] {
  const r = mulberry32(seed);
  const q = fk.allocDescriptors(Math.max(1, na));
  const t = fk.allocDescriptors(Math.max(1, nb));
  for (let i = 0; i < na * 32; i++) q.data[i] = (r() * 256) | 0;
  for (let j = 0; j < nb; j++) {
    const src = na > 0 && r() < 0.6 ? (r() * na) | 0 : -1;
    for (let k = 0; k < 32; k++) t.data[j * 32 + k] = src >= 0 ? q.data[src * 32 + k]! : (r() * 256) | 0;
    // A few flipped bits, sometimes none (ties and exact matches happen).
    const flips = src >= 0 ? (r() * 40) | 0 : 0;
    for (let f = 0; f < flips; f++) {
      const bit = (r() * 256) | 0;
      t.data[j * 32 + (bit >> 3)]! ^= 1 << (bit & 7);
    }
  }
  q.count = na;
  t.count = nb;
  return [q, t];
}

const list = (m: Matches) => Array.from({ length: m.count }, (_, k) => [m.queryIdx[k]!, m.trainIdx[k]!, m.distance[k]!]);

/** The matches by their definition, from distances computed byte by byte. */
function naive(q: Descriptors, t: Descriptors, o: { crossCheck?: boolean; ratio?: number }): number[][] {
  const out: number[][] = [];
  const nearest = (i: number) => {
    let [bj, b1, b2] = [-1, Infinity, Infinity];
    for (let j = 0; j < t.count; j++) {
      const d = hamming(q.data, i, t.data, j);
      if (d < b1) [b2, b1, bj] = [b1, d, j];
      else if (d < b2) b2 = d;
    }
    return [bj, b1, b2] as const;
  };
  for (let i = 0; i < q.count; i++) {
    const [j, d1, d2] = nearest(i);
    if (j < 0) continue;
    if (o.crossCheck) {
      let [bi, bd] = [-1, Infinity];
      for (let k = 0; k < q.count; k++) {
        const d = hamming(q.data, k, t.data, j);
        if (d < bd) [bi, bd] = [k, d];
      }
      if (bi !== i) continue;
    }
    if (o.ratio !== undefined && !(d1 < o.ratio * d2)) continue;
    out.push([i, j, d1]);
  }
  return out;
}

const OPTIONS = [{}, { crossCheck: true }, { ratio: 0.8 }, { crossCheck: true, ratio: 0.7 }];

describe('match: every implementation equals the definition', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: sizes 0..13 both ways, and 500 x 517`, () => {
      const out = fk.allocMatches(1000);
      let seed = 1;
      const sizes: Array<[number, number]> = [];
      for (let na = 0; na <= 13; na++) for (let nb = 0; nb <= 13; nb += 3) sizes.push([na, nb]);
      sizes.push([500, 517]);
      for (const [na, nb] of sizes) {
        const [q, t] = fill(fk, na, nb, seed++);
        for (const o of OPTIONS) expect(list(fk.match(out, q, t, o))).toEqual(naive(q, t, o));
        fk.arena.free(q.region);
        fk.arena.free(t.region);
      }
      fk.arena.free(out.region);
    });
  }
});

describe('match: the same matches as OpenCV.js BFMatcher(NORM_HAMMING)', async () => {
  const { cv } = await openCV();
  const [, fk] = fks[2]!;
  const mat = (d: Descriptors) => {
    const m = new cv.Mat(d.count, 32, cv.CV_8U);
    m.data.set(d.data.subarray(0, d.count * 32));
    return m;
  };
  for (const [na, nb] of [
    [300, 400],
    [97, 61],
    [500, 500],
  ] as const) {
    test(`${na} x ${nb}: match with and without cross-check, knnMatch(2) with the ratio test`, () => {
      const [q, t] = fill(fk, na, nb, na + nb);
      const [mq, mt] = [mat(q), mat(t)];
      const out = fk.allocMatches(na);
      for (const crossCheck of [false, true]) {
        const bf = new cv.BFMatcher(cv.NORM_HAMMING, crossCheck);
        const v = new cv.DMatchVector();
        bf.match(mq, mt, v);
        const theirs = [];
        for (let k = 0; k < v.size(); k++) {
          const m = v.get(k);
          theirs.push([m.queryIdx, m.trainIdx, m.distance]);
        }
        expect(list(fk.match(out, q, t, { crossCheck }))).toEqual(theirs);
        v.delete();
        bf.delete();
      }
      const bf = new cv.BFMatcher(cv.NORM_HAMMING, false);
      const vv = new cv.DMatchVectorVector();
      bf.knnMatch(mq, mt, vv, 2);
      const theirs = [];
      for (let i = 0; i < vv.size(); i++) {
        const pair = vv.get(i);
        const [a, b] = [pair.get(0), pair.get(1)];
        if (a.distance < 0.75 * b.distance) theirs.push([a.queryIdx, a.trainIdx, a.distance]);
        pair.delete();
      }
      expect(list(fk.match(out, q, t, { ratio: 0.75 }))).toEqual(theirs);
      [vv, bf, mq, mt].forEach((m) => m.delete());
      [q, t, out].forEach((x) => fk.arena.free(x.region));
    });
  }
});

describe('match: capacity and bad input', () => {
  for (const [backend, fk] of fks) {
    test(`${backend}: a short list keeps the first matches and writes nothing past them; typed errors`, () => {
      const [q, t] = fill(fk, 40, 40, 9);
      const out = fk.allocMatches(5); // each field rounds up to 8 entries
      for (const a of [out.queryIdx, out.trainIdx, out.distance]) new Int32Array(a.buffer, a.byteOffset, 8).fill(-99);
      fk.match(out, q, t);
      expect(out.count).toBe(5);
      expect(list(out)).toEqual(naive(q, t, {}).slice(0, 5));
      for (const a of [out.queryIdx, out.trainIdx, out.distance])
        expect(Array.from(new Int32Array(a.buffer, a.byteOffset + 20, 3))).toEqual([-99, -99, -99]);
      const code = errorCode;
      expect(code(() => fk.match(out, q, t, { ratio: 0 }))).toBe('E_ARGUMENT');
      expect(code(() => fk.match(out, q, t, { ratio: 1.5 }))).toBe('E_ARGUMENT');
      expect(code(() => fk.match(out, q, t, { maxDistance: -1 }))).toBe('E_ARGUMENT');
      q.count = 41;
      expect(code(() => fk.match(out, q, t))).toBe('E_ARGUMENT');
      q.count = 0;
      expect(fk.match(out, q, t).count).toBe(0);
      expect(code(() => fk.allocDescriptors(0))).toBe('E_ARGUMENT');
      [q, t, out].forEach((x) => fk.arena.free(x.region));
    });
  }
});
