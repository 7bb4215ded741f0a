/*
 * Registration pairs with known homographies, and the two pipelines compared on them: framekit's
 * (ORB, cross-checked Hamming matches, RANSAC homography refitted on window-aligned points, as
 * `framekit match` runs them) and OpenCV.js's
 * (cv.ORB, cv.BFMatcher with cross-check, cv.findHomography with RANSAC). Shared by the unit test
 * (test/unit/registration.test.ts) and the bench script (bench/registration.bench.ts).
 *
 * A pair: view A is a photograph (gray), view B the same photograph seen as a plane rotated out of
 * its own plane by some degrees about an axis through its centre, by a pinhole camera, rendered with
 * OpenCV.js cv.warpPerspective (INTER_LINEAR, constant black border), then blurred (cv.GaussianBlur)
 * and given seeded Gaussian noise. The true homography takes A's pixels to B's.
 */
import type { Framekit, HomographyOptions } from '../../ts/index.js';
import type { RegisterOptions } from '../../ts/features/register.js';
import { registerPair } from '../../ts/features/register.js';
import type { CV } from '../../ts/cli/peers.js';

/** A gray image, packed rows. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface RegistrationPair {
  name: string;
  a: GrayImage;
  b: GrayImage;
  /** The true homography taking A's pixels to B's, row-major. */
  truth: Float64Array;
}

/** How a pair is made: the out-of-plane tilt, its axis, an in-plane turn, blur and noise. */
export interface ViewChange {
  /** Out-of-plane rotation, degrees. */
  tilt: number;
  /** Direction of the tilt axis in the plane, degrees from the x axis. */
  axis: number;
  /** In-plane rotation applied before the tilt, degrees. */
  roll: number;
  /** Gaussian blur sigma of view B, pixels (0: none). */
  blur: number;
  /** Standard deviation of the additive Gaussian noise of view B, gray levels. */
  noise: number;
  seed: number;
}

/** mulberry32, as the unit suites use. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const mul = (a: ArrayLike<number>, b: ArrayLike<number>): Float64Array => {
  const r = new Float64Array(9);
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++) r[i * 3 + j] = a[i * 3]! * b[j]! + a[i * 3 + 1]! * b[3 + j]! + a[i * 3 + 2]! * b[6 + j]!;
  return r;
};

/** Where `h` takes (x, y). */
export function apply(h: ArrayLike<number>, x: number, y: number): [number, number] {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  return [(h[0]! * x + h[1]! * y + h[2]!) / w, (h[3]! * x + h[4]! * y + h[5]!) / w];
}

/**
 * The homography of a view change of a w x h image: the image is a plane through the camera's
 * optical axis at distance f (so that, untilted, it maps onto itself), turned by `roll` in its plane,
 * tilted by `tilt` about the in-plane axis at angle `axis`, then scaled so that its projection fits in
 * the frame with a margin, and centred.
 */
export function viewHomography(w: number, h: number, v: ViewChange): Float64Array {
  const f = 1.1 * Math.max(w, h);
  const rad = Math.PI / 180;
  const [ca, sa] = [Math.cos(v.axis * rad), Math.sin(v.axis * rad)];
  const [ct, st] = [Math.cos(v.tilt * rad), Math.sin(v.tilt * rad)];
  // Rodrigues for the axis (ca, sa, 0).
  const R = [
    ct + ca * ca * (1 - ct),
    ca * sa * (1 - ct),
    sa * st,
    ca * sa * (1 - ct),
    ct + sa * sa * (1 - ct),
    -ca * st,
    -sa * st,
    ca * st,
    ct,
  ];
  const [cr, sr] = [Math.cos(v.roll * rad), Math.sin(v.roll * rad)];
  const roll = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  const Rr = mul(R, roll);
  // Plane point (X, Y) (centred pixels) -> camera R [X Y 0] + [0 0 f] -> image f (x/z) + c.
  const K = [f, 0, w / 2, 0, f, h / 2, 0, 0, 1];
  const centre = [1, 0, -w / 2, 0, 1, -h / 2, 0, 0, 1];
  const P = [Rr[0]!, Rr[1]!, 0, Rr[3]!, Rr[4]!, 0, Rr[6]!, Rr[7]!, f];
  let H = mul(K, mul(P, centre));
  // Fit: scale about the centre so that the corners' projection spans at most 90% of the frame.
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (const [x, y] of [
    [0, 0],
    [w, 0],
    [w, h],
    [0, h],
  ] as const) {
    const [u, q] = apply(H, x, y);
    [x0, y0, x1, y1] = [Math.min(x0, u), Math.min(y0, q), Math.max(x1, u), Math.max(y1, q)];
  }
  const s = Math.min(1, (0.9 * w) / (x1 - x0), (0.9 * h) / (y1 - y0));
  const fit = [s, 0, w / 2 - s * ((x0 + x1) / 2), 0, s, h / 2 - s * ((y0 + y1) / 2), 0, 0, 1];
  H = mul(fit, H);
  for (let k = 0; k < 9; k++) H[k] = H[k]! / H[8]!;
  return H;
}

/** View B of `a` under the view change `v`, rendered by OpenCV.js, blurred and noised; with its truth. */
export function makePair(cv: CV, name: string, a: GrayImage, v: ViewChange): RegistrationPair {
  const truth = viewHomography(a.width, a.height, v);
  const src = new cv.Mat(a.height, a.width, cv.CV_8UC1);
  src.data.set(a.data);
  const warped = new cv.Mat();
  const M = cv.matFromArray(3, 3, cv.CV_64F, Array.from(truth));
  cv.warpPerspective(src, warped, M, new cv.Size(a.width, a.height), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(0));
  if (v.blur > 0) cv.GaussianBlur(warped, warped, new cv.Size(0, 0), v.blur, v.blur, cv.BORDER_REFLECT_101);
  const data = new Uint8Array(warped.data as Uint8Array);
  const rnd = mulberry32(v.seed);
  for (let i = 0; i < data.length; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    data[i] = Math.max(0, Math.min(255, Math.round(data[i]! + v.noise * g)));
  }
  [src, warped, M].forEach((m) => m.delete());
  return { name, a, b: { width: a.width, height: a.height, data }, truth };
}

/** Luma of a decoded photograph (OpenCV's RGB2GRAY weights, as cv.cvtColor). */
export function grayOfImage(cv: CV, img: { width: number; height: number; format: string; data: Uint8Array }): GrayImage {
  const type = img.format === 'rgba' ? cv.CV_8UC4 : img.format === 'rgb' ? cv.CV_8UC3 : cv.CV_8UC1;
  const m = new cv.Mat(img.height, img.width, type);
  m.data.set(img.data);
  if (type === cv.CV_8UC1) {
    const data = new Uint8Array(m.data as Uint8Array);
    m.delete();
    return { width: img.width, height: img.height, data };
  }
  const g = new cv.Mat();
  cv.cvtColor(m, g, type === cv.CV_8UC4 ? cv.COLOR_RGBA2GRAY : cv.COLOR_RGB2GRAY);
  const data = new Uint8Array(g.data as Uint8Array);
  [m, g].forEach((x) => x.delete());
  return { width: img.width, height: img.height, data };
}

/** Mean and largest distance between where `truth` and `h` take the four corners of a w x h image. */
export function cornerError(truth: ArrayLike<number>, h: ArrayLike<number> | null, w: number, hh: number): { mean: number; max: number } {
  if (!h) return { mean: Infinity, max: Infinity };
  let [sum, max] = [0, 0];
  for (const [x, y] of [
    [0, 0],
    [w, 0],
    [w, hh],
    [0, hh],
  ] as const) {
    const [a, b] = apply(truth, x, y);
    const [c, d] = apply(h, x, y);
    const e = Math.hypot(a - c, b - d);
    sum += e;
    max = Math.max(max, e);
  }
  return { mean: sum / 4, max };
}

/** Correspondences a pipeline found (A's points, B's points), and its homography. */
export interface Registration {
  src: Float32Array;
  dst: Float32Array;
  homography: Float64Array | null;
  inliers: number;
}

/** OpenCV.js: ORB(features), BFMatcher(NORM_HAMMING, crossCheck), findHomography(RANSAC, 3). */
export function opencvRegister(cv: CV, p: RegistrationPair, features: number): Registration {
  const mats = [p.a, p.b].map((g) => {
    const m = new cv.Mat(g.height, g.width, cv.CV_8UC1);
    m.data.set(g.data);
    return m;
  });
  const orb = new cv.ORB(features);
  const kps = [new cv.KeyPointVector(), new cv.KeyPointVector()];
  const des = [new cv.Mat(), new cv.Mat()];
  const none = new cv.Mat();
  for (let i = 0; i < 2; i++) orb.detectAndCompute(mats[i], none, kps[i], des[i]);
  const bf = new cv.BFMatcher(cv.NORM_HAMMING, true);
  const matches = new cv.DMatchVector();
  bf.match(des[0], des[1], matches);
  const n = matches.size();
  const src = new Float32Array(2 * n);
  const dst = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const m = matches.get(i);
    const a = kps[0]!.get(m.queryIdx).pt;
    const b = kps[1]!.get(m.trainIdx).pt;
    [src[2 * i], src[2 * i + 1], dst[2 * i], dst[2 * i + 1]] = [a.x, a.y, b.x, b.y];
  }
  const r = opencvHomography(cv, src, dst);
  [...mats, ...kps, ...des, none, matches].forEach((m) => m.delete());
  orb.delete();
  bf.delete();
  return { src, dst, ...r };
}

/** cv.findHomography(RANSAC, 3) on point pairs. */
export function opencvHomography(cv: CV, src: Float32Array, dst: Float32Array): { homography: Float64Array | null; inliers: number } {
  const n = src.length / 2;
  if (n < 4) return { homography: null, inliers: 0 };
  const sm = cv.matFromArray(n, 1, cv.CV_32FC2, Array.from(src));
  const dm = cv.matFromArray(n, 1, cv.CV_32FC2, Array.from(dst));
  const mask = new cv.Mat();
  const H = cv.findHomography(sm, dm, cv.RANSAC, 3, mask);
  const homography = H.rows === 3 ? new Float64Array(H.data64F as Float64Array) : null;
  const inliers = (mask.data as Uint8Array).reduce((s: number, m: number) => s + (m ? 1 : 0), 0);
  [sm, dm, mask, H].forEach((m) => m.delete());
  return { homography, inliers };
}

/** framekit: the pipeline of `framekit match` (registerPair). */
export function framekitRegister(fk: Framekit, p: RegistrationPair, features: number, o: RegisterOptions = {}): Registration {
  const planes = [p.a, p.b].map((g) => fk.writePixels(fk.allocPlane(g.width, g.height, 'gray'), g.data));
  const r = registerPair(fk, planes[0]!, planes[1]!, features, o);
  const out: Registration = {
    src: r.src.slice(),
    dst: r.dst.slice(),
    homography: r.homography.homography ? new Float64Array(r.homography.homography) : null,
    inliers: r.homography.inliers,
  };
  r.free();
  planes.forEach((q) => fk.arena.free(q.region!));
  return out;
}

/** framekit's findHomography on point pairs (copied into the arena). */
export function framekitHomography(
  fk: Framekit,
  src: Float32Array,
  dst: Float32Array,
  o: HomographyOptions = {},
): { homography: Float64Array | null; inliers: number } {
  const n = src.length / 2;
  const s = fk.allocPoints(Math.max(1, n));
  const d = fk.allocPoints(Math.max(1, n));
  s.set(src);
  d.set(dst);
  const out = fk.allocHomography(Math.max(1, n));
  fk.findHomography(out, s, d, n, o);
  const r = { homography: out.homography ? new Float64Array(out.homography) : null, inliers: out.inliers };
  fk.arena.free(out.region);
  fk.freePoints(s);
  fk.freePoints(d);
  return r;
}

/** The photographs of test/fixtures the pairs are made from. */
export const REGISTRATION_PHOTOS = [
  'astronaut.png',
  'coffee.png',
  'chelsea.png',
  'rocket.jpg',
  'camera.png',
  'hubble_deep_field.jpg',
] as const;
/** Out-of-plane rotations: three strong viewpoint changes and a mild one. */
export const REGISTRATION_TILTS = [40, 50, 60, 20] as const;

/**
 * The view changes of the registration pairs: for each photograph, each tilt, with seed k = 1, 2, ...
 * in that order, the tilt axis at 47 k mod 180 degrees, an in-plane turn of (23 k mod 40) - 20
 * degrees, blur sigma 0.8 px and noise sigma 3 gray levels.
 */
export function registrationViews(): Array<{ photo: string; view: ViewChange }> {
  const out: Array<{ photo: string; view: ViewChange }> = [];
  let seed = 1;
  for (const photo of REGISTRATION_PHOTOS) {
    for (const tilt of REGISTRATION_TILTS) {
      out.push({ photo, view: { tilt, axis: (seed * 47) % 180, roll: ((seed * 23) % 40) - 20, blur: 0.8, noise: 3, seed } });
      seed++;
    }
  }
  return out;
}
