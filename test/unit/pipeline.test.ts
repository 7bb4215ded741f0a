import { describe, expect, test } from 'bun:test';
import { FramekitError } from '../../ts/errors.js';
import { createFramekit, FramePool, type Frame } from '../../ts/index.js';
import { ai, Pipeline, sink, stage, type PipelineFrame } from '../../ts/pipeline/index.js';
import { Scheduler } from '../../ts/schedule/index.js';

/** A minimal recycled frame: reference count, generation bumped on the last release, attachments. */
class TestFrame implements PipelineFrame {
  generation = 0;
  refs = 0;
  id = -1;
  readonly attached = new Map<string, unknown>();
  constructor(private readonly pool: TestPool) {}
  retain() {
    if (this.refs === 0) throw new Error('retain of a released frame');
    this.refs++;
    return this;
  }
  release() {
    if (this.refs === 0) throw new Error('double release');
    if (--this.refs === 0) {
      this.generation++;
      this.attached.clear();
      this.pool.free.push(this);
      this.pool.released++;
    }
  }
  attach(key: string, value: unknown) {
    if (this.refs === 0) throw new Error('attach to a released frame');
    this.attached.set(key, value);
    return this;
  }
}

class TestPool {
  readonly free: TestFrame[] = [];
  released = 0;
  next = 0;
  constructor(size: number) {
    for (let i = 0; i < size; i++) this.free.push(new TestFrame(this));
  }
  acquire(): TestFrame {
    const f = this.free.pop();
    if (!f) throw new Error('pool exhausted');
    f.refs = 1;
    f.id = this.next++;
    return f;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pipeline', () => {
  test('every frame runs the stages in order and is released once at the end', async () => {
    const s = new Scheduler();
    const pool = new TestPool(4);
    const log: string[] = [];
    const p = new Pipeline<TestFrame>(s, [
      stage('gray', (f) => void log.push(`gray${f.id}`)),
      stage('fast', (f) => void log.push(`fast${f.id}`)),
      sink('out', (f) => void log.push(`out${f.id}`)),
    ]);
    for (let i = 0; i < 3; i++) expect(p.push(pool.acquire())).toBe(true);
    await p.idle();
    for (let i = 0; i < 3; i++) expect(log.indexOf(`gray${i}`)).toBeLessThan(log.indexOf(`fast${i}`));
    for (let i = 0; i < 3; i++) expect(log.indexOf(`fast${i}`)).toBeLessThan(log.indexOf(`out${i}`));
    expect(pool.released).toBe(3);
    const r = p.report();
    expect(r.frames).toMatchObject({ pushed: 3, completed: 3, dropped: 0 });
    expect(r.stages.map((x) => x.completed)).toEqual([3, 3, 3]);
    for (const st of r.stages) {
      expect(st.depth).toBe(0);
      expect(st.p50Ms).toBeLessThanOrEqual(st.p95Ms);
      expect(st.p95Ms).toBeLessThanOrEqual(st.p99Ms);
    }
  });

  test('a slow AI stage never holds the media path; each result lands on the frame it was computed from', async () => {
    const s = new Scheduler();
    const pool = new TestPool(8);
    const sinkTimes: number[] = [];
    const results: Array<{ frameId: number; computedFor: number }> = [];
    // The AI calls finish only when the test opens the gate, after every frame was pushed: the media
    // path must get all frames to the sink while they are pending, however slow the machine is.
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const t0 = performance.now();
    const p = new Pipeline<TestFrame>(
      s,
      [
        stage('gray', () => {}),
        ai(
          'caption',
          async (f) => {
            const id = f.id;
            await gate;
            return { computedFor: id };
          },
          {
            key: 'caption',
            maxInFlight: 2,
            onResult: (f, v) => results.push({ frameId: f.id, computedFor: (v as { computedFor: number }).computedFor }),
          },
        ),
        sink('out', () => void sinkTimes.push(performance.now() - t0)),
      ],
      { maxInFlight: 2 },
    );
    for (let i = 0; i < 20; i++) {
      await p.whenReady();
      p.push(pool.acquire());
    }
    // All 20 frames reach the sink while no AI call can finish.
    for (let spins = 0; sinkTimes.length < 20 && spins < 1000; spins++) await sleep(1);
    expect(sinkTimes.length).toBe(20);
    expect(results.length).toBe(0);
    open();
    await p.idle();
    expect(sinkTimes.length).toBe(20);
    const caption = p.report().stages[1]!;
    expect(caption.attached).toBe(2);
    expect(caption.skipped).toBe(18);
    expect(results).toHaveLength(2);
    for (const r of results) expect(r.frameId).toBe(r.computedFor);
    // The AI stage held its frames until the results were attached, then let go.
    expect(pool.released).toBe(20);
    expect(pool.free).toHaveLength(8);
  });

  test('an AI call that never resolves is aborted by its deadline and its frame released', async () => {
    const s = new Scheduler();
    const pool = new TestPool(2);
    let aborted: unknown = null;
    const p = new Pipeline<TestFrame>(s, [
      ai('stuck', (_f, signal) => new Promise(() => signal.addEventListener('abort', () => (aborted = signal.reason))), {
        key: 'x',
        deadlineMs: 20,
      }),
      sink('out', () => {}),
    ]);
    p.push(pool.acquire());
    await p.idle();
    expect(p.report().stages[0]).toMatchObject({ timedOut: 1, attached: 0, depth: 0 });
    expect((aborted as FramekitError).code).toBe('E_DEADLINE');
    expect(pool.released).toBe(1);
  });

  test('a media stage that never resolves is cancelled by its deadline; the frame is dropped and the next ones flow', async () => {
    const s = new Scheduler();
    const pool = new TestPool(4);
    let n = 0;
    const out: number[] = [];
    const p = new Pipeline<TestFrame>(s, [
      stage('decode', () => (n++ === 0 ? new Promise<void>(() => {}) : undefined), { deadlineMs: 20 }),
      sink('out', (f) => void out.push(f.id)),
    ]);
    for (let i = 0; i < 3; i++) p.push(pool.acquire());
    await p.idle();
    expect(out).toEqual([1, 2]);
    expect(p.report().stages[0]).toMatchObject({ timedOut: 1, completed: 2 });
    expect(p.report().frames).toMatchObject({ dropped: 1, completed: 2 });
    expect(pool.released).toBe(3);
  });

  test('a throwing stage drops that frame, tells onError, and the pipeline goes on', async () => {
    const s = new Scheduler();
    const pool = new TestPool(4);
    const errors: string[] = [];
    const p = new Pipeline<TestFrame>(
      s,
      [
        stage('bad', (f) => {
          if (f.id === 1) throw new Error('corrupt frame');
        }),
        sink('out', () => {}),
      ],
      { onError: (st, e) => errors.push(`${st}: ${(e as Error).message}`) },
    );
    for (let i = 0; i < 3; i++) p.push(pool.acquire());
    await p.idle();
    expect(errors).toEqual(['bad: corrupt frame']);
    expect(p.report().stages[0]!.failed).toBe(1);
    expect(p.report().frames.completed).toBe(2);
    expect(pool.released).toBe(3);
  });

  test('a droppable stage that cannot start before its deadline sheds the frame; push beyond maxInFlight is refused', () => {
    const clock = { t: 0 };
    const s = new Scheduler({ host: 'manual', now: () => clock.t });
    const pool = new TestPool(4);
    const p = new Pipeline<TestFrame>(s, [stage('late', () => {}, { deadlineMs: 5, droppable: true })], { maxInFlight: 2 });
    expect(p.push(pool.acquire())).toBe(true);
    expect(p.push(pool.acquire())).toBe(true);
    expect(p.push(pool.acquire())).toBe(false);
    expect(pool.released).toBe(1);
    clock.t += 10;
    s.runSlice();
    expect(p.report().stages[0]).toMatchObject({ dropped: 2, completed: 0, maxDepth: 2, depth: 0 });
    expect(p.report().frames).toMatchObject({ pushed: 3, rejected: 1, dropped: 2 });
    expect(pool.released).toBe(3);
  });

  test('stage levels follow the context rules: with chat in focus, chat inference runs before frame work', async () => {
    const clock = { t: 0 };
    const s = new Scheduler({ host: 'manual', now: () => clock.t, context: 'chat-focus', predict: false });
    const pool = new TestPool(2);
    const order: string[] = [];
    const p = new Pipeline<TestFrame>(s, [
      ai('reply', () => void order.push('chat'), { key: 'reply', class: 'chat' }),
      stage('track', () => void order.push('frame')),
    ]);
    p.push(pool.acquire());
    s.runSlice();
    expect(order).toEqual(['chat', 'frame']);
    await sleep(0); // the first AI call settles (it is async), freeing the stage's one slot
    s.setContext('video-call');
    order.length = 0;
    p.push(pool.acquire());
    s.runSlice();
    expect(order).toEqual(['frame', 'chat']);
  });

  test('with framekit frames from a FramePool: gray computed once, AI results on their own frame, every frame back in the pool', async () => {
    const fk = await createFramekit({ maxWidth: 64, maxHeight: 48, frames: 6 });
    const frames = new FramePool(fk, { width: 64, height: 48, size: 4, slots: { caption: { length: 1 } } });
    const s = new Scheduler();
    const seen: Array<[number, number, boolean]> = [];
    const p = new Pipeline<Frame>(s, [
      stage('gray', (f) => void f.gray()),
      ai(
        'caption',
        async (f) => {
          const seq = f.seq;
          await sleep(20);
          return { seq };
        },
        { key: 'caption', onResult: (f, v) => void seen.push([f.seq, v.seq, f.get('caption') === v]) },
      ),
      sink('out', (f) => expect(f.has('gray')).toBe(true)),
    ]);
    for (let pushed = 0; pushed < 12;) {
      await p.whenReady();
      if (frames.stats().free === 0) {
        await sleep(2);
        continue;
      }
      p.push(frames.acquire());
      pushed++;
    }
    await p.idle();
    expect(seen.length).toBeGreaterThan(0);
    for (const [frameSeq, computedFor, attached] of seen) {
      expect(frameSeq).toBe(computedFor);
      expect(attached).toBe(true);
    }
    expect(p.report().frames.completed).toBe(12);
    expect(frames.stats().free).toBe(4);
  });

  test('pump() pulls frames from an async source only when the pipeline has room, and stops on abort', async () => {
    const s = new Scheduler();
    const pool = new TestPool(3);
    let maxOut = 0;
    async function* camera(n: number) {
      for (let i = 0; i < n; i++) {
        await sleep(0);
        const f = pool.acquire(); // throws if the pipeline let the source run ahead of it
        maxOut = Math.max(maxOut, 3 - pool.free.length);
        yield f;
      }
    }
    const out: number[] = [];
    const p = new Pipeline<TestFrame>(
      s,
      [stage('work', () => new Promise<void>((r) => setTimeout(r, 1))), sink('out', (f) => void out.push(f.id))],
      {
        maxInFlight: 2,
      },
    );
    await p.pump(camera(20));
    expect(out).toEqual([...Array(20).keys()]);
    expect(maxOut).toBeLessThanOrEqual(2);
    expect(pool.released).toBe(20);
    const ac = new AbortController();
    let closed = false;
    async function* endless() {
      try {
        for (;;) yield pool.acquire();
      } finally {
        closed = true;
      }
    }
    setTimeout(() => ac.abort(), 20);
    await p.pump(endless(), ac.signal);
    expect(closed).toBe(true);
    expect(p.inFlight).toBe(0);
    expect(pool.free).toHaveLength(3);
  });

  test('bad stage lists and options are typed errors', () => {
    const s = new Scheduler({ host: 'manual' });
    const bad: Array<() => unknown> = [
      () => new Pipeline(s, []),
      () => new Pipeline(s, [stage('a', () => {}), stage('a', () => {})]),
      () => new Pipeline(s, [{ kind: 'other' } as never]),
      () => ai('x', async () => 1, {} as never),
      () => ai('x', async () => 1, { key: 'k', maxInFlight: 0 }),
      () => stage('x', () => {}, { level: 'urgent' as never }),
      () => stage('x', () => {}, { deadlineMs: -1 }),
      () => stage('', () => {}),
    ];
    for (const f of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FramekitError);
      expect((err as FramekitError).code).toBe('E_ARGUMENT');
    }
  });
});
