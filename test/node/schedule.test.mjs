// Scheduler, pipeline and worker pool from the built package under Node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFramekit, FramekitError, Scheduler, WorkerPool } from 'framekit';

test('scheduler: levels in order, earliest deadline first, shed past deadline, typed errors', async () => {
  const s = new Scheduler({ budgetMs: 2 });
  const ran = [];
  await Promise.all(['idle', 'low', 'normal', 'high', 'critical'].map((l) => s.post(() => void ran.push(l), { level: l })));
  assert.deepEqual(ran, ['critical', 'high', 'normal', 'low', 'idle']);
  const order = [];
  await Promise.all([30, 10, 20].map((d) => s.post(() => void order.push(d), { level: 'normal', deadlineMs: d })));
  assert.deepEqual(order, [10, 20, 30]);
  const late = s.post(() => 'ran', { level: 'low', deadlineMs: -1, droppable: true });
  await assert.rejects(late, (e) => e instanceof FramekitError && e.code === 'E_DEADLINE');
  await assert.rejects(
    s.post(() => 0, { level: 'urgent' }),
    (e) => e instanceof FramekitError && e.code === 'E_ARGUMENT',
  );
  assert.throws(
    () => s.setContext('party'),
    (e) => e instanceof FramekitError && e.code === 'E_ARGUMENT',
  );
  await assert.rejects(
    s.post(
      () => {
        throw new Error('boom');
      },
      { level: 'high' },
    ),
    /boom/,
  );
  assert.equal(await s.post(() => 'still running', { level: 'high' }), 'still running');
});

test('worker pool: two worker threads on the shared memory give byte-identical gray, blur and FAST', async () => {
  const fk = await createFramekit({ maxWidth: 640, maxHeight: 480, frames: 4, shared: true });
  const pool = await WorkerPool.create(fk, { workers: 2 });
  try {
    assert.equal(pool.info().workers, 2);
    const w = 640;
    const h = 480;
    const rgba = fk.allocPlane(w, h, 'rgba');
    let seed = 7;
    for (let i = 0; i < rgba.data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      rgba.data[i] = seed >>> 24;
    }
    const [a, b, c, d] = [0, 1, 2, 3].map(() => fk.allocPlane(w, h, 'gray'));
    fk.gray(a, rgba);
    await pool.gray(b, rgba);
    assert.deepEqual(fk.readPixels(b), fk.readPixels(a));
    fk.gaussianBlur(c, a, 5);
    await pool.gaussianBlur(d, a, 5);
    assert.deepEqual(fk.readPixels(d), fk.readPixels(c));
    const k1 = fk.allocKeypoints(50000);
    const k2 = fk.allocKeypoints(50000);
    fk.fast(k1, c, { threshold: 10 });
    await pool.fast(k2, c, { threshold: 10 });
    assert.equal(k2.count, k1.count);
    assert.ok(k1.count > 100);
    assert.deepEqual(k2.x.subarray(0, k2.count), k1.x.subarray(0, k1.count));
    assert.deepEqual(k2.response.subarray(0, k2.count), k1.response.subarray(0, k1.count));
  } finally {
    await pool.dispose();
  }
});
