// The CLI as one stage of a shell pipeline: a reader that stops early closes the pipe, and the
// command stops quietly (exit 0, nothing on stderr) instead of dying on a write error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/ts/cli/main.js');

test('track --json stops quietly when its reader closes the pipe after one line', async () => {
  const child = spawn(process.execPath, [cli, 'track', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const first = await new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        // What `head -1` does: read one line, then close its end.
        child.stdout.destroy();
        resolve(buf.slice(0, nl));
      }
    });
    child.on('error', reject);
  });
  assert.equal(JSON.parse(first).seq, 0);
  const code = await new Promise((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(code, 0, `exit ${code}, stderr: ${stderr}`);
  assert.doesNotMatch(stderr, /EPIPE|Error/);
});
