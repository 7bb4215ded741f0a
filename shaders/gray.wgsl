// RGB(A)/BGR(A) to 8-bit luma, bit-exact with OpenCV's cvtColor and ts/kernels/gray/reference.ts:
//   Y = (9798 R + 19235 G + 3735 B + 16384) >> 15     (weights 0.299, 0.587, 0.114 in Q15, rounded)
// in u32 arithmetic (at most 32767 * 255 + 16384 < 2^24, no overflow). One invocation writes one
// output word: four pixels. The source is the uploaded plane, `src_stride` bytes a row.

override WG_X: u32;
override WG_Y: u32;

struct Params {
  width: u32,
  height: u32,
  src_stride: u32,  // bytes
  dst_stride: u32,  // words
  bpp: u32,         // bytes per source pixel: 4, 3 or 1
  r: u32,           // byte offsets of R, G, B inside a pixel
  g: u32,
  b: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<u32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

fn byte_at(i: u32) -> u32 {
  return (src[i >> 2u] >> ((i & 3u) << 3u)) & 0xffu;
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.dst_stride) { return; }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let x = id.x * 4u + k;
    if (x < p.width) {
      let o = id.y * p.src_stride + x * p.bpp;
      let y = (9798u * byte_at(o + p.r) + 19235u * byte_at(o + p.g) + 3735u * byte_at(o + p.b) + 16384u) >> 15u;
      word |= y << (k * 8u);
    }
  }
  dst[id.y * p.dst_stride + id.x] = word;
}
