/**
 * The pool's control block: a few hundred bytes of the one shared memory (an arena region), read and
 * written with Atomics by the main thread and every worker. No message crosses per stripe.
 *
 * A job: the main thread writes the kernel id and its arguments, splits the rows into stripes, gives
 * each worker a contiguous range of stripe numbers (its queue), bumps SEQ and notifies. Each worker
 * claims stripes from its own queue with an atomic fetch-add, then steals from the others' queues
 * the same way, so every stripe is claimed exactly once and a slow (or descheduled) worker's stripes
 * are taken over. A worker marks each stripe it finishes in the stripe flags; one that finds no stripe
 * left sets its bit in EXITED with one atomic OR, and the one whose bit completes PARTICIPANTS posts
 * one message: the round is over. A worker that dies (killed, or throwing) never sets its flag: the
 * main thread sets its EXITED bit for it (an OR, so it does not matter whether the worker got there
 * first), and stripes left unflagged run again in a retry round.
 */
export const MAX_WORKERS = 16;
export const MAX_ARGS = 16;

export const CTL = {
  /** Job number; workers sleep on it with Atomics.wait. */
  SEQ: 0,
  /** Non-zero: workers leave their loop. */
  STOP: 1,
  KERNEL: 2,
  STRIPES: 3,
  /** Rows per stripe (the last may be shorter). */
  ROWS: 4,
  /** Bit mask of the workers out of the current round. */
  EXITED: 5,
  /** Bit mask of the workers taking part in the current round. */
  PARTICIPANTS: 6,
  /** Stripes finished in the current job. */
  DONE: 7,
  /** A stripe whose claimer fails on purpose (-1: none): how tests crash a worker mid-job. */
  FAULT: 8,
  /** Stripes taken from another worker's queue, since creation. */
  STEALS: 9,
  /** Image rows of the current job. */
  HEIGHT: 10,
  /** Worker queues in use. */
  WORKERS: 11,
  /** What the worker claiming FAULT does: FAULT_THROW or FAULT_STALL. */
  FAULT_MODE: 12,
  /** 1 + the index of a worker stalled on purpose (FAULT_STALL) mid-stripe; 0 when none. */
  STALLED: 13,
  /** Kernel arguments, MAX_ARGS int32s. */
  ARGS: 16,
  /** Per queue: NEXT (the next stripe to claim) and END (one past its last), then two spare int32s. */
  QUEUES: 32,
  /** Per participant (workers, then the main thread): a scratch region's pointer and size. */
  SCRATCH: 32 + 4 * MAX_WORKERS,
} as const;

export const Q_NEXT = 0;
export const Q_END = 1;
export const CTL_INTS = CTL.SCRATCH + 2 * (MAX_WORKERS + 1);
/** After the int32s: bytes a job may pass by pointer (a blur's i16 weight tables: 2 x 255 taps). */
export const JOB_DATA_OFFSET = (CTL_INTS * 4 + 15) & ~15;
export const JOB_DATA_BYTES = 1024;
/** Most stripes a job has (16 workers x 64 stripes each). */
export const MAX_STRIPES = MAX_WORKERS * 64;
/** After the job data: one byte per stripe, STRIPE_STARTED when claimed and run, STRIPE_DONE when finished. */
export const STRIPE_FLAGS_OFFSET = JOB_DATA_OFFSET + JOB_DATA_BYTES;
export const STRIPE_STARTED = 1;
export const STRIPE_DONE = 2;
export const CTL_BYTES = STRIPE_FLAGS_OFFSET + MAX_STRIPES;

/** CTL.FAULT_MODE: the worker throws as it starts the stripe. */
export const FAULT_THROW = 0;
/** CTL.FAULT_MODE: the worker writes half the stripe, sets CTL.STALLED and waits, to be killed mid-stripe. */
export const FAULT_STALL = 1;

export function queueBase(w: number): number {
  return CTL.QUEUES + 4 * w;
}

/**
 * Claims a stripe for worker `self` (-1: the main thread): its own queue first, then the others in
 * turn. Returns the stripe number, or -1 when every queue is empty. Thieves take from the same end
 * as the owner: a fetch-add per claim keeps it exactly-once without a deque's two-ended protocol,
 * and stripes are coarse (tens of rows), so contention on one counter is rare.
 */
export function claim(ctl: Int32Array, self: number, workers: number): number {
  for (let k = 0; k < workers; k++) {
    const w = self < 0 ? k : (self + k) % workers;
    const q = queueBase(w);
    const end = Atomics.load(ctl, q + Q_END);
    if (Atomics.load(ctl, q + Q_NEXT) >= end) continue;
    const s = Atomics.add(ctl, q + Q_NEXT, 1);
    if (s < end) {
      if (self >= 0 && w !== self) Atomics.add(ctl, CTL.STEALS, 1);
      return s;
    }
  }
  return -1;
}
