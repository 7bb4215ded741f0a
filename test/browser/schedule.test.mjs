import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { CHROMIUM, launch, runPage, serve } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
let isolated;
let plain;
let plainUrl;
let browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  isolated = await serve();
  // The same files without the cross-origin isolation headers: no SharedArrayBuffer there.
  plain = createServer((req, res) => {
    const p = join(root, new URL(req.url, 'http://x').pathname);
    try {
      const body = readFileSync(p);
      res.writeHead(200, {
        'content-type':
          { '.js': 'text/javascript', '.html': 'text/html', '.wasm': 'application/wasm' }[extname(p)] ?? 'application/octet-stream',
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => plain.listen(0, '127.0.0.1', r));
  plainUrl = `http://127.0.0.1:${plain.address().port}`;
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await isolated?.close();
  plain?.close();
});

const check = (r, logs) => {
  assert.equal(r.error, undefined, `${r.error}\n${logs.join('\n')}`);
  assert.equal(r.host, 'post-task');
  assert.deepEqual(r.order, ['critical', 'high', 'normal', 'low', 'idle']);
  assert.ok(
    r.timerRanAfterTasks >= 0 && r.timerRanAfterTasks < 60,
    `a timer got the thread between slices (after ${r.timerRanAfterTasks} tasks)`,
  );
  assert.equal(r.grayEqual, true);
  assert.equal(r.blurEqual, true);
  assert.equal(r.fastEqual, true);
  assert.equal(r.fastCounts[0], r.fastCounts[1]);
};

test('Chromium, cross-origin isolated: postTask host, level order, worker pool on Web Workers byte-identical', async () => {
  const { result: r, logs } = await runPage(browser, isolated.url, 'test/browser/schedule.html');
  check(r, logs);
  assert.equal(r.isolated, true);
  assert.equal(r.pool.workers, 2, JSON.stringify(r.pool));
});

test('Chromium, not isolated: the pool falls back to one thread and says why', async () => {
  const { result: r, logs } = await runPage(browser, plainUrl, 'test/browser/schedule.html');
  check(r, logs);
  assert.equal(r.isolated, false);
  assert.equal(r.pool.workers, 0, JSON.stringify(r.pool));
  assert.match(JSON.stringify(r.poolLog) + JSON.stringify(r.pool), /isolat|SharedArrayBuffer|shared/i);
});
