import { FramekitError } from '../../errors.js';
import type { Command } from '../command.js';

function parseSizes(s: string): Array<[number, number]> {
  return s.split(',').map((t) => {
    const m = t.trim().match(/^(\d+)x(\d+)$/);
    if (!m) throw new FramekitError('E_ARGUMENT', `--sizes wants WxH[,WxH...], got ${JSON.stringify(t)}`);
    return [Number(m[1]), Number(m[2])] as [number, number];
  });
}

export const bench: Command = {
  name: 'bench',
  usage: 'framekit bench [--json] [--kernel NAME[,NAME]] [--sizes 640x480,1920x1080] [--time MS] [--frames N] [--report DIR]',
  summary: 'tinybench: reference JS vs WASM scalar vs WASM SIMD vs peers, one run',
  options: {
    json: { type: 'boolean', default: false },
    kernel: { type: 'string', default: '' },
    sizes: { type: 'string', default: '640x480,1920x1080' },
    time: { type: 'string', default: '500' },
    report: { type: 'string' },
    /** Frames for the long suites that are only run by name (soak, reliability). */
    frames: { type: 'string' },
  },
  async run(_p, values, out) {
    const { runBench, ratio } = await import('../../../bench/index.js');
    const timeMs = Number(values.time);
    if (!(timeMs > 0)) throw new FramekitError('E_ARGUMENT', `--time must be a positive number of milliseconds`);
    const sizes = parseSizes(String(values.sizes));
    const kernels = String(values.kernel).split(',').filter(Boolean);
    const frames = values.frames === undefined ? undefined : Number(values.frames);
    if (frames !== undefined && !(Number.isInteger(frames) && frames > 0))
      throw new FramekitError('E_ARGUMENT', `--frames must be a positive integer, got ${String(values.frames)}`);
    const report = await runBench({ sizes, timeMs, kernels, frames, log: (l) => out.stderr(l + '\n') });
    if (typeof values.report === 'string') {
      const { writeReport } = await import('../../../bench/report.js');
      for (const f of await writeReport(values.report, report)) out.stderr(`wrote ${f}\n`);
    }
    if (values.json) {
      out.stdout(JSON.stringify(report) + '\n');
      return;
    }
    const e = report.env;
    out.stdout(`framekit bench: ${e.runtime} ${e.version}, ${e.cpu} (${e.cores} cores), ${e.platform}\n\n`);
    out.stdout(`${'kernel'.padEnd(16)}${'impl'.padEnd(13)}${'size'.padEnd(11)}${'median ms'.padStart(10)}${'vs simd'.padStart(9)}\n`);
    for (const r of report.results) {
      if (r.medianMs === undefined) continue;
      const x = ratio(report.results, r.kernel, r.width!, r.height!, 'wasm-simd', String(r.impl));
      const size = r.width === undefined || r.height === undefined ? '-' : `${r.width}x${r.height}`;
      out.stdout(
        `${r.kernel.padEnd(15)} ${String(r.impl).padEnd(12)} ${size.padEnd(10)} ${r.medianMs.toFixed(3).padStart(9)}${(x === null ? '' : `${x.toFixed(2)}x`).padStart(9)}\n`,
      );
    }
  },
};
