/**
 * Predicts the task class needed next from the classes seen so far: a first-order Markov model
 * over classes, as decayed transition counts. After class A, the guess is the class that most
 * often followed A lately. O(classes) per observation, no allocation after a class is first seen.
 *
 *   counts[a][b] <- counts[a][b] * decay  for every b   (old habits fade)
 *   counts[a][next] += 1
 *   guess <- argmax_b counts[next][b]
 */
export class ClassPredictor {
  readonly maxClasses: number;
  readonly decay: number;
  readonly #ids = new Map<string, number>();
  readonly #names: string[] = [];
  readonly #counts: Float64Array;
  #prev = -1;
  #guess = -1;
  predictions = 0;
  hits = 0;

  constructor(maxClasses = 32, decay = 0.97) {
    this.maxClasses = maxClasses;
    this.decay = decay;
    this.#counts = new Float64Array(maxClasses * maxClasses);
  }

  /** The small integer of a class name, registering it the first time; -1 once `maxClasses` are known. */
  classId(name: string): number {
    let id = this.#ids.get(name);
    if (id === undefined) {
      if (this.#names.length >= this.maxClasses) return -1;
      id = this.#names.length;
      this.#ids.set(name, id);
      this.#names.push(name);
    }
    return id;
  }

  className(id: number): string | null {
    return this.#names[id] ?? null;
  }

  /** The class guessed to come next, or -1 before there is any evidence. */
  get guess(): number {
    return this.#guess;
  }

  /** Records that class `id` was needed; scores the previous guess; returns the new guess. */
  observe(id: number): number {
    if (id < 0) return this.#guess;
    if (this.#guess >= 0) {
      this.predictions++;
      if (this.#guess === id) this.hits++;
    }
    const k = this.maxClasses;
    const c = this.#counts;
    if (this.#prev >= 0) {
      const row = this.#prev * k;
      for (let b = 0; b < this.#names.length; b++) c[row + b]! *= this.decay;
      c[row + id]! += 1;
    }
    this.#prev = id;
    let best = -1;
    let bestCount = 0;
    const row = id * k;
    for (let b = 0; b < this.#names.length; b++) {
      if (c[row + b]! > bestCount) {
        bestCount = c[row + b]!;
        best = b;
      }
    }
    this.#guess = best;
    return best;
  }

  /** Share of scored guesses that named the class that came next (0 before any). */
  hitRate(): number {
    return this.predictions > 0 ? this.hits / this.predictions : 0;
  }
}
