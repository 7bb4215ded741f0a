// The binary formats and constants that TypeScript, WGSL (shaders/) and Rust (rust/src/) share, defined
// here only. `node shaders/build.mjs` writes them as WGSL constants (shaders/formats.wgsl, which passes
// include) and as a Rust module (rust/src/formats.rs); `npm run lint` and CI fail when either differs
// from this table. Every entry is `export const NAME = <integer, or array of [integer, integer]>;` under
// a doc comment (expressions over earlier entries are fine): the generator evaluates this file, so it
// imports nothing. The names are the same in all three languages.

// ---- FAST-9 (ts/kernels/fast, rust/src/fast, shaders/fast.wgsl) ----

/** The FAST circle: 16 pixels at radius 3 as [dx, dy], in OpenCV's order (fast.cpp `offsets16`). */
export const FAST_CIRCLE = [
  [0, 3],
  [1, 3],
  [2, 2],
  [3, 1],
  [3, 0],
  [3, -1],
  [2, -2],
  [1, -3],
  [0, -3],
  [-1, -3],
  [-2, -2],
  [-3, -1],
  [-3, 0],
  [-3, 1],
  [-2, 2],
  [-1, 3],
] as const;

/** The circle's radius: corners are detected only at FAST_RADIUS <= x < width - FAST_RADIUS (and likewise y). */
export const FAST_RADIUS = 3;

/** Contiguous circle pixels, all brighter or all darker than the centre by more than the threshold, that make a corner. */
export const FAST_ARC = 9;

/** The `size` OpenCV gives a FAST keypoint (KeyPoint.size: the circle's diameter, 7 pixels). */
export const FAST_KEYPOINT_SIZE = 7;

// ---- The GPU keypoint list (shaders/fast.wgsl `Keypoints`, read back by ts/backends/webgpu/gpu-chain.ts) ----

/** Bytes before the first record: the u32 counter (it keeps counting past the capacity), then padding. */
export const KEYPOINT_HEADER_BYTES = 16;

/** u32 words before the first record. */
export const KEYPOINT_HEADER_WORDS = KEYPOINT_HEADER_BYTES / 4;

/** u32 words a record takes: [x | y << KEYPOINT_Y_SHIFT, response | level << KEYPOINT_LEVEL_SHIFT]. */
export const KEYPOINT_WORDS = 2;

/** Bytes a record takes. */
export const KEYPOINT_BYTES = 4 * KEYPOINT_WORDS;

/** Where y starts in a record's first word; x is the bits below it. */
export const KEYPOINT_Y_SHIFT = 16;

/** Mask of x in a record's first word. */
export const KEYPOINT_X_MASK = (1 << KEYPOINT_Y_SHIFT) - 1;

/** Where the pyramid level starts in a record's second word; the response (0..255) is the bits below it. */
export const KEYPOINT_LEVEL_SHIFT = 8;

/** Mask of the response in a record's second word. */
export const KEYPOINT_RESPONSE_MASK = (1 << KEYPOINT_LEVEL_SHIFT) - 1;

// ---- Pyramidal Lucas-Kanade (ts/kernels/lk, rust/src/lk) ----

/** fk_lk_level flag: start from the points' `next` (OpenCV's OPTFLOW_USE_INITIAL_FLOW). */
export const LK_USE_INITIAL_FLOW = 1;

/** fk_lk_level flag: report the minimum eigenvalue in `err` (OpenCV's OPTFLOW_LK_GET_MIN_EIGENVALS). */
export const LK_MIN_EIG_ERR = 2;

/** fk_lk_level flag: build bilinear pixel pairs with swizzles rather than interleaves (same results; rust/src/lk/window.rs). */
export const LK_SWIZZLE_PAIRS = 4;

/** Fraction bits of the bilinear weights (OpenCV's W_BITS): the four weights of a pixel sum to 1 << LK_W_BITS. */
export const LK_W_BITS = 14;

/** Sums of weighted products come back to pixel units times 2^-LK_FLT_SCALE_BITS (OpenCV's FLT_SCALE). */
export const LK_FLT_SCALE_BITS = 20;
