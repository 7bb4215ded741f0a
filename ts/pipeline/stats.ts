/** A stage's counters and its latency samples (the last `window`, in a ring: recording allocates nothing). */
export class StageStats {
  readonly name: string;
  /** Frames (or AI calls) that reached the stage. */
  entered = 0;
  completed = 0;
  /** Completed after their deadline. */
  missed = 0;
  /** Shed by the scheduler before they started (their deadline had passed). */
  dropped = 0;
  /** Cancelled by their deadline while running (a stage that did not resolve in time). */
  timedOut = 0;
  failed = 0;
  /** AI stages: frames passed on without a call because `maxInFlight` calls were running. */
  skipped = 0;
  /** AI stages: results attached to their frame. */
  attached = 0;
  /** Waiting or running now, and the most ever. */
  depth = 0;
  maxDepth = 0;
  readonly #lat: Float64Array;
  #n = 0;

  constructor(name: string, window = 1024) {
    this.name = name;
    this.#lat = new Float64Array(window);
  }

  enter(): void {
    this.entered++;
    if (++this.depth > this.maxDepth) this.maxDepth = this.depth;
  }

  leave(latencyMs: number): void {
    this.depth--;
    this.#lat[this.#n++ % this.#lat.length] = latencyMs;
  }

  /** Latency percentile `p` (0..100) over the window, in ms; NaN with no samples. Allocates a sorted copy. */
  percentile(p: number): number {
    const n = Math.min(this.#n, this.#lat.length);
    if (n === 0) return Number.NaN;
    const s = this.#lat.slice(0, n).sort();
    return s[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  }

  /** A plain object for reports. Allocates. */
  report(): StageReport {
    return {
      name: this.name,
      entered: this.entered,
      completed: this.completed,
      missed: this.missed,
      dropped: this.dropped,
      timedOut: this.timedOut,
      failed: this.failed,
      skipped: this.skipped,
      attached: this.attached,
      depth: this.depth,
      maxDepth: this.maxDepth,
      p50Ms: this.percentile(50),
      p95Ms: this.percentile(95),
      p99Ms: this.percentile(99),
    };
  }
}

export interface StageReport {
  name: string;
  entered: number;
  completed: number;
  missed: number;
  dropped: number;
  timedOut: number;
  failed: number;
  skipped: number;
  attached: number;
  depth: number;
  maxDepth: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}
