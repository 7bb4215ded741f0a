import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { CHROMIUM, launch, serve } from './harness.mjs';

const root = new URL('../../', import.meta.url).pathname;
let server;
let browser;
before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  server = await serve();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('framekit bench --report writes results.json and an HTML page whose SVG charts render in Chromium', async () => {
  const dir = `${root}test-results/report`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await promisify(execFile)(process.execPath, [
    `${root}dist/ts/cli/main.js`,
    'bench',
    '--kernel',
    'gray',
    '--sizes',
    '64x48,128x96',
    '--time',
    '20',
    '--report',
    dir,
  ]);
  const json = JSON.parse(readFileSync(`${dir}/results.json`, 'utf8'));
  const rows = json.results.filter((r) => r.kernel === 'gray');
  assert.equal(rows.length, 12, 'six implementations at two sizes');
  const page = await browser.newPage();
  await page.goto(`${server.url}/test-results/report/index.html`);
  const charts = await page.$$eval('svg.chart', (s) =>
    s.map((svg) => ({
      label: svg.getAttribute('aria-label'),
      bars: [...svg.querySelectorAll('rect.bar')].map((r) => [r.dataset.impl, r.getBBox().width]),
    })),
  );
  assert.deepEqual(
    charts.map((c) => c.label),
    ['gray 64x48', 'gray 128x96'],
  );
  for (const c of charts) {
    assert.deepEqual(
      c.bars.map((b) => b[0]),
      ['memcpy', 'reference', 'wasm-scalar', 'wasm-simd', 'opencv.js', 'jsfeat'],
    );
    for (const [, w] of c.bars) assert.ok(w > 0, 'every bar is drawn');
    // Log scale: the slowest bar is the widest.
    const byImpl = Object.fromEntries(c.bars);
    assert.ok(byImpl.reference > byImpl['wasm-simd']);
  }
  await page.screenshot({ path: `${root}test-results/bench-report.png`, fullPage: true });
  await page.close();
});
