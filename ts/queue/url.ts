import { FramekitError } from '../errors.js';

/** Where a queue lives: a Redis server and the queue's name on it. */
export interface QueueAddress {
  host: string;
  port: number;
  /** Redis logical database (the URL's `?db=N`, default 0). */
  db: number;
  username?: string;
  password?: string;
  /** The BullMQ queue name: the URL's path, e.g. `framekit` in `redis://127.0.0.1:6379/framekit`. */
  name: string;
}

/**
 * Parses `redis://[USER[:PASS]@]HOST[:PORT]/NAME[?db=N]` (also `rediss://`, which is refused: TLS is
 * not wired in). The queue name is required: one Redis can hold many queues.
 */
export function parseQueueUrl(url: string): QueueAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FramekitError('E_ARGUMENT', `--queue wants redis://HOST:PORT/NAME, got ${JSON.stringify(url)}`);
  }
  if (u.protocol !== 'redis:')
    throw new FramekitError('E_ARGUMENT', `--queue wants a redis:// URL, got ${JSON.stringify(u.protocol)} (rediss:// is not supported)`);
  const name = decodeURIComponent(u.pathname.replace(/^\/+|\/+$/g, ''));
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(name))
    throw new FramekitError(
      'E_ARGUMENT',
      `--queue needs a queue name of letters, digits, '_', '.', '-' after the host: redis://HOST:PORT/NAME`,
    );
  const port = u.port ? Number(u.port) : 6379;
  const dbText = u.searchParams.get('db');
  const db = dbText === null ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0 || db > 15) throw new FramekitError('E_ARGUMENT', `--queue: db must be 0..15, got ${dbText}`);
  return {
    host: u.hostname || '127.0.0.1',
    port,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    name,
  };
}
