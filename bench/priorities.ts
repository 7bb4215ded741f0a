/**
 * Context-driven priorities, measured: one scheduler carries an application's work (the media path's
 * frame work, a face stage, chat generation, background training, speculative prefetch) on the wall
 * clock, more than one thread can do, while the context switches mid-run through the design's
 * contexts (DEFAULT_RULES: default, then in a video call, then looking at results, then idle).
 * For each context it reports, per task class, the level the context gives the class, the tasks that
 * started while it held (counted per level they ran at), how many of those posted in it completed
 * and their latency from posting to completion, and the media path's latency (frame posted -> frame
 * work done) against its 33 ms frame period. Tasks still queued at the end are not counted.
 *
 * `bun bench/priorities.ts [segmentMs]` or `node dist/bench/priorities.js [segmentMs]` (after
 * `npm run build:ts`) writes bench/results/priorities-<runtime>.json.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { LEVEL_NAMES, Scheduler, type LevelName, type TaskOptions } from '../ts/schedule/index.js';
import { runtimeName } from '../ts/runtime.js';

const ROOT = fileURLToPath(new URL(import.meta.url.includes('/dist/bench/') ? '../../' : '../', import.meta.url));

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** A task of `steps` steps of `stepMs` each, written as a generator: the scheduler may park it between steps. */
function* steps(n: number, stepMs: number): Generator<void, void, void> {
  for (let i = 0; i < n; i++) {
    spin(stepMs);
    yield;
  }
}

export const CONTEXTS = ['default', 'video-call', 'results', 'idle'] as const;
const CLASSES = ['frame', 'vision', 'chat', 'training', 'speculative'] as const;
type Cls = (typeof CLASSES)[number];

/**
 * The work, per class: frames at 30 per second, 4 ms each, due within a frame period (33 ms); the
 * face stage (class 'vision') one 12 ms inference at a time in 1 ms steps, offered each frame and
 * skipped while busy (latest frame wins); chat a 12 ms reply in 1 ms steps every 50 ms, due in
 * 100 ms; training 2 ms steps, one chunk of 20 always queued; speculative prefetch 1 ms every
 * 10 ms, shed if not started within 30 ms. Frames, chat and prefetch alone are half a thread;
 * the face stage and training take whatever is left, so the levels decide who gets the thread.
 */
const FRAME_MS = 1000 / 30;

interface ClassCount {
  /** The level the context gave the class, by name. */
  level: LevelName;
  posted: number;
  completed: number;
  shed: number;
  /** Completed within the class's deadline (classes with one). */
  met: number;
  /** Tasks that started in this context, by the level it gave their class. */
  ranAt: Partial<Record<LevelName, number>>;
  latency: number[];
}

function pct(a: number[], p: number): number {
  if (a.length === 0) return Number.NaN;
  const s = [...a].sort((x, y) => x - y);
  return +s[Math.min(s.length - 1, Math.floor(s.length * p))]!.toFixed(2);
}

export function priorities(segmentMs: number) {
  const s = new Scheduler({ host: 'manual', budgetMs: 1, predict: false });
  const per = new Map<string, Record<Cls, ClassCount>>();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let segment = -1;
  let ctx: string = CONTEXTS[0];
  let visionBusy = false;
  let visionSkipped = 0;
  let trainingQueued = 0;
  const next = { frame: 0, chat: 0, speculative: 0 };
  const post = (cls: Cls, fn: () => unknown, o: TaskOptions, deadlineMs?: number) => {
    const c = per.get(ctx)![cls];
    const postedAt = performance.now();
    c.posted++;
    let started = false;
    s.schedule(
      () => {
        if (!started) {
          // Counted in the context it starts in (which may be later than the one it was posted in).
          started = true;
          const l = LEVEL_NAMES[s.levelFor(o)]!;
          const now = per.get(ctx)![cls].ranAt;
          now[l] = (now[l] ?? 0) + 1;
        }
        return fn() as never;
      },
      { ...o, class: cls },
      (e) => {
        if (cls === 'vision') visionBusy = false;
        if (cls === 'training') trainingQueued--;
        if (e !== undefined) return void c.shed++;
        const ms = performance.now() - postedAt;
        c.completed++;
        c.latency.push(ms);
        if (deadlineMs !== undefined && ms <= deadlineMs) c.met++;
      },
    );
  };
  for (;;) {
    const t = performance.now() - start;
    const seg = Math.floor(t / segmentMs);
    if (seg >= CONTEXTS.length) break;
    if (seg !== segment) {
      segment = seg;
      ctx = CONTEXTS[seg]!;
      s.setContext(ctx);
      const counts = {} as Record<Cls, ClassCount>;
      for (const c of CLASSES)
        counts[c] = { level: LEVEL_NAMES[s.levelFor({ class: c })]!, posted: 0, completed: 0, shed: 0, met: 0, ranAt: {}, latency: [] };
      per.set(ctx, counts);
    }
    while (next.frame <= t) {
      next.frame += FRAME_MS;
      post('frame', () => spin(4), { level: 'critical', deadlineMs: FRAME_MS }, FRAME_MS);
      if (visionBusy) visionSkipped++;
      else {
        visionBusy = true;
        post('vision', () => steps(12, 1), { level: 'high', deadlineMs: 200 }, 200);
      }
    }
    while (next.chat <= t) {
      next.chat += 50;
      post('chat', () => steps(12, 1), { level: 'high', deadlineMs: 100 }, 100);
    }
    while (next.speculative <= t) {
      next.speculative += 10;
      post('speculative', () => spin(1), { level: 'idle', deadlineMs: 30, droppable: true }, 30);
    }
    if (trainingQueued === 0) {
      trainingQueued++;
      post('training', () => steps(20, 2), { level: 'low' });
    }
    s.runSlice(1);
  }
  const wallMs = performance.now() - start;
  const cpu = process.cpuUsage(cpu0);
  // What is still queued at the end is left: the last context's counts say how many completed.
  const contexts = [...per.entries()].map(([context, counts]) => ({
    context,
    media: {
      frames: counts.frame.posted,
      framesWithinPeriod: counts.frame.met,
      withinPeriodShare: counts.frame.met / Math.max(1, counts.frame.posted),
      latencyP50Ms: pct(counts.frame.latency, 0.5),
      latencyP99Ms: pct(counts.frame.latency, 0.99),
      latencyMaxMs: pct(counts.frame.latency, 1),
    },
    classes: Object.fromEntries(
      CLASSES.map((c) => {
        const k = counts[c];
        return [
          c,
          {
            level: k.level,
            ranAt: k.ranAt,
            posted: k.posted,
            completed: k.completed,
            shed: k.shed,
            perSecond: +((1000 * k.completed) / segmentMs).toFixed(1),
            latencyP50Ms: pct(k.latency, 0.5),
            latencyP99Ms: pct(k.latency, 0.99),
          },
        ];
      }),
    ),
  }));
  return {
    runtime: runtimeName(),
    date: new Date().toISOString(),
    segmentMs,
    wallMs: Math.round(wallMs),
    cpuShare: +((cpu.user + cpu.system) / 1000 / wallMs).toFixed(3),
    loadAverage1m: loadavg()[0],
    visionSkipped,
    contexts,
  };
}

const entry = process.argv[1] ?? '';
if (/bench[\\/]priorities\.(ts|js)$/.test(entry)) {
  const r = priorities(Number(process.argv[2] ?? 3000));
  for (const c of r.contexts) {
    const cls = Object.entries(c.classes)
      .map(([k, v]) => `${k} ${v.level} ${v.perSecond}/s p99 ${v.latencyP99Ms} ms`)
      .join(' | ');
    console.error(
      `${c.context.padEnd(10)} media p50 ${c.media.latencyP50Ms} p99 ${c.media.latencyP99Ms} max ${c.media.latencyMaxMs} ms, within period ${(100 * c.media.withinPeriodShare).toFixed(1)}% | ${cls}`,
    );
  }
  const file = join(ROOT, `bench/results/priorities-${r.runtime.split(' ')[0]!}.json`);
  writeFileSync(file, JSON.stringify(r, null, 2) + '\n');
  console.error(`wrote ${file} (cpu share ${r.cpuShare}, load average ${r.loadAverage1m!.toFixed(1)})`);
}
