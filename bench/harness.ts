import { Bench } from 'tinybench';
import { cpus } from 'node:os';
import { runtimeName } from '../ts/runtime.js';

/** The implementations a row can name. */
export type Impl =
  | 'memcpy'
  | 'reference'
  | 'wasm-scalar'
  | 'wasm-simd'
  | 'webgpu'
  | 'opencv.js'
  | 'jsfeat'
  | 'js resize+normalise'
  | 'typescript'
  | 'onnxruntime-node'
  | 'onnxruntime-web';

/** One measurement. Suites may add fields (steady-state and scheduler rows do). */
export interface BenchRow {
  kernel: string;
  impl: Impl | string;
  width?: number;
  height?: number;
  medianMs?: number;
  samples?: number;
  [extra: string]: unknown;
}

export interface BenchOptions {
  /** Frame sizes to run (each suite may restrict them). */
  sizes: Array<[number, number]>;
  /** Time budget per task in milliseconds (tinybench `time`). */
  timeMs: number;
  /** Only run suites whose kernel name is in this list (all when empty). */
  kernels: string[];
  /** Frames for the long-running suites (soak, reliability) when given. */
  frames?: number;
  /** Progress lines go here (stderr in the CLI). */
  log: (line: string) => void;
}

export interface BenchSuite {
  /** The `kernel` value of its rows; `framekit bench --kernel NAME` selects by it. */
  kernel: string;
  run(o: BenchOptions): Promise<BenchRow[]>;
}

export interface BenchEnv {
  runtime: string;
  version: string;
  cpu: string;
  cores: number;
  platform: string;
  date: string;
}

export function benchEnv(): BenchEnv {
  const c = cpus();
  const runtime = runtimeName();
  return {
    runtime: runtime.split(' ')[0] ?? runtime,
    version: runtime.split(' ')[1] ?? '',
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
  };
}

/** A task: its implementation name and the function one sample times. `undefined` entries are skipped. */
export type Task = [impl: Impl, fn: () => unknown];

/** Rounds `measure` splits its time into: the tasks take turns, so a machine that slows down for a while slows them alike. */
const ROUNDS = 5;

/**
 * Times every task with tinybench in ROUNDS rounds of `timeMs / ROUNDS` each, the tasks one after
 * another within a round, and returns a row per task with the median of all its samples. Taking
 * turns keeps side-by-side ratios honest on a shared machine whose speed drifts over seconds. Each
 * task is called once before timing so that a wrong implementation throws here.
 */
export async function measure(
  kernel: string,
  width: number,
  height: number,
  tasks: Array<Task | undefined>,
  o: BenchOptions,
): Promise<BenchRow[]> {
  const live = tasks.filter((t): t is Task => t !== undefined);
  for (const [, fn] of live) fn();
  const samples = new Map<string, number[]>(live.map(([impl]) => [impl, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const first = round === 0;
    const bench = new Bench({
      time: o.timeMs / ROUNDS,
      warmupTime: first ? Math.min(200, o.timeMs / 2) : 0,
      warmupIterations: first ? 2 : 0,
      iterations: 1,
      retainSamples: true,
      throws: true,
    });
    for (const [impl, fn] of live) bench.add(impl, fn);
    await bench.run();
    for (const t of bench.tasks) {
      const r = t.result;
      if (r.state !== 'completed') throw new Error(`${kernel} ${t.name} ${width}x${height}: ${r.state}`);
      const into = samples.get(t.name)!;
      for (const v of r.latency.samples ?? [r.latency.p50]) into.push(v);
    }
  }
  const rows: BenchRow[] = [];
  for (const [impl, v] of samples) {
    v.sort((a, b) => a - b);
    const mid = v.length >> 1;
    const median = v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
    rows.push({ kernel, impl: impl as Impl, width, height, medianMs: median, samples: v.length });
  }
  for (const row of rows)
    o.log(
      `${kernel.padEnd(14)} ${String(row.impl).padEnd(12)} ${`${width}x${height}`.padEnd(10)} ${row.medianMs!.toFixed(3).padStart(9)} ms`,
    );
  return rows;
}

/** Fills `out` with the picture `img` (packed, `bpp` bytes per pixel) repeated to cover `width` x `height`. */
export function tile(
  out: Uint8Array,
  width: number,
  height: number,
  img: { width: number; height: number; data: Uint8Array },
  bpp: number,
): Uint8Array {
  for (let y = 0; y < height; y++) {
    const sy = y % img.height;
    for (let x = 0; x < width; x += img.width) {
      const n = Math.min(img.width, width - x);
      out.set(img.data.subarray(sy * img.width * bpp, (sy * img.width + n) * bpp), (y * width + x) * bpp);
    }
  }
  return out;
}
