// The scheduler on Chromium's host (scheduler.postTask), and the worker pool on Web Workers over
// the shared memory when the page is cross-origin isolated (one thread, with its reason, when not).
import { createFramekit, Scheduler, WorkerPool } from '../../dist/browser/browser.js';

async function check() {
  const out = {};
  const s = new Scheduler({ budgetMs: 1 });
  out.host = s.hostKind;
  const ran = [];
  const levels = ['idle', 'low', 'normal', 'high', 'critical'];
  await Promise.all(levels.map((l) => s.post(() => void ran.push(l), { level: l })));
  out.order = ran;
  // Cooperative slices: a timer queued before 60 short tasks runs before the last of them.
  let timerAt = -1;
  let count = 0;
  setTimeout(() => (timerAt = count), 0);
  const spin = () => {
    const t = performance.now();
    while (performance.now() - t < 0.5);
    count++;
  };
  const all = [];
  for (let i = 0; i < 60; i++) all.push(s.post(spin, { level: i % 2 ? 'low' : 'high' }));
  await Promise.all(all);
  out.timerRanAfterTasks = timerAt;
  out.isolated = globalThis.crossOriginIsolated === true;
  const fk = await createFramekit({ maxWidth: 320, maxHeight: 240, frames: 3, shared: out.isolated });
  const logs = [];
  const pool = await WorkerPool.create(fk, { workers: 2, log: (l) => logs.push(l) });
  out.pool = pool.info();
  out.poolLog = logs;
  const w = 320;
  const h = 240;
  const rgba = fk.allocPlane(w, h, 'rgba');
  let seed = 1;
  for (let i = 0; i < rgba.data.length; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    rgba.data[i] = seed >>> 24;
  }
  const eq = (x, y) => x.length === y.length && x.every((v, i) => v === y[i]);
  const a = fk.allocPlane(w, h, 'gray');
  const b = fk.allocPlane(w, h, 'gray');
  fk.gray(a, rgba);
  await pool.gray(b, rgba);
  out.grayEqual = eq(fk.readPixels(a), fk.readPixels(b));
  const c = fk.allocPlane(w, h, 'gray');
  const d = fk.allocPlane(w, h, 'gray');
  fk.gaussianBlur(c, a, 7);
  await pool.gaussianBlur(d, a, 7);
  out.blurEqual = eq(fk.readPixels(c), fk.readPixels(d));
  const k1 = fk.allocKeypoints(20000);
  const k2 = fk.allocKeypoints(20000);
  fk.fast(k1, c, { threshold: 10 });
  await pool.fast(k2, c, { threshold: 10 });
  out.fastCounts = [k1.count, k2.count];
  out.fastEqual = eq(k1.x.subarray(0, k1.count), k2.x.subarray(0, k2.count)) && eq(k1.y.subarray(0, k1.count), k2.y.subarray(0, k2.count));
  await pool.dispose();
  return out;
}

check()
  .then((r) => (window.__result = r))
  .catch((e) => (window.__result = { error: String(e && e.stack ? e.stack : e) }))
  .finally(() => (window.__done = true));
