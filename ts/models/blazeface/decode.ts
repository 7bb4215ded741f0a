/*
 * BlazeFace's raw outputs to faces, as MediaPipe's face detection graph decodes them:
 *  TensorsToDetectionsCalculator (reverse_output_order: true, so box = x, y, w, h, then 6 keypoints
 *  as x, y; x/y/w/h scale = the input size; score clipping at +-100 then a sigmoid; a detection
 *  is kept when its score >= min_score_thresh):
 *    cx = raw[0] / S + anchor.x    cy = raw[1] / S + anchor.y    w = raw[2] / S    h = raw[3] / S
 *    keypoint k = (raw[4 + 2k] / S + anchor.x, raw[5 + 2k] / S + anchor.y)
 *  NonMaxSuppressionCalculator, WEIGHTED algorithm, IoU, min_suppression_threshold 0.3: take the
 *  best remaining detection; every remaining one (itself included) whose IoU with it exceeds the
 *  threshold joins its cluster; the output box and keypoints are the score-weighted means over the
 *  cluster and the score the best one's; repeat with the rest.
 * Coordinates here are in [0, 1] of the model input; the stage maps them to the image.
 */

/** One face: a box and six keypoints (right eye, left eye, nose tip, mouth, right ear, left ear), coordinates in [0, 1] of the model input unless mapped. */
export interface Face {
  x: number;
  y: number;
  width: number;
  height: number;
  score: number;
  /** Six [x, y] points. */
  landmarks: Array<[number, number]>;
}

export const KEYPOINTS = 6;
const COORDS = 4 + 2 * KEYPOINTS;

export interface DecodeOptions {
  /** Minimum score (after the sigmoid) a detection needs (MediaPipe: 0.5). */
  minScore: number;
  /** IoU above which detections merge (MediaPipe: 0.3). */
  iou: number;
  /** The model's input size S (128 or 256). */
  inputSize: number;
}

/** Preallocated working arrays for `decodeFaces` (one set per stage). */
export class DecodeScratch {
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly order: Int32Array;
  readonly rest: Int32Array;
  readonly cluster: Int32Array;
  constructor(anchors: number) {
    this.boxes = new Float32Array(anchors * COORDS);
    this.scores = new Float32Array(anchors);
    this.order = new Int32Array(anchors);
    this.rest = new Int32Array(anchors);
    this.cluster = new Int32Array(anchors);
  }
}

function sigmoid(x: number): number {
  const c = x < -100 ? -100 : x > 100 ? 100 : x;
  return 1 / (1 + Math.exp(-c));
}

/** IoU of boxes i and j of `b` (x, y, w, h at COORDS * i), as MediaPipe's OverlapSimilarity. */
function iou(b: Float32Array, i: number, j: number): number {
  const ax0 = b[i * COORDS]! - b[i * COORDS + 2]! / 2;
  const ay0 = b[i * COORDS + 1]! - b[i * COORDS + 3]! / 2;
  const ax1 = ax0 + b[i * COORDS + 2]!;
  const ay1 = ay0 + b[i * COORDS + 3]!;
  const bx0 = b[j * COORDS]! - b[j * COORDS + 2]! / 2;
  const by0 = b[j * COORDS + 1]! - b[j * COORDS + 3]! / 2;
  const bx1 = bx0 + b[j * COORDS + 2]!;
  const by1 = by0 + b[j * COORDS + 3]!;
  const iw = Math.min(ax1, bx1) - Math.max(ax0, bx0);
  const ih = Math.min(ay1, by1) - Math.max(ay0, by0);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Decodes raw logits and regressors of all anchors into faces. `scores[i]` is anchor i's logit and
 * `regs[16 i ..]` its 16 regressors; the model gives them in two parts (scoresA/regsA for the
 * first feature map, B for the second). Allocates only the faces it returns.
 */
export function decodeFaces(
  anchors: Float32Array,
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  regsA: ArrayLike<number>,
  regsB: ArrayLike<number>,
  o: DecodeOptions,
  s: DecodeScratch,
): Face[] {
  const nA = scoresA.length;
  const n = nA + scoresB.length;
  const S = o.inputSize;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const score = sigmoid(i < nA ? scoresA[i]! : scoresB[i - nA]!);
    if (!(score >= o.minScore)) continue;
    const r = i < nA ? regsA : regsB;
    const base = (i < nA ? i : i - nA) * COORDS;
    const ax = anchors[2 * i]!;
    const ay = anchors[2 * i + 1]!;
    const d = kept * COORDS;
    s.boxes[d] = r[base]! / S + ax;
    s.boxes[d + 1] = r[base + 1]! / S + ay;
    s.boxes[d + 2] = r[base + 2]! / S;
    s.boxes[d + 3] = r[base + 3]! / S;
    for (let k = 0; k < KEYPOINTS; k++) {
      s.boxes[d + 4 + 2 * k] = r[base + 4 + 2 * k]! / S + ax;
      s.boxes[d + 5 + 2 * k] = r[base + 5 + 2 * k]! / S + ay;
    }
    s.scores[kept] = score;
    s.order[kept] = kept;
    kept++;
  }
  // Highest score first; ties keep anchor order (MediaPipe sorts with a stable comparison of scores).
  const order = s.order.subarray(0, kept).sort((a, b) => s.scores[b]! - s.scores[a]! || a - b);
  return weightedNms(s, order, o.iou);
}

function weightedNms(s: DecodeScratch, order: Int32Array, threshold: number): Face[] {
  const faces: Face[] = [];
  let remain = order;
  while (remain.length > 0) {
    const top = remain[0]!;
    // The survivors go to whichever of the two index buffers `remain` is not in.
    const rest = remain.buffer === s.order.buffer ? s.rest : s.order;
    // The top detection always joins its own cluster (its IoU with itself is 1, even for a degenerate box).
    s.cluster[0] = top;
    let nc = 1;
    let nr = 0;
    for (let i = 1; i < remain.length; i++) {
      const j = remain[i]!;
      if (iou(s.boxes, j, top) > threshold) s.cluster[nc++] = j;
      else rest[nr++] = j;
    }
    // Weighted means of corners and keypoints over the cluster.
    let total = 0;
    let x0 = 0;
    let y0 = 0;
    let x1 = 0;
    let y1 = 0;
    const kp = new Float64Array(2 * KEYPOINTS);
    for (let c = 0; c < nc; c++) {
      const j = s.cluster[c]!;
      const w = s.scores[j]!;
      const b = j * COORDS;
      total += w;
      x0 += (s.boxes[b]! - s.boxes[b + 2]! / 2) * w;
      y0 += (s.boxes[b + 1]! - s.boxes[b + 3]! / 2) * w;
      x1 += (s.boxes[b]! + s.boxes[b + 2]! / 2) * w;
      y1 += (s.boxes[b + 1]! + s.boxes[b + 3]! / 2) * w;
      for (let k = 0; k < 2 * KEYPOINTS; k++) kp[k] = kp[k]! + s.boxes[b + 4 + k]! * w;
    }
    const landmarks: Array<[number, number]> = [];
    for (let k = 0; k < KEYPOINTS; k++) landmarks.push([kp[2 * k]! / total, kp[2 * k + 1]! / total]);
    faces.push({ x: x0 / total, y: y0 / total, width: (x1 - x0) / total, height: (y1 - y0) / total, score: s.scores[top]!, landmarks });
    remain = rest.subarray(0, nr);
  }
  return faces;
}
