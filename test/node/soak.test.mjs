// The short soak: `framekit track` over 3,000 frames of the synthetic path (bench/soak.ts runs the
// built CLI as a child with --stats 1000). Every line parses, the sequence numbers run 0..2999 with
// none lost or repeated, and after the first 1,000 frames the live JS heap grows by at most 4 MiB,
// RSS by at most 32 MiB, the arena's high-water mark not at all, and the pool ends each sample empty.
// The full 100,000-frame run is `node dist/bench/soak.js 100000 160x120 node` (bench/results/soak-*.json).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSoak } from '../../dist/bench/soak.js';
import { reportHtml } from '../../dist/bench/report.js';

test('track over 3,000 frames: sequence intact, memory flat after warm-up, the report draws it', async () => {
  const r = await runSoak({ runtime: 'node', frames: 3000, width: 160, height: 120, every: 1000, warmupFrames: 1000 });
  assert.equal(r.exitCode, 0, r.stderrTail);
  assert.equal(r.badLines, 0);
  assert.equal(r.sequenceErrors, 0, r.firstSequenceError);
  assert.equal(r.frames, 3000);
  assert.equal(r.summary.frames, 3000);
  assert.equal(r.series.length, 3);
  assert.ok(
    r.series.every((s) => s.collected),
    'heap sampled after a forced collection',
  );
  assert.ok(r.heapGrowthBytes <= 4 << 20, `heap grew ${r.heapGrowthBytes} bytes`);
  assert.ok(r.rssGrowthBytes <= 32 << 20, `RSS grew ${r.rssGrowthBytes} bytes`);
  assert.equal(r.arenaHighWaterGrowthBytes, 0);
  // Live at each sample: only the next frame, whose read is in flight (track reads one frame ahead).
  assert.deepEqual(
    r.series.map((s) => [s.pool.live, s.pool.readAhead]),
    [
      [1, 1],
      [1, 1],
      [1, 1],
    ],
  );
  assert.equal(r.maxPoolLive, 0);
  assert.equal(r.poolDropped, 0);
  // One acquire per frame, plus the frame being read ahead.
  assert.deepEqual(
    r.series.map((s) => s.pool.acquired),
    [1001, 2001, 3001],
  );
  assert.equal(r.flat, true);
  // The track held over the whole path (the mean corner error against ground truth stays a few pixels).
  assert.ok(r.summary.groundTruth.meanCornerErrorPx < 10, JSON.stringify(r.summary.groundTruth));
  const html = reportHtml({
    env: { runtime: 'node', version: '', cpu: '', cores: 1, platform: '', date: '' },
    results: [{ kernel: 'soak', impl: 'node', ...r }],
  });
  assert.equal((html.match(/<polyline class="series"/g) ?? []).length, 3);
  assert.match(html, /soak node: 3000 frames 160x120, flat after 1000/);
});
