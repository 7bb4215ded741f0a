// Sobel 3x3 of an 8-bit plane into int16, bit-exact with OpenCV's Sobel(src, CV_16S, dx, dy, 3):
// a separable integer kernel, kx along rows and ky along columns,
//   dx=1, dy=0: kx = [-1 0 1], ky = [1 2 1];   dx=0, dy=1: kx = [1 2 1], ky = [-1 0 1]
// (|result| <= 4 * 255, so int16 never saturates), BORDER_REFLECT_101. The int16 plane is two
// pixels a word (pixel x in bits 16*(x%2) ..), rows starting on a word. One invocation, one word.

//! include common.wgsl

struct Params {
  width: u32,
  height: u32,
  src_stride: u32,  // words (4 pixels each)
  dst_stride: u32,  // words (2 pixels each)
  kx: vec4i,        // kx.xyz: taps at x-1, x, x+1
  ky: vec4i,        // ky.xyz: taps at y-1, y, y+1
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn px(row: u32, x: i32) -> i32 {
  return i32((src[row + (u32(x) >> 2u)] >> ((u32(x) & 3u) << 3u)) & 0xffu);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.dst_stride) { return; }
  let w = i32(p.width);
  let h = i32(p.height);
  let x0 = i32(id.x * 2u);
  var col: array<i32, 4>;
  for (var k = 0; k < 4; k++) { col[k] = reflect101(x0 - 1 + k, w); }
  var acc = vec2i(0);
  for (var j = 0; j < 3; j++) {
    let row = u32(reflect101(i32(id.y) - 1 + j, h)) * p.src_stride;
    let b0 = px(row, col[0]);
    let b1 = px(row, col[1]);
    let b2 = px(row, col[2]);
    let b3 = px(row, col[3]);
    let hs = vec2i(p.kx.x * b0 + p.kx.y * b1 + p.kx.z * b2, p.kx.x * b1 + p.kx.y * b2 + p.kx.z * b3);
    acc += p.ky[j] * hs;
  }
  var word = u32(acc.x) & 0xffffu;
  if (u32(x0) + 1u < p.width) { word |= (u32(acc.y) & 0xffffu) << 16u; }
  dst[id.y * p.dst_stride + id.x] = word;
}
