// Ring indexing for the sample ring (ts/frame/sample-ring.ts): copy a block into or out of a ring
// storage that wraps, in at most two spans. Sizes are in bytes so one pair serves every sample type.
//   write: first = min(bytes, capacity - offset)
//          copy src[0, first) -> storage[offset, offset + first)
//          copy src[first, bytes) -> storage[0, bytes - first)         (only when the block wraps)
//   read:  the same with source and destination swapped.
// The caller has checked that bytes <= capacity, offset < capacity, and that every range lies in
// the arena. The copies are `memory.copy` (bulk memory, on in asc by default): engines lower it to
// their native memmove, which a v128 load/store loop does not beat for blocks of more than a few
// vectors, and it is identical in the SIMD and scalar builds.

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
