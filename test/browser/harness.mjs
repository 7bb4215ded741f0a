// Serves a directory (the repository by default) on 127.0.0.1 with framekit's own static server
// (cross-origin isolated, as shared memory needs) and drives Debian's Chromium through playwright-core.
import { chromium } from 'playwright-core';
import { serveDirectory } from '../../dist/ts/cli/serve.js';

const root = new URL('../../', import.meta.url).pathname;

/** Serves `dir` (default: the repository) on an ephemeral port of 127.0.0.1. */
export function serve(dir = root) {
  return serveDirectory(dir);
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launch(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** Opens `page` (a path under the served directory), waits for window.__done, returns window.__result. */
export async function runPage(browser, base, page, timeout = 120000) {
  const p = await browser.newPage();
  const logs = [];
  p.on('console', (m) => logs.push(`${m.type()}: ${m.text()}`));
  p.on('pageerror', (e) => logs.push(`pageerror: ${e.message}`));
  await p.goto(`${base}/${page}`);
  try {
    await p.waitForFunction(() => window.__done === true, null, { timeout });
  } catch (e) {
    throw new Error(`${page} did not finish: ${e.message}\n${logs.join('\n')}`);
  }
  const result = await p.evaluate(() => window.__result);
  await p.close();
  return { result, logs };
}
