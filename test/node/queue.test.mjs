// framekit batch and framekit worker on a real redis-server (BullMQ): several worker processes, one
// killed during a job, a corrupt input, Redis restarting; every output present once and identical to
// a single-process framekit track of the same input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, freePort, stableLines, startRedis, startWorker, tmp, writeClip } from './queue-helpers.mjs';

const LOCK = ['--lock-ms', '1500', '--concurrency', '1'];

test('parseQueueUrl: host, port, name, db; bad URLs are E_ARGUMENT', async () => {
  const { parseQueueUrl } = await import('../../dist/ts/queue/url.js');
  assert.deepEqual(parseQueueUrl('redis://10.0.0.5:7000/clips'), { host: '10.0.0.5', port: 7000, db: 0, name: 'clips' });
  assert.deepEqual(parseQueueUrl('redis://u:p%40ss@h/q?db=3'), {
    host: 'h',
    port: 6379,
    db: 3,
    username: 'u',
    password: 'p@ss',
    name: 'q',
  });
  for (const bad of ['nope', 'http://h/q', 'rediss://h/q', 'redis://h:6379/', 'redis://h/a b', 'redis://h/q?db=99'])
    assert.throws(
      () => parseQueueUrl(bad),
      (e) => e.code === 'E_ARGUMENT',
      bad,
    );
});

test('batch over three workers, one killed mid-job, a corrupt input, Redis restarted: each output once, equal to framekit track', async (t) => {
  const port = await freePort();
  let redis = await startRedis(port);
  const queue = `redis://127.0.0.1:${port}/fk-test`;
  const dir = tmp('fk-queue-');
  const out = join(dir, 'out');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(out);
  const clips = [
    writeClip(join(dir, 'a.y4m'), { frames: 90, dx: 1, dy: 1 }),
    writeClip(join(dir, 'b.y4m'), { photo: 'coffee.png', frames: 60, dx: 2, dy: 0 }),
    writeClip(join(dir, 'c.y4m'), { photo: 'chelsea.png', frames: 60, dx: 1, dy: 0, width: 256, height: 192 }),
  ];
  // The same bytes as a.y4m under another name: one job serves both inputs.
  const copy = join(dir, 'a-copy.y4m');
  writeFileSync(copy, readFileSync(clips[0]));
  const corrupt = join(dir, 'corrupt.y4m');
  writeFileSync(corrupt, readFileSync(clips[1]).subarray(0, 40000)); // ends inside its first frame: E_DECODE or E_IO
  const workers = [];
  t.after(async () => {
    for (const w of workers) w.proc.kill('SIGKILL');
    await redis.stop();
  });

  // The reference: single-process framekit track of each clip.
  const want = [];
  for (const c of clips) {
    const r = await cli(['track', c, '--json']);
    assert.equal(r.code, 0, r.stderr);
    want.push(stableLines(r.stdout));
  }

  for (let i = 0; i < 3; i++) workers.push(startWorker(queue, LOCK));
  await Promise.all(workers.map((w) => w.waitFor(/ 1 at once/)));

  const batch = cli(['batch', ...clips, copy, corrupt, '--queue', queue, '--out', out, '--attempts', '2', '--json', '--timeout', '240000']);
  // Kill whichever worker starts the long clip first, mid-job: its lock expires and another redoes it.
  const [victim, startLine] = await Promise.race(workers.map((w, i) => w.waitFor(/job \S+ started: .*a\.y4m/).then((l) => [i, l])));
  const jobId = /job (\S+) started/.exec(startLine)[1];
  await new Promise((r) => setTimeout(r, 150));
  workers[victim].proc.kill('SIGKILL');
  const others = workers.filter((_, i) => i !== victim);
  const restarted = Promise.race(others.map((w) => w.waitFor(new RegExp(`job ${jobId} started`), 120000)));

  // Redis restarts while the others work; they reconnect (append-only file keeps every job).
  await new Promise((r) => setTimeout(r, 300));
  await redis.stop();
  redis = await startRedis(port, redis.dir);

  const r = await batch;
  assert.equal(r.code, 1, `batch exits non-zero when a job failed: ${r.stderr}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()).summary;
  assert.equal(summary.files, 5);
  assert.equal(summary.duplicates, 1);
  assert.equal(summary.total, 4, 'four jobs: the copy is not a job of its own');
  assert.equal(summary.done, 3);
  assert.equal(summary.failed, 1);
  assert.equal(summary.failures[0].input, corrupt);
  // The typed error of the track that failed, its code first.
  assert.match(summary.failures[0].reason, /^E_DECODE: .*corrupt\.y4m.*(ends mid-frame|truncated)/i);
  assert.equal(summary.frames, 90 + 60 + 60);
  assert.ok(summary.retried >= 1, 'the corrupt job was tried again before it failed');

  // Each input's output exactly once, complete, and identical (timings aside) to framekit track.
  const names = readdirSync(out).filter((n) => !n.startsWith('.'));
  assert.equal(names.filter((n) => n.endsWith('.jsonl')).length, 3, names.join(','));
  assert.equal(names.filter((n) => n.endsWith('.summary.json')).length, 3, names.join(','));
  for (let i = 0; i < clips.length; i++) {
    const o = summary.outputs.find((x) => x.input === clips[i]);
    assert.ok(o && existsSync(o.summary) && existsSync(o.lines));
    assert.deepEqual(stableLines(readFileSync(o.lines, 'utf8')), want[i], `output of ${clips[i]}`);
    assert.equal(JSON.parse(readFileSync(o.summary, 'utf8')).frames, want[i].length);
  }
  const dup = summary.outputs.find((x) => x.input === copy);
  assert.equal(dup?.lines, summary.outputs.find((x) => x.input === clips[0]).lines, 'the copy is listed with the one output');
  assert.ok(!names.some((n) => n.includes('corrupt')), 'a failed job leaves no output');
  // The killed worker never finished its job; another worker started it again and finished it.
  await restarted;
  assert.ok(!workers[victim].lines.some((l) => l.includes(`job ${jobId} done`)));
  assert.ok(others.some((w) => w.lines.some((l) => l.includes(`job ${jobId} done`))));

  // A rerun skips what is done: no job runs again, the same outputs stand.
  const again = await cli(['batch', ...clips, '--queue', queue, '--out', out, '--json', '--timeout', '60000']);
  assert.equal(again.code, 0, again.stderr);
  const s2 = JSON.parse(again.stdout.trim().split('\n').pop()).summary;
  assert.equal(s2.skipped, 3);
  assert.equal(s2.done, 3);

  // SIGTERM: a worker finishes its job (or hands it back) and exits 0.
  const live = workers.filter((_, i) => i !== victim);
  live[0].proc.kill('SIGTERM');
  const ex = await live[0].exited;
  assert.equal(ex.code, 0);
  assert.ok(live[0].lines.some((l) => /SIGTERM/.test(l)));
});

test('without a shared folder the results come back through Redis into --results; two jobs at once on the two threads of one worker', async (t) => {
  const port = await freePort();
  const redis = await startRedis(port);
  const queue = `redis://127.0.0.1:${port}/fk-results`;
  const dir = tmp('fk-queue-r-');
  const clips = [
    writeClip(join(dir, 'd.y4m'), { frames: 40 }),
    writeClip(join(dir, 'e.y4m'), { photo: 'camera.png', frames: 40, dx: 1, dy: 2 }),
  ];
  const w = startWorker(queue, ['--lock-ms', '1500', '--concurrency', '2']);
  t.after(async () => {
    w.proc.kill('SIGKILL');
    await redis.stop();
  });
  await w.waitFor(/ 2 at once/);
  const refs = [];
  for (const c of clips) refs.push(stableLines((await cli(['track', c, '--json'])).stdout));
  const results = join(dir, 'results');
  const r = await cli(['batch', ...clips, '--queue', queue, '--results', results, '--json', '--timeout', '60000']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout).summary;
  for (let i = 0; i < clips.length; i++) {
    const o = s.outputs.find((x) => x.input === clips[i]);
    assert.deepEqual(stableLines(readFileSync(o.lines, 'utf8')), refs[i], `output of ${clips[i]}`);
  }
  // Both jobs ran on this one process, the second started before the first was done.
  const started = w.lines.filter((l) => / started: /.test(l)).length;
  const firstDone = w.lines.findIndex((l) => / done: /.test(l));
  assert.equal(started, 2);
  assert.equal(w.lines.slice(0, firstDone).filter((l) => / started: /.test(l)).length, 2, w.lines.join('\n'));
});

test('SIGTERM past the grace period hands the running job back; another worker completes it', async (t) => {
  const port = await freePort();
  const redis = await startRedis(port);
  const queue = `redis://127.0.0.1:${port}/fk-handback`;
  const dir = tmp('fk-queue-h-');
  const clip = writeClip(join(dir, 'long.y4m'), { frames: 300, dx: 1, dy: 0 });
  const out = join(dir, 'out');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(out);
  const first = startWorker(queue, ['--concurrency', '1', '--grace-ms', '200']);
  let second = null;
  t.after(async () => {
    first.proc.kill('SIGKILL');
    second?.proc.kill('SIGKILL');
    await redis.stop();
  });
  await first.waitFor(/ 1 at once/);
  const batch = cli(['batch', clip, '--queue', queue, '--out', out, '--json', '--timeout', '120000']);
  const line = await first.waitFor(/job \S+ started/);
  const id = /job (\S+) started/.exec(line)[1];
  first.proc.kill('SIGTERM');
  await first.waitFor(new RegExp(`job ${id} handed back`));
  assert.equal((await first.exited).code, 0);
  second = startWorker(queue, ['--concurrency', '1']);
  const r = await batch;
  assert.equal(r.code, 0, r.stdout + r.stderr + first.lines.join('\n'));
  const s = JSON.parse(r.stdout).summary;
  assert.equal(s.done, 1);
  assert.equal(s.retried, 0, 'a job handed back is not a failed attempt');
  assert.ok(second.lines.some((l) => l.includes(`job ${id} done`)));
  assert.equal(readdirSync(out).filter((n) => n.endsWith('.summary.json')).length, 1);
});

test('bad arguments: a missing input fails before anything is enqueued; no --queue is a usage error', async () => {
  const r = await cli(['batch', '/nonexistent/clip.y4m', '--queue', 'redis://127.0.0.1:1/x']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot read \/nonexistent\/clip\.y4m/);
  const u = await cli(['worker']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /--queue/);
});
