/**
 * Latency samples of one stage in a preallocated ring (the last `capacity` frames), so recording a
 * frame allocates nothing; percentiles sort a copy when asked (once, for the summary).
 */
export class LatencyRecorder {
  readonly #samples: Float64Array;
  #n = 0;
  #sum = 0;

  constructor(capacity = 8192) {
    this.#samples = new Float64Array(capacity);
  }

  record(ms: number): void {
    this.#samples[this.#n % this.#samples.length] = ms;
    this.#n++;
    this.#sum += ms;
  }

  get count(): number {
    return this.#n;
  }

  get mean(): number {
    return this.#n ? this.#sum / this.#n : 0;
  }

  /** The p-th percentile (0..100) of the retained samples, nearest-rank. Allocates a sorted copy. */
  percentile(p: number): number {
    const n = Math.min(this.#n, this.#samples.length);
    if (n === 0) return 0;
    const s = this.#samples.slice(0, n).sort();
    return s[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!;
  }
}
