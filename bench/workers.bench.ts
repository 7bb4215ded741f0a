import { cpus, loadavg } from 'node:os';
import { createFramekit, type Framekit } from '../ts/index.js';
import { WorkerPool } from '../ts/workers/pool.js';
import { readImageFile, type DecodedImage } from '../ts/io/image.js';
import { fixturePath } from './fixtures.js';
import { tile, type BenchOptions, type BenchRow, type BenchSuite } from './harness.js';

/** Times calls of `fn` (sync or async) for `timeMs` (at least 5 calls), appending each call's ms to `into`. */
async function sample(fn: () => unknown, timeMs: number, into: number[]): Promise<void> {
  const end = performance.now() + timeMs;
  for (let n = 0; n < 5 || performance.now() < end; n++) {
    const a = performance.now();
    await fn();
    into.push(performance.now() - a);
  }
}

/**
 * Medians of several configurations of one kernel: each first runs untimed for `timeMs` (engines
 * tier WASM up lazily: the first configuration timed would otherwise run slower code), then the
 * configurations take turns, `rounds` times, so drift in the machine's speed lands on all of them.
 */
async function compare(fns: Array<() => unknown>, timeMs: number, rounds = 3): Promise<Array<{ medianMs: number; samples: number }>> {
  const t = fns.map(() => [] as number[]);
  for (const fn of fns) await sample(fn, timeMs, []);
  for (let r = 0; r < rounds; r++) for (let i = 0; i < fns.length; i++) await sample(fns[i]!, timeMs / rounds, t[i]!);
  return t.map((x) => {
    x.sort((a, b) => a - b);
    return { medianMs: x[x.length >> 1]!, samples: x.length };
  });
}

interface Job {
  name: string;
  single: () => unknown;
  pooled: (p: WorkerPool) => Promise<unknown>;
}

/** The kernels the pool can split, set up once on `fk` at w x h. */
function jobs(fk: Framekit, w: number, h: number, photo: DecodedImage): Job[] {
  const rgba = fk.allocPlane(w, h, 'rgba');
  tile(rgba.data, w, h, photo, 4);
  const gray = fk.allocPlane(w, h, 'gray');
  fk.gray(gray, rgba);
  const blurred = fk.allocPlane(w, h, 'gray');
  const kpsOne = fk.allocKeypoints(50000);
  const kpsPool = fk.allocKeypoints(50000);
  return [
    { name: 'gray', single: () => fk.gray(gray, rgba), pooled: (p) => p.gray(gray, rgba) },
    { name: 'blur5', single: () => fk.gaussianBlur(blurred, gray, 5), pooled: (p) => p.gaussianBlur(blurred, gray, 5) },
    { name: 'blur15', single: () => fk.gaussianBlur(blurred, gray, 15, 3), pooled: (p) => p.gaussianBlur(blurred, gray, 15, 3) },
    { name: 'fast20', single: () => fk.fast(kpsOne, gray, { threshold: 20 }), pooled: (p) => p.fast(kpsPool, gray, { threshold: 20 }) },
  ];
}

/**
 * The worker pool at 1080p: each kernel on the calling thread, then over 1 and 2 workers on the one
 * shared memory; speed-up = 1-worker median / 2-worker median. The machine's cores and load are in
 * the row: a shared machine gives a 2-worker run fewer than 2 free cores.
 */
export const workersSuite: BenchSuite = {
  kernel: 'workers',
  async run(o: BenchOptions) {
    const [w, h] = [1920, 1080];
    const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 5, shared: true });
    const list = jobs(fk, w, h, await readImageFile(fixturePath('astronaut.png')));
    const rows: BenchRow[] = [];
    const pools = [await WorkerPool.create(fk, { workers: 1 }), await WorkerPool.create(fk, { workers: 2 })];
    try {
      for (const j of list) {
        const [single, one, two] = (await compare([j.single, () => j.pooled(pools[0]!), () => j.pooled(pools[1]!)], o.timeMs)) as [
          { medianMs: number; samples: number },
          { medianMs: number; samples: number },
          { medianMs: number; samples: number },
        ];
        const env = { cores: cpus().length, loadAverage1m: loadavg()[0] };
        rows.push({ kernel: 'workers', impl: `${j.name}/main-thread`, width: w, height: h, ...single, ...env });
        rows.push({ kernel: 'workers', impl: `${j.name}/1-worker`, width: w, height: h, ...one, ...env });
        rows.push({
          kernel: 'workers',
          impl: `${j.name}/2-workers`,
          width: w,
          height: h,
          ...two,
          speedup: one.medianMs / two.medianMs,
          steals: pools[1]!.info().steals,
          ...env,
        });
        o.log(
          `workers ${j.name.padEnd(6)} ${w}x${h} main thread ${single.medianMs.toFixed(3)} ms, 1 worker ${one.medianMs.toFixed(3)} ms, 2 workers ${two.medianMs.toFixed(3)} ms: ${(one.medianMs / two.medianMs).toFixed(2)}x (load avg ${env.loadAverage1m!.toFixed(1)} on ${env.cores} cores)`,
        );
      }
    } finally {
      for (const p of pools) await p.dispose();
    }
    return rows;
  },
};
