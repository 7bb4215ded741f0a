// One pyramid level down, bit-exact with OpenCV's pyrDown on CV_8U: the destination is
// ((w+1)/2) x ((h+1)/2) and
//   dst(x, y) = (sum_{i,j} k_i k_j src(2x+i-2, 2y+j-2) + 128) >> 8,  k = [1 4 6 4 1]
// with BORDER_REFLECT_101 on both axes (OpenCV's tabL/tabR border tables come to the same indices).
// One invocation writes one destination word (four pixels), reading source columns 2x0-2 .. 2x0+8.

//! include common.wgsl

struct Params {
  src_width: u32,
  src_height: u32,
  src_stride: u32,  // words
  dst_width: u32,
  dst_height: u32,
  dst_stride: u32,  // words
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn px(row: u32, x: i32) -> u32 {
  return (src[row + (u32(x) >> 2u)] >> ((u32(x) & 3u) << 3u)) & 0xffu;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.dst_height || id.x >= p.dst_stride) { return; }
  let w = i32(p.src_width);
  let h = i32(p.src_height);
  let sx0 = i32(id.x * 8u);  // source column of the word's first pixel
  var col: array<i32, 11>;
  for (var k = 0; k < 11; k++) { col[k] = reflect101(sx0 - 2 + k, w); }
  var kv = array<u32, 5>(1u, 4u, 6u, 4u, 1u);
  var acc = vec4u(0u);
  for (var j = 0; j < 5; j++) {
    let row = u32(reflect101(i32(id.y) * 2 - 2 + j, h)) * p.src_stride;
    var b: array<u32, 11>;
    for (var k = 0; k < 11; k++) { b[k] = px(row, col[k]); }
    let hs = vec4u(
      b[0] + 4u * b[1] + 6u * b[2] + 4u * b[3] + b[4],
      b[2] + 4u * b[3] + 6u * b[4] + 4u * b[5] + b[6],
      b[4] + 4u * b[5] + 6u * b[6] + 4u * b[7] + b[8],
      b[6] + 4u * b[7] + 6u * b[8] + 4u * b[9] + b[10],
    );
    acc += kv[j] * hs;
  }
  let o = (acc + vec4u(128u)) >> vec4u(8u);
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    if (id.x * 4u + k < p.dst_width) { word |= o[k] << (k * 8u); }
  }
  dst[id.y * p.dst_stride + id.x] = word;
}
