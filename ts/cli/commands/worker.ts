import { startWorker } from '../../queue/worker.js';
import { parseQueueUrl } from '../../queue/url.js';
import { FramekitError } from '../../errors.js';
import { positive } from './batch.js';
import type { Command } from '../command.js';

export const worker: Command = {
  name: 'worker',
  usage: 'framekit worker --queue redis://HOST:PORT/NAME [--concurrency N] [--lock-ms MS] [--grace-ms MS]',
  summary: 'take track jobs from a Redis queue until SIGTERM/SIGINT (finishes or hands back running jobs)',
  options: {
    queue: { type: 'string' },
    concurrency: { type: 'string' },
    'lock-ms': { type: 'string', default: '30000' },
    'grace-ms': { type: 'string', default: '60000' },
  },
  async run(_p, values, out) {
    if (typeof values.queue !== 'string') throw new FramekitError('E_ARGUMENT', '--queue redis://HOST:PORT/NAME is required');
    const w = await startWorker(parseQueueUrl(values.queue), {
      ...(typeof values.concurrency === 'string' ? { concurrency: positive(values.concurrency, 'concurrency') } : {}),
      lockMs: positive(values['lock-ms'], 'lock-ms'),
      graceMs: positive(values['grace-ms'], 'grace-ms'),
      log: (line) => out.stderr(`${new Date().toISOString()} ${line}\n`),
    });
    const stop = (sig: string) => {
      out.stderr(`${new Date().toISOString()} ${sig}: finishing running jobs, taking no new ones\n`);
      void w.close();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    await w.closed;
    out.stderr(`${new Date().toISOString()} worker ${w.id} stopped\n`);
  },
};
