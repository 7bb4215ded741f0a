// An rgba8unorm/bgra8unorm texture (a frame already on the GPU) to a float32 NHWC RGB tensor in a
// storage buffer, the input of an image model run by ONNX Runtime's WebGPU provider
// (Tensor.fromGpuBuffer): the same letterbox and bilinear sampling as wasm/tensor.ts
// (ts/kernels/tensor-prep/tables.ts), v * scale + bias, border = bias. textureLoad returns c / 255;
// round(v * 255) recovers the byte c exactly. The sampling positions are computed here in f32
// (the CPU tables in f64), so values may differ from the CPU kernel by a few units in the last place.
// One invocation writes one tensor pixel (three floats).

override WG_X: u32;
override WG_Y: u32;

struct Params {
  src_w: u32,
  src_h: u32,
  dst_w: u32,
  dst_h: u32,
  ox: u32,
  oy: u32,
  cw: u32,
  ch: u32,
  scale: f32,
  bias: f32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var src: texture_2d<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

fn texel(x: u32, y: u32) -> vec3f {
  return round(textureLoad(src, vec2u(x, y), 0).rgb * 255.0);
}

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(global_invocation_id) id: vec3u) {
  if (id.x >= p.dst_w || id.y >= p.dst_h) { return; }
  let o = (id.y * p.dst_w + id.x) * 3u;
  if (id.x < p.ox || id.x >= p.ox + p.cw || id.y < p.oy || id.y >= p.oy + p.ch) {
    dst[o] = p.bias;
    dst[o + 1u] = p.bias;
    dst[o + 2u] = p.bias;
    return;
  }
  let sx = clamp((f32(id.x - p.ox) + 0.5) * (f32(p.src_w) / f32(p.cw)) - 0.5, 0.0, f32(p.src_w - 1u));
  let sy = clamp((f32(id.y - p.oy) + 0.5) * (f32(p.src_h) / f32(p.ch)) - 0.5, 0.0, f32(p.src_h - 1u));
  let x0 = u32(floor(sx));
  let y0 = u32(floor(sy));
  let x1 = min(x0 + 1u, p.src_w - 1u);
  let y1 = min(y0 + 1u, p.src_h - 1u);
  let fx = sx - f32(x0);
  let fy = sy - f32(y0);
  let top = texel(x0, y0) * (1.0 - fx) + texel(x1, y0) * fx;
  let bot = texel(x0, y1) * (1.0 - fx) + texel(x1, y1) * fx;
  let v = (top * (1.0 - fy) + bot * fy) * p.scale + p.bias;
  dst[o] = v.r;
  dst[o + 1u] = v.g;
  dst[o + 2u] = v.b;
}
