// Shared by the 8-bit plane passes (pasted in where a pass says `//! include common.wgsl`).
// A plane on the GPU is an array of u32 words, four pixels a word, little-endian (pixel x sits in
// bits 8*(x%4) .. 8*(x%4)+7 of word x/4), every row starting on a word. Borders are OpenCV's
// BORDER_REFLECT_101 (gfedcb|abcdefgh|gfedcba), its default for blur, pyrDown and Sobel.

override WG_X: u32;
override WG_Y: u32;

// OpenCV's borderInterpolate for BORDER_REFLECT_101: a one-pixel line maps every index to 0; the
// loop covers indices more than one length outside (a 2-pixel row read 2 pixels out).
fn reflect101(i: i32, n: i32) -> i32 {
  if (n == 1) { return 0; }
  var j = i;
  loop {
    if (j < 0) { j = -j; } else if (j >= n) { j = 2 * n - 2 - j; } else { break; }
  }
  return j;
}
