/**
 * The layout of framekit's one WebAssembly.Memory. This file is the only place it is written; the
 * build (wasm/build.mjs) passes these numbers to the compilers and test/unit/layout.test.ts reads
 * the built binaries to prove the regions do not overlap.
 *
 *   0x000000  Rust stack, growing down from RUST_STACK_TOP (lld puts the stack first: Rust 1.63
 *             ignores --global-base; its size comes from -zstack-size)
 *   0x010000  Rust static data (__data_end marks its end)
 *   0x020000  AssemblyScript static data (asc --memoryBase)
 *   0x040000  reserved for static tables that later kernels add to either language
 *   0x100000  the arena: every frame, plane and scratch region, handed out by Arena
 */
export const LAYOUT = Object.freeze({
  /** Rust's stack occupies [0, rustStackTop). */
  rustStackTop: 0x10000,
  /** Rust's static data lies in [rustDataBase, rustDataLimit). */
  rustDataBase: 0x10000,
  rustDataLimit: 0x20000,
  /** AssemblyScript's static data lies in [asDataBase, asDataLimit); passed as --memoryBase. */
  asDataBase: 0x20000,
  asDataLimit: 0x40000,
  /** First byte of the arena. */
  arenaBase: 0x100000,
  /** Every arena region starts on this boundary (a v128 load or store never straddles it). */
  alignment: 16,
  pageBytes: 0x10000,
  /** WebAssembly's 32-bit memory limit, in pages. */
  maxPages: 0x10000,
});

/** Rounds `n` up to a multiple of `to` (a power of two). */
export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

/** Bytes per pixel of each pixel format framekit stores. */
export const BYTES_PER_PIXEL = Object.freeze({ rgba: 4, bgra: 4, rgb: 3, bgr: 3, gray: 1, i16: 2, i32: 4, f64: 8 });

/** One region every frame slot reserves when its pool is created: its name and its bytes at a frame size. */
export interface FrameSlotPart {
  readonly name: string;
  bytes(width: number, height: number): number;
}

/**
 * The regions of one frame slot, in order, each 16-byte aligned. FramePool lays them out once per
 * slot and `frame.region(name)` / `frame.bytes(name)` hand them out. A kernel whose result attaches
 * to frames (pyramid, gradients, keypoints ...) adds its part here, so sizing stays in one place.
 * 'pixels' is sized for 4 bytes per pixel, the widest format.
 */
export const FRAME_SLOT_PARTS: readonly FrameSlotPart[] = [
  { name: 'pixels', bytes: (w, h) => w * h * 4 },
  { name: 'gray', bytes: (w, h) => w * h },
];

/** Arena bytes one frame slot needs at the given size: the sum of FRAME_SLOT_PARTS, each aligned. */
export function frameSlotBytes(width: number, height: number): number {
  const a = LAYOUT.alignment;
  let n = 0;
  for (const p of FRAME_SLOT_PARTS) n += alignUp(p.bytes(width, height), a);
  return n;
}

/** `n` rounded up to the 16-byte alignment kernels keep their scratch parts at. */
export const align16 = (n: number): number => Math.ceil(n / LAYOUT.alignment) * LAYOUT.alignment;
