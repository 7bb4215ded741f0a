import { afterAll, expect, test } from 'bun:test';
import { createFramekit, FramePool, type Frame } from '../../ts/index.js';
import { Pipeline, sink, stage } from '../../ts/pipeline/index.js';
import { Scheduler } from '../../ts/schedule/index.js';
import { WorkerPool } from '../../ts/workers/pool.js';
import { fillRandom } from '../helpers/index.js';

let pool: WorkerPool | null = null;
afterAll(async () => {
  await pool?.dispose();
});

test('a pipeline whose blur and FAST stages run on the worker pool gives each frame the single-threaded results', async () => {
  const w = 320;
  const h = 240;
  const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 12, shared: true });
  pool = await WorkerPool.create(fk, { workers: 2 });
  const frames = new FramePool(fk, { width: w, height: h, size: 4 });
  const n = frames.size;
  const blurred = Array.from({ length: n }, () => fk.allocPlane(w, h, 'gray'));
  const corners = Array.from({ length: n }, () => fk.allocKeypoints(5000));
  const check = { blur: fk.allocPlane(w, h, 'gray'), corners: fk.allocKeypoints(5000) };
  const p = new Pipeline<Frame>(new Scheduler(), [
    stage('gray', (f) => void f.gray()),
    // Asynchronous media stages: the frame moves on when the workers are done.
    stage('blur', (f) => pool!.gaussianBlur(blurred[f.index]!, f.gray(), 7).then(() => undefined), { deadlineMs: 5000 }),
    stage('fast', (f) => pool!.fast(corners[f.index]!, blurred[f.index]!, { threshold: 15 }).then(() => undefined), { deadlineMs: 5000 }),
    sink('check', (f) => {
      fk.gaussianBlur(check.blur, f.gray(), 7);
      fk.fast(check.corners, check.blur, { threshold: 15 });
      const k = corners[f.index]!;
      expect(Buffer.compare(fk.readPixels(check.blur), fk.readPixels(blurred[f.index]!))).toBe(0);
      expect([k.count, k.found]).toEqual([check.corners.count, check.corners.found]);
      expect(Array.from(k.x.subarray(0, k.count))).toEqual(Array.from(check.corners.x.subarray(0, k.count)));
      expect(Array.from(k.y.subarray(0, k.count))).toEqual(Array.from(check.corners.y.subarray(0, k.count)));
    }),
  ]);
  let seed = 0;
  async function* source() {
    for (let i = 0; i < 8; i++) {
      const f = frames.acquire();
      fillRandom(f.pixels, ++seed);
      yield f;
    }
  }
  await p.pump(source());
  const r = p.report();
  expect(r.frames).toMatchObject({ pushed: 8, completed: 8, dropped: 0 });
  expect(r.stages.map((s) => s.failed)).toEqual([0, 0, 0, 0]);
  expect(frames.stats().free).toBe(n);
  expect(pool.info().jobs).toBe(16);
});
