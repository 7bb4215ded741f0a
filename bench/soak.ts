/**
 * Soak: `framekit track` over a long synthetic camera path (default 100,000 frames at 320x240), run as
 * a child process of the runtime asked for, with `--json --stats N`. Every line it prints is parsed:
 * the per-frame lines must carry the tracker's sequence numbers 0, 1, 2 ... with none missing,
 * repeated or out of order, and every N frames a stats line gives the child's resident set, JS heap
 * (after a forced collection: Bun.gc, or node --expose-gc), the arena's bytes in use and high-water
 * mark, and the frame pool's counts. The run is judged flat when, between the sample at the end of
 * the warm-up and every later sample, RSS grows by at most `rssBoundBytes`, the live heap by at most
 * `heapBoundBytes`, the arena high-water mark not at all, and the pool ends each sample with no frame
 * live but the one being read ahead, and none dropped.
 *
 * `bun bench/soak.ts [frames] [WxH] [node|bun]` (or `node dist/bench/soak.js ...`) writes
 * bench/results/soak-<runtime>.json; `framekit bench --kernel soak --frames N --report DIR` runs it
 * as a bench suite and draws its chart in the report.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { BenchOptions, BenchRow, BenchSuite } from './harness.js';

export interface SoakSample {
  frames: number;
  rssBytes: number;
  heapUsedBytes: number;
  externalBytes: number;
  collected: boolean;
  arena: { bytesInUse: number; highWater: number; regions: number };
  /** `readAhead`: of the live frames, the next frame's read in flight (track reads one frame ahead). */
  pool: { live: number; readAhead?: number; free: number; acquired: number; dropped: number };
  /** Wall seconds since the child started, seen from this side. */
  wallS: number;
}

export interface SoakOptions {
  runtime: 'node' | 'bun';
  frames: number;
  width: number;
  height: number;
  /** Frames between stats samples (default 1000). */
  every?: number;
  /** Samples before this many frames are warm-up (default: 10,000, or a third of a shorter run). */
  warmupFrames?: number;
  rssBoundBytes?: number;
  heapBoundBytes?: number;
  /** Kills the child after this long; the result then says how far it got (default: none). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface SoakResult {
  runtime: string;
  runtimeVersion: string;
  width: number;
  height: number;
  framesAsked: number;
  /** Frame lines received (frames tracked). */
  frames: number;
  completed: boolean;
  exitCode: number | null;
  timedOut: boolean;
  wallS: number;
  /** Sequence numbers that were not the next one expected (lost, repeated or out of order). */
  sequenceErrors: number;
  firstSequenceError: string;
  /** Lines that did not parse as JSON. */
  badLines: number;
  summary: Record<string, unknown> | null;
  warmupFrames: number;
  /** Largest growth over the warm-up sample, in bytes, among the later samples. */
  rssGrowthBytes: number;
  heapGrowthBytes: number;
  arenaHighWaterGrowthBytes: number;
  /** Least-squares slope of the post-warm-up samples, bytes per 1,000 frames. */
  rssSlopeBytesPer1000: number;
  heapSlopeBytesPer1000: number;
  maxPoolLive: number;
  poolDropped: number;
  bounds: { rssBytes: number; heapBytes: number };
  flat: boolean;
  stderrTail: string;
  series: SoakSample[];
}

function packageRoot(): string {
  const up = import.meta.url.includes('/dist/bench/') ? '../../' : '../';
  return fileURLToPath(new URL(up, import.meta.url));
}

function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den ? num / den : 0;
}

/** The command line that runs the built CLI under `runtime` (Node with --expose-gc so heap samples are live bytes). */
function childCommand(runtime: 'node' | 'bun'): [string, string[]] {
  const root = packageRoot();
  const cli = `${root}dist/ts/cli/main.js`;
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build:ts first`);
  const inBun = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
  if (runtime === 'node') return [inBun ? 'node' : process.execPath, ['--expose-gc', cli]];
  return [inBun ? process.execPath : `${root}node_modules/.bin/bun`, [cli]];
}

/** Runs one soak and judges it; never throws for a failing child (the result says what happened). */
export async function runSoak(o: SoakOptions): Promise<SoakResult> {
  const every = o.every ?? 1000;
  const warmupFrames = o.warmupFrames ?? Math.min(10_000, Math.floor(o.frames / 3 / every) * every);
  const rssBound = o.rssBoundBytes ?? 32 << 20;
  const heapBound = o.heapBoundBytes ?? 4 << 20;
  const [cmd, pre] = childCommand(o.runtime);
  const args = [...pre, 'track', '--json', '--frames', String(o.frames), '--size', `${o.width}x${o.height}`, '--stats', String(every)];
  const t0 = performance.now();
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => void (stderr = (stderr + d).slice(-4000)));
  let timedOut = false;
  const timer = o.timeoutMs ? setTimeout(() => ((timedOut = true), child.kill('SIGTERM')), o.timeoutMs) : null;
  const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  const samples: SoakSample[] = [];
  let frames = 0;
  let expected = 0;
  let sequenceErrors = 0;
  let firstSequenceError = '';
  let badLines = 0;
  let summary: Record<string, unknown> | null = null;
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line) as Record<string, unknown>;
    } catch {
      badLines++;
      continue;
    }
    if (typeof v.seq === 'number') {
      if (v.seq !== expected && sequenceErrors++ === 0) firstSequenceError = `line ${frames + 1}: seq ${v.seq}, expected ${expected}`;
      expected = v.seq + 1;
      frames++;
    } else if (v.stats) {
      const s = v.stats as Omit<SoakSample, 'wallS'>;
      if (s.frames !== frames && sequenceErrors++ === 0) firstSequenceError = `stats at ${s.frames} frames after ${frames} frame lines`;
      samples.push({ ...s, wallS: +((performance.now() - t0) / 1000).toFixed(2) });
      if (o.log && s.frames % (every * 10) === 0)
        o.log(
          `soak ${o.runtime} ${s.frames} frames: rss ${(s.rssBytes / 2 ** 20).toFixed(1)} MiB heap ${(s.heapUsedBytes / 2 ** 20).toFixed(2)} MiB arena hw ${s.arena.highWater}`,
        );
    } else if (v.summary) summary = v.summary as Record<string, unknown>;
    else badLines++;
  }
  const exitCode = await exited;
  if (timer) clearTimeout(timer);
  const post = samples.filter((s) => s.frames >= warmupFrames);
  const base = post[0];
  const growth = (f: (s: SoakSample) => number) => (base ? Math.max(0, ...post.map((s) => f(s) - f(base))) : 0);
  const xs = post.map((s) => s.frames / 1000);
  const rssGrowthBytes = growth((s) => s.rssBytes);
  const heapGrowthBytes = growth((s) => s.heapUsedBytes);
  const arenaHighWaterGrowthBytes = samples.length ? Math.max(...samples.map((s) => s.arena.highWater)) - samples[0]!.arena.highWater : 0;
  // Frames held past their turn: live ones other than the next frame's read in flight.
  const maxPoolLive = Math.max(0, ...samples.map((s) => s.pool.live - (s.pool.readAhead ?? 0)));
  const poolDropped = samples.length ? samples[samples.length - 1]!.pool.dropped : 0;
  const completed = exitCode === 0 && summary !== null && frames === o.frames && summary.frames === o.frames && !summary.error;
  const runtimeVersion = execFileSync(cmd, ['--version'], { encoding: 'utf8' }).trim().replace(/^v/, '');
  return {
    runtime: o.runtime,
    runtimeVersion,
    width: o.width,
    height: o.height,
    framesAsked: o.frames,
    frames,
    completed,
    exitCode,
    timedOut,
    wallS: +((performance.now() - t0) / 1000).toFixed(1),
    sequenceErrors,
    firstSequenceError,
    badLines,
    summary,
    warmupFrames,
    rssGrowthBytes,
    heapGrowthBytes,
    arenaHighWaterGrowthBytes,
    rssSlopeBytesPer1000: Math.round(
      slope(
        xs,
        post.map((s) => s.rssBytes),
      ),
    ),
    heapSlopeBytesPer1000: Math.round(
      slope(
        xs,
        post.map((s) => s.heapUsedBytes),
      ),
    ),
    maxPoolLive,
    poolDropped,
    bounds: { rssBytes: rssBound, heapBytes: heapBound },
    flat:
      post.length >= 2 &&
      rssGrowthBytes <= rssBound &&
      heapGrowthBytes <= heapBound &&
      arenaHighWaterGrowthBytes === 0 &&
      maxPoolLive === 0 &&
      poolDropped === 0,
    stderrTail: stderr.trim().slice(-1000),
    series: samples,
  };
}

/** `framekit bench --kernel soak [--frames N] [--sizes WxH]`: only when asked for by name (it takes minutes). */
export const soakSuite: BenchSuite = {
  kernel: 'soak',
  async run(o: BenchOptions): Promise<BenchRow[]> {
    if (!o.kernels.includes('soak')) return [];
    const [width, height] = o.sizes.length === 1 ? o.sizes[0]! : [320, 240];
    const runtime = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined' ? 'bun' : 'node';
    const r = await runSoak({ runtime, frames: o.frames ?? 100_000, width, height, log: o.log });
    o.log(
      `soak ${runtime}: ${r.frames} frames, sequence errors ${r.sequenceErrors}, rss growth ${(r.rssGrowthBytes / 2 ** 20).toFixed(1)} MiB, heap growth ${(r.heapGrowthBytes / 2 ** 20).toFixed(2)} MiB after ${r.warmupFrames} frames: ${r.flat ? 'flat' : 'NOT flat'}`,
    );
    return [{ kernel: 'soak', impl: runtime, ...r }];
  },
};

const entry = process.argv[1] ?? '';
if (/bench[\\/]soak\.(ts|js)$/.test(entry)) {
  const frames = Number(process.argv[2] ?? 100_000);
  const [width, height] = (process.argv[3] ?? '320x240').split('x').map(Number) as [number, number];
  const runtime = (process.argv[4] ?? (typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined' ? 'bun' : 'node')) as 'node' | 'bun';
  const timeoutMs = Number(process.env.SOAK_TIMEOUT_S ?? 0) * 1000 || undefined;
  const r = await runSoak({ runtime, frames, width, height, timeoutMs, log: (l) => console.error(l) });
  const { writeFile, mkdir } = await import('node:fs/promises');
  const dir = `${packageRoot()}bench/results`;
  await mkdir(dir, { recursive: true });
  const file = `${dir}/soak-${runtime}.json`;
  await writeFile(file, JSON.stringify({ date: new Date().toISOString(), ...r }, null, 2) + '\n');
  const { series: _s, ...head } = r;
  console.log(JSON.stringify(head, null, 2));
  console.error(`wrote ${file}`);
  process.exitCode = r.completed && r.flat && r.sequenceErrors === 0 && r.badLines === 0 ? 0 : 1;
}
