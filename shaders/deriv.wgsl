// Separable integer derivative of an 8-bit plane into int16 with kernels of any odd length up to
// 31, bit-exact with OpenCV's Sobel(src, CV_16S, dx, dy, ksize) (sobel.wgsl is the 3-tap case). The
// kernels are OpenCV's (ts/kernels/sobel/kernels.ts derivPlan, which also guarantees every row sum
// and every result fits int16, so nothing saturates), BORDER_REFLECT_101:
//   rows: h(x, y) = sum_i kx_i src(x + i - rx, y)
//   cols: out(x, y) = sum_j ky_j h(x, y + j - ry)
// `mid` and `dst` are int16 planes, two pixels a word (pixel x in bits 16*(x%2) ..), of one stride.
// One invocation writes one word (two pixels) of `mid` (entry rows) or of `dst` (entry cols).

//! include common.wgsl

struct Params {
  width: u32,
  height: u32,
  src_stride: u32,  // words of src (4 pixels each)
  stride: u32,      // words of mid and dst (2 pixels each)
  nx: u32,          // taps of kx, odd, 1..31
  ny: u32,          // taps of ky, odd, 1..31
  _pad0: u32,
  _pad1: u32,
  kx: array<vec4i, 8>,  // kx_i in kx[i / 4][i % 4]
  ky: array<vec4i, 8>,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> mid: array<u32>;
@group(0) @binding(3) var<storage, read_write> dst: array<u32>;

fn px(row: u32, x: i32) -> i32 {
  return i32((src[row + (u32(x) >> 2u)] >> ((u32(x) & 3u) << 3u)) & 0xffu);
}

fn pack(a: i32, b: i32, x0: u32) -> u32 {
  var word = u32(a) & 0xffffu;
  if (x0 + 1u < p.width) { word |= (u32(b) & 0xffffu) << 16u; }
  return word;
}

@compute @workgroup_size(WG_X, WG_Y)
fn rows(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.stride) { return; }
  let w = i32(p.width);
  let r = i32(p.nx / 2u);
  let row = id.y * p.src_stride;
  let x0 = i32(id.x * 2u);
  var a = 0;
  var b = 0;
  for (var i = 0; i < i32(p.nx); i++) {
    let k = p.kx[u32(i) >> 2u][u32(i) & 3u];
    a += k * px(row, reflect101(x0 + i - r, w));
    b += k * px(row, reflect101(x0 + 1 + i - r, w));
  }
  mid[id.y * p.stride + id.x] = pack(a, b, u32(x0));
}

@compute @workgroup_size(WG_X, WG_Y)
fn cols(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.stride) { return; }
  let h = i32(p.height);
  let r = i32(p.ny / 2u);
  var a = 0;
  var b = 0;
  for (var j = 0; j < i32(p.ny); j++) {
    let k = p.ky[u32(j) >> 2u][u32(j) & 3u];
    let word = mid[u32(reflect101(i32(id.y) + j - r, h)) * p.stride + id.x];
    a += k * (bitcast<i32>(word << 16u) >> 16u);
    b += k * (bitcast<i32>(word) >> 16u);
  }
  dst[id.y * p.stride + id.x] = pack(a, b, id.x * 2u);
}
