// Two builds of framekit A/B in one process, on the same inputs, their calls alternated so that the
// machine's load hits both alike (a shared machine makes separate runs minutes apart incomparable).
//   node bench/ab-builds.mjs BASE_CHECKOUT BRANCH_CHECKOUT [reps]     (each with `npm run build:ts` done)
// Prints the median ms per operation of each and the branch/base ratio. Works under Bun too.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [baseDir, branchDir] = process.argv.slice(2, 4);
if (!baseDir || !branchDir) throw new Error('usage: node bench/ab-builds.mjs BASE_CHECKOUT BRANCH_CHECKOUT [reps]');
const load = (dir) => import(pathToFileURL(resolve(dir, 'dist/ts/index.js')).href);
const A = await load(baseDir);
const B = await load(branchDir);
const W = 640,
  H = 480;
function noise(seed) {
  let s = seed >>> 0;
  const r = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const img = new Uint8Array(W * H);
  // smooth blobs + noise so FAST and LK have texture
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) img[y * W + x] = (128 + 60 * Math.sin(x / 7 + Math.sin(y / 11)) + 40 * Math.cos(y / 5) + r() * 20) | 0;
  return img;
}
const a0 = noise(1);
const b0 = new Uint8Array(W * H);
for (let y = 0; y < H; y++)
  for (let x = 0; x < W; x++) b0[y * W + x] = a0[Math.min(H - 1, Math.max(0, y - 2)) * W + Math.min(W - 1, Math.max(0, x - 3))];
async function setup(M) {
  const fk = await M.createFramekit({ maxWidth: W, maxHeight: H, frames: 8, scratchBytes: 32 << 20 });
  const a = fk.writePixels(fk.allocPlane(W, H, 'gray', { stride: W }), a0);
  const b = fk.writePixels(fk.allocPlane(W, H, 'gray', { stride: W }), b0);
  const rgba = fk.allocPlane(W, H, 'rgba');
  rgba.data.fill(90);
  const g = fk.allocPlane(W, H, 'gray');
  const kp = fk.fast(fk.allocKeypoints(1 << 16), a, { threshold: 20 });
  const xy = [];
  for (let i = 0; i < 1000; i++) {
    const k = Math.floor((i * kp.count) / 1000);
    xy.push(kp.x[k], kp.y[k]);
  }
  const pp = fk.allocFlowPyramid(W, H, { win: 21, maxLevel: 3 });
  const pn = fk.allocFlowPyramid(W, H, { win: 21, maxLevel: 3, derivatives: false });
  const pts = fk.allocFlowPoints(1000).setPrev(xy);
  fk.buildFlowPyramid(pp, a);
  fk.buildFlowPyramid(pn, b);
  const kps = fk.allocKeypoints(1 << 16);
  const half = fk.allocPlane(W / 2, H / 2, 'gray');
  const d16 = fk.allocPlane(W, H, 'i16');
  const tracker = new M.Tracker(fk, { width: W, height: H, features: 300 });
  let t = 0;
  return {
    gray: () => fk.gray(g, rgba),
    blur5: () => fk.gaussianBlur(g, a, 5),
    pyrdown: () => fk.pyrDown(half, a),
    sobel: () => fk.sobel(d16, a),
    fast: () => fk.fast(kps, a, { threshold: 20 }),
    'lk-track': () => fk.opticalFlow(pts, pp, pn),
    'lk-full': () => fk.opticalFlow(pts, fk.buildFlowPyramid(pp, a), fk.buildFlowPyramid(pn, b)),
    'track-frame': () => tracker.process(t++ & 1 ? a : b),
  };
}
const sa = await setup(A),
  sb = await setup(B);
const ops = Object.keys(sa);
const reps = Number(process.argv[4] ?? 60);
const now = () => performance.now();
const med = (v) => {
  const s = [...v].sort((x, y) => x - y);
  return s[s.length >> 1];
};
console.log(`runtime ${typeof Bun !== 'undefined' ? 'bun' : 'node ' + process.version}, ${W}x${H}, ${reps} interleaved reps`);
for (const op of ops) {
  const inner = op.startsWith('lk') || op === 'track-frame' ? 1 : 20;
  for (let i = 0; i < 5; i++) {
    sa[op]();
    sb[op]();
  }
  const ta = [],
    tb = [];
  for (let r = 0; r < reps; r++) {
    const first = r & 1 ? sa : sb;
    const second = r & 1 ? sb : sa;
    let t0 = now();
    for (let i = 0; i < inner; i++) first[op]();
    const d1 = (now() - t0) / inner;
    t0 = now();
    for (let i = 0; i < inner; i++) second[op]();
    const d2 = (now() - t0) / inner;
    if (r & 1) {
      ta.push(d1);
      tb.push(d2);
    } else {
      tb.push(d1);
      ta.push(d2);
    }
  }
  console.log(
    `${op.padEnd(12)} base ${med(ta).toFixed(3)} ms  branch ${med(tb).toFixed(3)} ms  branch/base ${(med(tb) / med(ta)).toFixed(3)}`,
  );
}
