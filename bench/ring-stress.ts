/**
 * The SPSC rings under stress: a producer thread and a consumer thread (worker_threads, see
 * bench/ring-stress-worker.ts) at seeded random speeds for `durationMs`, on a FrameRing (int32
 * handles in a SharedArrayBuffer) and on a SampleRing (Float32 PCM in a shared framekit memory).
 * Passes when every item arrives exactly once and in order: the consumer counts the items the
 * producer wrote, and no item was lost, repeated or reordered.
 *
 * `bun bench/ring-stress.ts [seconds]` or `node dist/bench/ring-stress.js [seconds]` (default 60 per
 * ring, so two minutes); the unit suite runs it for a few seconds (test/unit/ring-stress.test.ts).
 */
import { Worker } from 'node:worker_threads';
import { createFramekit } from '../ts/index.js';
import { FrameRing } from '../ts/frame/ring.js';
import { SampleRing } from '../ts/frame/sample-ring.js';
import type { StressWorkerData, StressWorkerResult } from './ring-stress-worker.js';

export interface RingStressResult {
  kind: 'frame' | 'sample';
  capacity: number;
  durationMs: number;
  /** Items the producer wrote and the consumer received. */
  produced: number;
  received: number;
  errors: number;
  firstError: string;
  /** Times the producer found the ring full, and the consumer found it empty (both must happen). */
  producerBlocked: number;
  consumerBlocked: number;
  stalls: number;
  ok: boolean;
}

function workerUrl(): URL {
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  return new URL(`./ring-stress-worker.${ext}`, import.meta.url);
}

function side(data: StressWorkerData): Promise<StressWorkerResult> {
  const w = new Worker(workerUrl(), { workerData: data });
  return new Promise((resolve, reject) => {
    w.once('message', (m: StressWorkerResult) => {
      void w.terminate();
      resolve(m);
    });
    w.once('error', reject);
  });
}

/** Runs one ring for `durationMs` with both sides on their own threads. */
export async function stressRing(
  kind: 'frame' | 'sample',
  durationMs: number,
  seed = 1,
  capacity = kind === 'frame' ? 64 : 1024,
): Promise<RingStressResult> {
  const control = new SharedArrayBuffer(16);
  let buffer: SharedArrayBuffer;
  let layout: StressWorkerData['layout'];
  let dispose = () => {};
  if (kind === 'frame') buffer = FrameRing.create(capacity).buffer as unknown as SharedArrayBuffer;
  else {
    const fk = await createFramekit({ arenaBytes: 1 << 20, shared: true, backend: 'wasm-simd' });
    const ring = new SampleRing(fk, capacity);
    buffer = fk.memory.buffer as unknown as SharedArrayBuffer;
    layout = ring.layout;
    dispose = () => ring.dispose();
  }
  const base = { kind, seed, durationMs, buffer, layout, control };
  const [p, c] = await Promise.all([
    side({ ...base, role: 'produce', seed: seed * 2 + 1 }),
    side({ ...base, role: 'consume', seed: seed * 2 + 2 }),
  ]);
  dispose();
  return {
    kind,
    capacity,
    durationMs,
    produced: p.items,
    received: c.items,
    errors: p.errors + c.errors,
    firstError: p.firstError || c.firstError,
    producerBlocked: p.blocked,
    consumerBlocked: c.blocked,
    stalls: p.stalls + c.stalls,
    ok: p.errors + c.errors === 0 && p.items === c.items && p.items > 0,
  };
}

const entry = process.argv[1] ?? '';
if (/bench[\\/]ring-stress\.(ts|js)$/.test(entry)) {
  const seconds = Number(process.argv[2] ?? 60);
  const results: RingStressResult[] = [];
  for (const kind of ['frame', 'sample'] as const) {
    const r = await stressRing(kind, seconds * 1000, 7);
    console.error(
      `${kind} ring: ${r.received} of ${r.produced} items in ${seconds} s, errors ${r.errors} ${r.firstError}, full ${r.producerBlocked}x, empty ${r.consumerBlocked}x: ${r.ok ? 'ok' : 'FAILED'}`,
    );
    results.push(r);
  }
  console.log(JSON.stringify(results, null, 2));
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
}
