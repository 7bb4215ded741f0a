// Gaussian blur 5x5 of an 8-bit plane, bit-exact with OpenCV's GaussianBlur(ksize 5, sigma 0) on
// CV_8U. OpenCV's 8-bit path is fixed point: the 1-D kernel for ksize 5, sigma 0 is [1 4 6 4 1]/16
// exactly (its small_gaussian_tab), rows are summed with 8 fraction bits and columns with 16, and
// only the last step rounds, so
//   out = (sum_{i,j} k_i k_j src(x+i-2, y+j-2) + 128) >> 8,  k = [1 4 6 4 1]
// with BORDER_REFLECT_101. One invocation writes one word (four pixels): per row it reads the 8
// source pixels x0-2 .. x0+5 once and forms the four horizontal sums from them.

//! include common.wgsl

struct Params {
  width: u32,
  height: u32,
  stride: u32,  // words, source and destination
  _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn px(row: u32, x: i32) -> u32 {
  return (src[row + (u32(x) >> 2u)] >> ((u32(x) & 3u) << 3u)) & 0xffu;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.stride) { return; }
  let w = i32(p.width);
  let h = i32(p.height);
  let x0 = i32(id.x * 4u);
  var col: array<i32, 8>;
  for (var k = 0; k < 8; k++) { col[k] = reflect101(x0 - 2 + k, w); }
  var kv = array<u32, 5>(1u, 4u, 6u, 4u, 1u);
  var acc = vec4u(0u);
  for (var j = 0; j < 5; j++) {
    let row = u32(reflect101(i32(id.y) - 2 + j, h)) * p.stride;
    var b: array<u32, 8>;
    for (var k = 0; k < 8; k++) { b[k] = px(row, col[k]); }
    let hs = vec4u(
      b[0] + 4u * b[1] + 6u * b[2] + 4u * b[3] + b[4],
      b[1] + 4u * b[2] + 6u * b[3] + 4u * b[4] + b[5],
      b[2] + 4u * b[3] + 6u * b[4] + 4u * b[5] + b[6],
      b[3] + 4u * b[4] + 6u * b[5] + 4u * b[6] + b[7],
    );
    acc += kv[j] * hs;
  }
  let o = (acc + vec4u(128u)) >> vec4u(8u);
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    if (u32(x0) + k < p.width) { word |= o[k] << (k * 8u); }
  }
  dst[id.y * p.stride + id.x] = word;
}
