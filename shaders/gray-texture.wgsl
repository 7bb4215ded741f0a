// Gray from an rgba8unorm or bgra8unorm texture: a browser frame copied in with
// copyExternalImageToTexture (VideoFrame, ImageBitmap, canvas), or an arena plane sent with
// writeTexture. textureLoad returns each channel c as c / 255 in f32 (in R, G, B order whatever
// the storage order); round(v * 255) recovers c exactly (the conversion error is far below 0.5),
// then the integer formula of gray.wgsl, so the result is bit-exact with OpenCV's cvtColor:
//   Y = (9798 R + 19235 G + 3735 B + 16384) >> 15
// One invocation writes one output word: four pixels.

override WG_X: u32;
override WG_Y: u32;

struct Params {
  width: u32,
  height: u32,
  dst_stride: u32,  // words
  _pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var src: texture_2d<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<u32>;

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.y >= p.height || id.x >= p.dst_stride) { return; }
  var word = 0u;
  for (var k = 0u; k < 4u; k++) {
    let x = id.x * 4u + k;
    if (x < p.width) {
      let c = vec3u(round(textureLoad(src, vec2u(x, id.y), 0).rgb * 255.0));
      let y = (9798u * c.r + 19235u * c.g + 3735u * c.b + 16384u) >> 15u;
      word |= y << (k * 8u);
    }
  }
  dst[id.y * p.dst_stride + id.x] = word;
}
