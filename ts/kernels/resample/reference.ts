/**
 * The oracle of wasm/resample.ts `resample_f32`: the same outputs from the filter's definition
 * (`weight(phase, k)`, float64 sums), same arguments (byte offsets into `heap`).
 */
export function resampleReference(
  heap: Uint8Array,
  src: number,
  dst: number,
  count: number,
  phase: number,
  M: number,
  L: number,
  taps: number,
  table: number,
): void {
  const dv = new DataView(heap.buffer, heap.byteOffset, heap.byteLength);
  let n = 0;
  let p = phase;
  for (let i = 0; i < count; i++) {
    let acc = 0;
    for (let k = 0; k < taps; k++) acc += dv.getFloat32(src + 4 * (n + k), true) * dv.getFloat32(table + 4 * (p * taps + k), true);
    dv.setFloat32(dst + 4 * i, acc, true);
    p += M;
    n += Math.floor(p / L);
    p %= L;
  }
}
