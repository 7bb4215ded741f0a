// FAST-9 (16-pixel circle of radius 3) corners of an 8-bit plane with OpenCV's score and 3x3
// non-maximum suppression, compacted into a list with an atomic counter. Same keypoint set as
// OpenCV's FAST(img, t, nonmax, TYPE_9_16):
// - detected only at 3 <= x < w-3, 3 <= y < h-3;
// - with d_k = center - circle_k, A = max over the 16 arcs of 9 contiguous circle pixels of min(d),
//   B = the same of min(-d): a corner iff max(A, B) > t (9 contiguous all darker than center - t,
//   or all brighter than center + t), and its score is max(A, B) - 1 (OpenCV's cornerScore<16>:
//   the largest threshold at which it is still a corner);
// - with suppression, kept iff its score is strictly greater than the 8 neighbours' scores
//   (non-corners count 0); without suppression every corner is kept with response 0, as OpenCV.
// Entry `score` writes per pixel (corner << 8) | score as u16, two pixels a word; entry `compact`
// reads them and appends a record [x | y << KEYPOINT_Y_SHIFT, score | level << KEYPOINT_LEVEL_SHIFT]
// to `out.kp`. The counter keeps counting past `capacity`, so the host learns that the list overflowed.
// The record, the circle and the radius come from ts/core/formats.ts (through formats.wgsl).

//! include common.wgsl
//! include formats.wgsl

struct Params {
  width: u32,
  height: u32,
  stride: u32,        // words of the 8-bit plane
  score_stride: u32,  // words of the score plane (2 pixels a word)
  threshold: u32,
  nonmax: u32,
  level: u32,
  capacity: u32,      // keypoints `out.kp` holds
}

struct Keypoints {
  count: atomic<u32>,
  _pad: array<u32, KEYPOINT_HEADER_WORDS - 1>,
  kp: array<u32>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> scores: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: Keypoints;

fn px(x: i32, y: i32) -> i32 {
  let i = u32(y) * p.stride + (u32(x) >> 2u);
  return i32((src[i] >> ((u32(x) & 3u) << 3u)) & 0xffu);
}

// (1 << 8) | score for a corner, 0 otherwise.
fn corner(x: i32, y: i32) -> u32 {
  let r = FAST_RADIUS;
  if (x < r || y < r || x >= i32(p.width) - r || y >= i32(p.height) - r) { return 0u; }
  let t = i32(p.threshold);
  let v = px(x, y);
  var d: array<i32, 16>;
  for (var k = 0; k < 16; k++) { d[k] = v - px(x + FAST_CIRCLE[k].x, y + FAST_CIRCLE[k].y); }
  // Every arc of 9 holds two neighbouring compass points (0, 4, 8, 12): a cheap exact pre-test.
  var dark = false;
  var bright = false;
  for (var k = 0; k < 16; k += 4) {
    let n = (k + 4) & 15;
    dark = dark || (d[k] > t && d[n] > t);
    bright = bright || (-d[k] > t && -d[n] > t);
  }
  if (!dark && !bright) { return 0u; }
  var a = -256;
  var b = -256;
  for (var s = 0; s < 16; s++) {
    var lo = 255;
    var hi = -255;
    for (var i = 0; i < FAST_ARC; i++) {
      let e = d[(s + i) & 15];
      lo = min(lo, e);
      hi = max(hi, e);
    }
    a = max(a, lo);
    b = max(b, -hi);
  }
  let m = max(a, b);
  if (m <= t) { return 0u; }
  return 256u | u32(m - 1);
}

@compute @workgroup_size(WG_X, WG_Y)
fn score(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.score_stride) { return; }
  let x = i32(id.x * 2u);
  let y = i32(id.y);
  scores[id.y * p.score_stride + id.x] = corner(x, y) | (corner(x + 1, y) << 16u);
}

fn score_at(x: u32, y: u32) -> u32 {
  return (scores[y * p.score_stride + (x >> 1u)] >> ((x & 1u) << 4u)) & 0xffffu;
}

@compute @workgroup_size(WG_X, WG_Y)
fn compact(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.score_stride) { return; }
  for (var k = 0u; k < 2u; k++) {
    let x = id.x * 2u + k;
    let y = id.y;
    let c = score_at(x, y);
    if (c == 0u) { continue; }
    let s = c & 0xffu;
    // A corner lies at least 3 pixels inside, so all 8 neighbours exist.
    var keep = true;
    if (p.nonmax != 0u) {
      for (var dy = 0u; dy < 3u; dy++) {
        for (var dx = 0u; dx < 3u; dx++) {
          if ((dx != 1u || dy != 1u) && (score_at(x + dx - 1u, y + dy - 1u) & 0xffu) >= s) { keep = false; }
        }
      }
    }
    if (keep) {
      let i = atomicAdd(&out.count, 1u);
      if (i < p.capacity) {
        let at = KEYPOINT_WORDS * i;
        out.kp[at] = x | (y << KEYPOINT_Y_SHIFT);
        // OpenCV computes the score only for suppression, and reports response 0 without it.
        out.kp[at + 1u] = select(0u, s, p.nonmax != 0u) | (p.level << KEYPOINT_LEVEL_SHIFT);
      }
    }
  }
}
