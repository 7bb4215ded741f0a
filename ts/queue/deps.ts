import { FramekitError } from '../errors.js';
import type { QueueAddress } from './url.js';

/**
 * BullMQ is an optional peer dependency: only `framekit batch` and `framekit worker` load it, on
 * first use, so users who never scale out install nothing for it.
 */
export async function loadBullmq(): Promise<typeof import('bullmq')> {
  try {
    return await import('bullmq');
  } catch (e) {
    throw new FramekitError(
      'E_STATE',
      `the job queue needs the optional packages bullmq and ioredis: npm i bullmq ioredis (${(e as Error).message})`,
    );
  }
}

/**
 * Connection options for BullMQ (ioredis). Workers and the batch wait out a Redis restart: the client
 * reconnects with a capped back-off and commands wait instead of failing (maxRetriesPerRequest null).
 */
export function connectionOf(a: QueueAddress): Record<string, unknown> {
  return {
    host: a.host,
    port: a.port,
    db: a.db,
    ...(a.username ? { username: a.username } : {}),
    ...(a.password ? { password: a.password } : {}),
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
  };
}
