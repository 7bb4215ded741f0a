/*
 * SSD anchors as MediaPipe's SsdAnchorsCalculator makes them (mediapipe/calculators/tflite/
 * ssd_anchors_calculator.cc), for BlazeFace's options: aspect ratio 1.0, interpolated scale aspect
 * ratio 1.0, anchor offset 0.5, fixed anchor size (every anchor is 1 x 1; only centres matter).
 * Consecutive layers with the same stride share one feature map; each layer adds two anchors per
 * cell there (the aspect-ratio-1 anchor and the interpolated-scale one). Order: feature maps in
 * stride order, then rows, then columns, then anchors of the cell.
 *   front (128 x 128 input): strides 8, 16, 16, 16 -> 16 x 16 x 2 + 8 x 8 x 6 = 896 anchors
 *   back  (256 x 256 input): strides 16, 32, 32, 32 -> the same counts on a 256 input
 */

/** Anchor centres in [0, 1] of the model's input: x at 2i, y at 2i + 1. Allocates (once per stage). */
export function ssdAnchors(inputSize: number, strides: readonly number[], offset = 0.5): Float32Array {
  const out: number[] = [];
  let layer = 0;
  while (layer < strides.length) {
    const stride = strides[layer]!;
    let perCell = 0;
    // Layers with the same stride go onto one feature map.
    while (layer < strides.length && strides[layer] === stride) {
      perCell += 2;
      layer++;
    }
    const fm = Math.ceil(inputSize / stride);
    for (let y = 0; y < fm; y++) {
      for (let x = 0; x < fm; x++) {
        for (let a = 0; a < perCell; a++) out.push((x + offset) / fm, (y + offset) / fm);
      }
    }
  }
  return Float32Array.from(out);
}
