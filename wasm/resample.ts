// Rational polyphase resampling of f32 PCM to framekit's 16 kHz (the filter tables come from
// ts/kernels/resample/tables.ts). The scalar build keeps four partial sums, one per SIMD lane, so both
// builds add in the same order and give the same bits.
/**
 * Rational polyphase resampling (see ts/kernels/resample): `count` outputs into `dst`; output i uses
 * phase p_i of the `taps`-coefficient rows at `table` (f32, L rows) and the inputs at
 * src + 4 * (n_i - n_0), where n_0 = 0, p_0 = `phase`, and each step adds M to the phase, carrying
 * multiples of L into n. `src` points at input n_0 - taps/2 + 1.
 */
export function resample_f32(src: usize, dst: usize, count: i32, phase: i32, M: i32, L: i32, taps: i32, table: usize): void {
  let n: i32 = 0;
  let p = phase;
  for (let i = 0; i < count; i++) {
    const s = src + (<usize>n << 2);
    const h = table + (<usize>(p * taps) << 2);
    let acc: f32 = 0;
    let k = 0;
    if (ASC_FEATURE_SIMD) {
      let v = f32x4.splat(0);
      for (; k < taps; k += 4) v = f32x4.add(v, f32x4.mul(v128.load(s + (<usize>k << 2)), v128.load(h + (<usize>k << 2))));
      acc = f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
    } else {
      let a0: f32 = 0, a1: f32 = 0, a2: f32 = 0, a3: f32 = 0;
      for (; k < taps; k += 4) {
        a0 += load<f32>(s + (<usize>k << 2)) * load<f32>(h + (<usize>k << 2));
        a1 += load<f32>(s + (<usize>k << 2), 4) * load<f32>(h + (<usize>k << 2), 4);
        a2 += load<f32>(s + (<usize>k << 2), 8) * load<f32>(h + (<usize>k << 2), 8);
        a3 += load<f32>(s + (<usize>k << 2), 12) * load<f32>(h + (<usize>k << 2), 12);
      }
      acc = a0 + a1 + (a2 + a3);
    }
    store<f32>(dst + (<usize>i << 2), acc);
    p += M;
    n += p / L;
    p = p % L;
  }
}
