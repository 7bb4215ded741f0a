import { readFileSync } from 'node:fs';
import { FramekitError } from '../../errors.js';
import { runBatch, expandInputs, type BatchProgress } from '../../queue/batch.js';
import { parseQueueUrl } from '../../queue/url.js';
import type { Command, Values } from '../command.js';

/** framekit's version, part of every job's identity (a new version redoes the work). */
export function packageVersion(): string {
  const up = import.meta.url.includes('/dist/ts/') ? '../../../../' : '../../../';
  return (JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8')) as { version: string }).version;
}

export function positive(v: unknown, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new FramekitError('E_ARGUMENT', `--${name} must be a positive integer, got ${String(v)}`);
  return n;
}

function queueOf(values: Values) {
  if (typeof values.queue !== 'string') throw new FramekitError('E_ARGUMENT', '--queue redis://HOST:PORT/NAME is required');
  return parseQueueUrl(values.queue);
}

function bar(p: BatchProgress): string {
  const width = 30;
  const filled = Math.round((width * (p.done + p.failed)) / Math.max(1, p.total));
  return `[${'#'.repeat(filled).padEnd(width, '.')}] ${p.done + p.failed}/${p.total}  done ${p.done}  running ${p.running}  waiting ${p.waiting}  failed ${p.failed}  retried ${p.retried}  ${p.frames} frames`;
}

export const batch: Command = {
  name: 'batch',
  usage:
    'framekit batch INPUTS... --queue redis://HOST:PORT/NAME [--out SHARED_DIR] [--results DIR] [--attempts N] [--features N] [--json]',
  summary: 'enqueue one track job per input on a Redis queue (BullMQ), follow them, sum up',
  options: {
    queue: { type: 'string' },
    out: { type: 'string' },
    results: { type: 'string', default: 'framekit-out' },
    attempts: { type: 'string', default: '2' },
    features: { type: 'string', default: '500' },
    backend: { type: 'string', default: 'auto' },
    timeout: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
  async run(p, values, out) {
    const address = queueOf(values);
    const inputs = await expandInputs(p);
    const tty = !values.json && process.stderr.isTTY;
    const s = await runBatch(address, inputs, {
      track: { features: positive(values.features, 'features'), backend: String(values.backend) },
      out: typeof values.out === 'string' ? values.out : null,
      resultsDir: String(values.results),
      attempts: positive(values.attempts, 'attempts'),
      version: packageVersion(),
      ...(typeof values.timeout === 'string' ? { timeoutMs: positive(values.timeout, 'timeout') } : {}),
      onProgress: (pr) => {
        if (tty) out.stderr(`\r${bar(pr)} `);
      },
    });
    if (tty) out.stderr('\n');
    if (values.json) out.stdout(JSON.stringify({ summary: { ...s, fps: +s.fps.toFixed(1), wallS: +s.wallS.toFixed(3) } }) + '\n');
    else {
      out.stdout(
        `${s.files} files: ${s.done} done (${s.skipped} from before), ${s.failed} failed, ${s.retried} retried; ${s.frames} frames, ${s.fps.toFixed(1)} fps over the cluster in ${s.wallS.toFixed(1)} s\n`,
      );
      for (const f of s.failures) out.stdout(`  failed ${f.input}: ${f.reason}\n`);
    }
    if (s.failed > 0) throw new FramekitError('E_IO', `${s.failed} of ${s.files} jobs failed`);
  },
};
