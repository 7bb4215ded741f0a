// framekit as users get it: `npm pack`, installed from the tarball into a fresh project, then
// imported from Node, from Bun, and from a browser bundle made by `bun build`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CHROMIUM, launch, serve } from './harness.mjs';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const bun = join(root, 'node_modules/.bin/bun');
const app = mkdtempSync(join(tmpdir(), 'fk-app-'));

// The same snippet README shows, for each runtime.
const SNIPPET = `import { createFramekit } from 'framekit';
const fk = await createFramekit({ maxWidth: 64, maxHeight: 48, frames: 1 });
const rgba = fk.allocPlane(64, 48, 'rgba');
rgba.data.fill(0);
for (let i = 0; i < rgba.data.length; i += 4) { rgba.data[i] = 255; rgba.data[i + 3] = 255; }
const gray = fk.gray(fk.allocPlane(64, 48, 'gray'), rgba);
export const result = { wasm: fk.info().wasm, luma: fk.heap[gray.ptr], runtime: fk.info().runtime };
`;

before(async () => {
  const { stdout } = await run('npm', ['pack', '--pack-destination', app, '--silent'], { cwd: root });
  const tarball = join(app, stdout.trim().split('\n').pop());
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'fk-app', private: true, type: 'module' }));
  await run('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', tarball], { cwd: app });
  writeFileSync(join(app, 'snippet.mjs'), SNIPPET);
  writeFileSync(join(app, 'main.mjs'), `import { result } from './snippet.mjs';\nconsole.log(JSON.stringify(result));\n`);
});

test('Node imports the installed tarball', async () => {
  const { stdout } = await run(process.execPath, ['main.mjs'], { cwd: app });
  const r = JSON.parse(stdout);
  assert.equal(r.wasm, 'simd');
  assert.equal(r.luma, 76); // (9798 * 255 + 16384) >> 15
  assert.match(r.runtime, /^node /);
});

test('Bun imports the installed tarball', async () => {
  const { stdout } = await run(bun, ['main.mjs'], { cwd: app });
  const r = JSON.parse(stdout);
  assert.equal(r.wasm, 'simd');
  assert.equal(r.luma, 76);
  assert.match(r.runtime, /^bun /);
});

let server;
let browser;
after(async () => {
  await browser?.close();
  await server?.close();
});

test('a browser bundle built by bun build from the installed package runs in Chromium', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  writeFileSync(join(app, 'page.mjs'), `import { result } from './snippet.mjs';\nwindow.__result = result; window.__done = true;\n`);
  await run(bun, ['build', 'page.mjs', '--target=browser', '--outdir', 'out'], { cwd: app });
  const assets = readdirSync(join(app, 'out')).filter((f) => f.endsWith('.wasm'));
  assert.ok(assets.length >= 2, `the bundle ships its .wasm files: ${assets}`);
  writeFileSync(join(app, 'out', 'index.html'), '<!doctype html><script type="module" src="./page.js"></script>');
  server = await serve(join(app, 'out'));
  browser = await launch();
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/index.html`);
  await page
    .waitForFunction(() => window.__done === true, null, { timeout: 60000 })
    .catch((e) => {
      throw new Error(`${e.message}\n${errors.join('\n')}`);
    });
  const r = await page.evaluate(() => window.__result);
  assert.equal(r.wasm, 'simd');
  assert.equal(r.luma, 76);
  assert.match(r.runtime, /Chrome/);
});
