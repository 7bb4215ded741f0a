// Gaussian blur of an 8-bit plane with any odd kernel size and sigma, bit-exact with OpenCV's
// GaussianBlur on CV_8U (blur.wgsl is the unrolled 5x5, sigma 0 case). The kernel `k` is OpenCV's
// fixed-point one (ts/kernels/gaussian/coefficients.ts: integers summing to 256), applied
// separably with BORDER_REFLECT_101 and rounded once at the end, as OpenCV's 8-bit path does:
//   rows: h(x, y) = sum_i k_i src(x + i - r, y)                 (<= 255 * 256: fits 16 bits)
//   cols: out(x, y) = (sum_j k_j h(x, y + j - r) + 2^15) >> 16   (r = ksize / 2)
// `mid` holds h as a u16 plane, two pixels a word. Entry `rows` writes one word of it (two pixels),
// entry `cols` one word of `dst` (four pixels).

//! include common.wgsl

struct Params {
  width: u32,
  height: u32,
  stride: u32,      // words of src and dst (4 pixels each)
  mid_stride: u32,  // words of mid (2 pixels each)
  ksize: u32,       // odd, 1..255
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
  taps: array<vec4u, 64>,  // k_i in taps[i / 4][i % 4]
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> mid: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;

fn tap(i: u32) -> u32 {
  return p.taps[i >> 2u][i & 3u];
}

fn px(row: u32, x: i32) -> u32 {
  return (src[row + (u32(x) >> 2u)] >> ((u32(x) & 3u) << 3u)) & 0xffu;
}

@compute @workgroup_size(WG_X, WG_Y)
fn rows(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.mid_stride) { return; }
  let w = i32(p.width);
  let r = i32(p.ksize / 2u);
  let row = id.y * p.stride;
  let x0 = i32(id.x * 2u);
  var a = 0u;
  var b = 0u;
  for (var i = 0; i < i32(p.ksize); i++) {
    let k = tap(u32(i));
    a += k * px(row, reflect101(x0 + i - r, w));
    b += k * px(row, reflect101(x0 + 1 + i - r, w));
  }
  var word = a;
  if (u32(x0) + 1u < p.width) { word |= b << 16u; }
  mid[id.y * p.mid_stride + id.x] = word;
}

@compute @workgroup_size(WG_X, WG_Y)
fn cols(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.stride) { return; }
  let h = i32(p.height);
  let r = i32(p.ksize / 2u);
  let m = id.x * 2u;  // pixels 4 id.x .. 4 id.x + 3 are mid words m and m + 1
  let second = m + 1u < p.mid_stride;
  var acc = vec4u(0u);
  for (var j = 0; j < i32(p.ksize); j++) {
    let base = u32(reflect101(i32(id.y) + j - r, h)) * p.mid_stride + m;
    let w0 = mid[base];
    var w1 = 0u;
    if (second) { w1 = mid[base + 1u]; }
    acc += tap(u32(j)) * vec4u(w0 & 0xffffu, w0 >> 16u, w1 & 0xffffu, w1 >> 16u);
  }
  let o = (acc + vec4u(32768u)) >> vec4u(16u);
  let x0 = id.x * 4u;
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    if (x0 + k < p.width) { word |= o[k] << (k * 8u); }
  }
  dst[id.y * p.stride + id.x] = word;
}
