/**
 * What an audio kernel needs of a ring of f32 samples in the arena (ts/frame/sample-ring.ts's
 * SampleRing has this shape): where its cells start, how many (a power of two), and its running
 * indices. Kernels sit below frames, so they take this shape rather than the SampleRing class.
 */
export interface RingCells {
  /** Byte address of cell 0 in the shared memory. */
  readonly storagePtr: number;
  /** Cells in the ring (a power of two). */
  readonly capacity: number;
  /** Samples consumed so far (wrapping i32). */
  readonly readIndex: number;
  /** Samples produced so far (wrapping i32). */
  readonly writeIndex: number;
}

/** A ring a producer writes into in place: reserve room, fill the cells, commit. */
export interface WritableRingCells extends RingCells {
  /** Cells free for writing now. */
  readonly free: number;
  /** Ring index where `count` samples may be written now, or -1 when there is no room (see SampleRing.reserve). */
  reserve(count: number): number;
  /** Publishes `count` cells written after reserve(). */
  commit(count: number): void;
}
