import { createFramekit, type Framekit, type Plane } from '../ts/index.js';
import { ai, Pipeline, sink, stage, type PipelineFrame, type Stage } from '../ts/pipeline/index.js';
import { Scheduler } from '../ts/schedule/index.js';
import type { BenchOptions, BenchRow, BenchSuite } from './harness.js';

/**
 * A 1080p frame for the bench: RGBA and gray planes in the arena, a reference count, a generation
 * bumped on recycling, and attachments: the shape ts/pipeline asks of a frame.
 */
class BenchFrame implements PipelineFrame {
  generation = 0;
  refs = 0;
  seq = -1;
  sum = -1n;
  readonly attached = new Map<string, unknown>();
  constructor(
    readonly rgba: Plane,
    readonly gray: Plane,
    private readonly free: BenchFrame[],
  ) {}
  retain() {
    this.refs++;
    return this;
  }
  release() {
    if (--this.refs === 0) {
      this.generation++;
      this.attached.clear();
      this.free.push(this);
    }
  }
  attach(key: string, value: unknown) {
    if (this.refs === 0) throw new Error('attach to a released frame');
    this.attached.set(key, value);
    return this;
  }
}

interface Run {
  fps: number;
  frames: number;
  wallMs: number;
  aiCalls: number;
  aiOnOwnFrame: number;
  aiMismatched: number;
  stages: ReturnType<Pipeline<BenchFrame>['report']>['stages'];
}

/**
 * Pushes frames as fast as the pipeline takes them for `durationMs`: ingest (one 1080p RGBA copy
 * into the frame, standing in for a decoder), gray, a plane checksum in Rust (a fingerprint of the
 * frame's content), a sink; with `aiMs`, an AI stage between them whose call takes `aiMs` (awaited
 * off the thread, as inference on a GPU or in a worker would be) and returns what it saw.
 */
async function runPipeline(fk: Framekit, source: Plane, durationMs: number, aiMs: number | null): Promise<Run> {
  const w = source.width;
  const h = source.height;
  const free: BenchFrame[] = [];
  for (let i = 0; i < 6; i++) free.push(new BenchFrame(fk.allocPlane(w, h, 'rgba'), fk.allocPlane(w, h, 'gray'), free));
  const all = [...free];
  const s = new Scheduler({ budgetMs: 8 });
  let aiOnOwnFrame = 0;
  let aiMismatched = 0;
  let seq = 0;
  const stages: Stage<BenchFrame>[] = [
    stage('ingest', (f) => void fk.heap.copyWithin(f.rgba.ptr, source.ptr, source.ptr + w * h * 4), { deadlineMs: 33 }),
    stage('gray', (f) => void fk.gray(f.gray, f.rgba), { deadlineMs: 33 }),
    stage('checksum', (f) => void (f.sum = fk.planeSum(f.gray)), { deadlineMs: 33 }),
  ];
  if (aiMs !== null) {
    stages.push(
      ai(
        'ai',
        async (f: BenchFrame) => {
          const seen = { seq: f.seq, sum: f.sum };
          await new Promise((r) => setTimeout(r, aiMs));
          return seen;
        },
        {
          key: 'ai',
          class: 'chat',
          deadlineMs: aiMs * 3,
          onResult: (f, v) => {
            // Its own frame: the same sequence number and the same content checksum it computed from.
            if (v.seq === f.seq && v.sum === f.sum && f.attached.get('ai') === v) aiOnOwnFrame++;
            else aiMismatched++;
          },
        },
      ),
    );
  }
  stages.push(sink('sink', () => {}));
  const p = new Pipeline<BenchFrame>(s, stages, { maxInFlight: 3 });
  const t0 = performance.now();
  while (performance.now() - t0 < durationMs) {
    await p.whenReady();
    const f = free.pop();
    if (!f) {
      await new Promise((r) => setTimeout(r, 0));
      continue;
    }
    f.refs = 1;
    f.seq = seq++;
    p.push(f);
  }
  const wallMs = performance.now() - t0;
  const report = p.report();
  const frames = report.frames.completed;
  await p.idle();
  for (const f of all) {
    fk.freePlane(f.rgba);
    fk.freePlane(f.gray);
  }
  const aiStage = report.stages.find((x) => x.name === 'ai');
  return {
    fps: (frames * 1000) / wallMs,
    frames,
    wallMs,
    aiCalls: aiStage?.entered ?? 0,
    aiOnOwnFrame,
    aiMismatched,
    stages: p.report().stages,
  };
}

/**
 * The media pipeline at 1080p with and without an AI stage taking 200 ms per call: media frame rate
 * with it / without it (target >= 95%), and every AI result checked to be on the frame it came from.
 */
export const pipelineSuite: BenchSuite = {
  kernel: 'pipeline-slow-ai',
  async run(o: BenchOptions) {
    const [w, h] = [1920, 1080];
    const fk = await createFramekit({ maxWidth: w, maxHeight: h, frames: 14 });
    const source = fk.allocPlane(w, h, 'rgba');
    for (let i = 0; i < source.data.length; i++) source.data[i] = (i * 2654435761) >>> 24;
    const durationMs = Math.max(1500, o.timeMs * 4);
    const rows: BenchRow[] = [];
    // Alternate, twice each, so a burst of load on a shared machine does not land on one side only.
    const runs: Record<'without' | 'with', Run[]> = { without: [], with: [] };
    for (let i = 0; i < 2; i++) {
      runs.without.push(await runPipeline(fk, source, durationMs / 2, null));
      runs.with.push(await runPipeline(fk, source, durationMs / 2, 200));
    }
    const total = (rs: Run[]) =>
      rs.reduce((a, r) => ({ frames: a.frames + r.frames, wallMs: a.wallMs + r.wallMs }), { frames: 0, wallMs: 0 });
    const a = total(runs.without);
    const b = total(runs.with);
    const fpsWithout = (a.frames * 1000) / a.wallMs;
    const fpsWith = (b.frames * 1000) / b.wallMs;
    const stat = (r: Run) =>
      Object.fromEntries(
        r.stages.map((x) => [
          x.name,
          {
            p50Ms: x.p50Ms,
            p99Ms: x.p99Ms,
            missed: x.missed,
            dropped: x.dropped,
            timedOut: x.timedOut,
            maxDepth: x.maxDepth,
            attached: x.attached,
            skipped: x.skipped,
          },
        ]),
      );
    rows.push({
      kernel: 'pipeline-slow-ai',
      impl: 'without-ai',
      width: w,
      height: h,
      fps: fpsWithout,
      frames: a.frames,
      medianMs: 1000 / fpsWithout,
      stages: stat(runs.without[1]!),
    });
    const aiCalls = runs.with.reduce((n, r) => n + r.aiCalls, 0);
    const onOwn = runs.with.reduce((n, r) => n + r.aiOnOwnFrame, 0);
    const mismatched = runs.with.reduce((n, r) => n + r.aiMismatched, 0);
    rows.push({
      kernel: 'pipeline-slow-ai',
      impl: 'with-ai-200ms',
      width: w,
      height: h,
      fps: fpsWith,
      frames: b.frames,
      medianMs: 1000 / fpsWith,
      fpsRatio: fpsWith / fpsWithout,
      aiCalls,
      aiAttachedToOwnFrame: onOwn,
      aiMismatched: mismatched,
      stages: stat(runs.with[1]!),
    });
    o.log(
      `pipeline-slow-ai 1920x1080 without AI ${fpsWithout.toFixed(1)} fps, with a 200 ms AI stage ${fpsWith.toFixed(1)} fps (${((100 * fpsWith) / fpsWithout).toFixed(1)}%); AI results ${onOwn}/${aiCalls} on their own frame, ${mismatched} mismatched`,
    );
    return rows;
  },
};
