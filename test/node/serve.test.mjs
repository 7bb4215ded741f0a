// The demo's static server (framekit demo) against hostile requests: every one gets its status, the
// server keeps answering, and nothing outside the served folder is readable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDirectory, resolveRequestPath, MAX_URL_LENGTH } from '../../dist/ts/cli/serve.js';

const SECRET = 'not-for-the-browser-' + process.pid;

function layout() {
  const base = mkdtempSync(join(tmpdir(), 'fk-serve-'));
  const site = join(base, 'site');
  mkdirSync(join(site, 'sub'), { recursive: true });
  writeFileSync(join(site, 'index.html'), '<!doctype html>home');
  writeFileSync(join(site, 'app.js'), 'export {};');
  writeFileSync(join(site, 'sub', 'index.html'), 'sub');
  writeFileSync(join(base, 'secret.txt'), SECRET);
  symlinkSync(join(base, 'secret.txt'), join(site, 'link.txt'));
  symlinkSync(base, join(site, 'up'));
  symlinkSync(join(site, 'app.js'), join(site, 'inside.js'));
  return { base, site };
}

/** One raw HTTP/1.1 request over a socket (no client-side URL checks); resolves with the status and body. */
function raw(url, requestLine) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => {
      s.write(`${requestLine}\r\nhost: ${hostname}\r\nconnection: close\r\n\r\n`);
    });
    let data = '';
    s.setEncoding('latin1');
    s.on('data', (d) => (data += d));
    s.on('end', () => {
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      resolve({ status: m ? Number(m[1]) : 0, text: data });
    });
    s.on('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('timeout')));
  });
}

test('resolveRequestPath: decoding, traversal and malformed targets', () => {
  const root = '/srv/demo';
  assert.deepEqual(resolveRequestPath(root, '/'), { path: '/srv/demo/index.html' });
  assert.deepEqual(resolveRequestPath(root, '/a%20b.js?x=1#y'), { path: '/srv/demo/a b.js' });
  for (const t of ['/%E0%A4%A', '/%', '/a\\..\\b', '/%5c..%5cetc', '/a%00b', 'relative', '*', 'http://x/a'])
    assert.deepEqual(resolveRequestPath(root, t), { status: 400 }, t);
  for (const t of ['/../etc/passwd', '/%2e%2e/etc/passwd', '/..%2fetc/passwd', '/sub/../../x', '/%2E%2E%2F%2E%2E%2Fetc'])
    assert.deepEqual(resolveRequestPath(root, t), { status: 403 }, t);
});

test('hostile requests each get their status; the server never exits and serves nothing outside its folder', async () => {
  const { site } = layout();
  const srv = await serveDirectory(site);
  try {
    const cases = [
      ['GET / HTTP/1.1', 200],
      ['GET /app.js HTTP/1.1', 200],
      ['HEAD /app.js HTTP/1.1', 200],
      ['GET /sub/ HTTP/1.1', 200],
      ['GET /inside.js HTTP/1.1', 200],
      ['GET /%E0%A4%A HTTP/1.1', 400],
      ['GET /%00 HTTP/1.1', 400],
      ['GET /..\\secret.txt HTTP/1.1', 400],
      ['GET /%5c..%5csecret.txt HTTP/1.1', 400],
      ['GET /../secret.txt HTTP/1.1', 403],
      ['GET /%2e%2e/secret.txt HTTP/1.1', 403],
      ['GET /..%2fsecret.txt HTTP/1.1', 403],
      ['GET /link.txt HTTP/1.1', 403],
      ['GET /up/secret.txt HTTP/1.1', 403],
      ['GET /missing.js HTTP/1.1', 404],
      ['GET /sub HTTP/1.1', 404],
      ['POST / HTTP/1.1', 405],
      ['DELETE /app.js HTTP/1.1', 405],
      ['PUT /x HTTP/1.1', 405],
      [`GET /${'a'.repeat(MAX_URL_LENGTH + 10)} HTTP/1.1`, 414],
      ['NOT-HTTP-AT-ALL', 400],
    ];
    for (const [line, want] of cases) {
      const r = await raw(srv.url, line);
      assert.equal(r.status, want, `${line.slice(0, 60)} -> ${r.status}`);
      assert.ok(!r.text.includes(SECRET), `${line.slice(0, 60)} leaked the file outside the folder`);
    }
    const ok = await raw(srv.url, 'GET / HTTP/1.1');
    assert.match(ok.text, /cross-origin-opener-policy: same-origin/i);
    assert.match(ok.text, /cross-origin-embedder-policy: require-corp/i);

    // A bounded local load: 400 requests, 50 at a time, a mix of good and hostile targets.
    const mix = ['GET / HTTP/1.1', 'GET /%E0%A4%A HTTP/1.1', 'GET /%2e%2e/secret.txt HTTP/1.1', 'POST / HTTP/1.1'];
    const want = [200, 400, 403, 405];
    let answered = 0;
    for (let round = 0; round < 8; round++) {
      const batch = Array.from({ length: 50 }, (_, i) => raw(srv.url, mix[i % 4]));
      const rs = await Promise.all(batch);
      rs.forEach((r, i) => assert.equal(r.status, want[i % 4]));
      answered += rs.length;
    }
    assert.equal(answered, 400);
    const after = await raw(srv.url, 'GET /app.js HTTP/1.1');
    assert.equal(after.status, 200, 'still serving after the load');
  } finally {
    await srv.close();
  }
});
