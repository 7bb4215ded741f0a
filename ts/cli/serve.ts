import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { open, realpath } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.y4m': 'video/x-yuv4mpeg',
};

/** Longest request target answered; longer ones get 414 before any decoding or file access. */
export const MAX_URL_LENGTH = 4096;

export interface StaticServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * Where a request target maps inside `root`, or the status to answer instead: 400 for a target
 * that is not a valid percent-encoded absolute path (or holds NUL or a backslash), 403 for one that
 * leaves `root` once decoded (`..`, `%2e%2e`, `..%2f`). Pure: touches no file.
 */
export function resolveRequestPath(root: string, target: string): { path: string } | { status: 400 | 403 } {
  if (!target.startsWith('/')) return { status: 400 };
  const q = target.search(/[?#]/);
  const raw = q < 0 ? target : target.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    return { status: 400 };
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return { status: 400 };
  if (decoded.split('/').some((part) => part === '..')) return { status: 403 };
  let path = resolve(root, '.' + decoded);
  const rel = relative(root, path);
  if (rel.startsWith('..') || isAbsolute(rel)) return { status: 403 };
  if (decoded.endsWith('/')) path = resolve(path, 'index.html');
  return { path };
}

/**
 * Serves the files under `dir` on `host:port` (port 0: any free one), with the cross-origin
 * isolation headers (COOP same-origin, COEP require-corp) that SharedArrayBuffer, and so workers on
 * framekit's shared memory, need in a browser. Listens on the loopback address by default.
 *
 * Only GET and HEAD are answered (405 otherwise); malformed targets get 400, targets longer than
 * MAX_URL_LENGTH 414, anything that resolves outside `dir` (encoded `..`, symbolic links pointing
 * out) 403, a missing file 404. No request, however malformed, ends the process.
 */
export async function serveDirectory(dir: string, o: { port?: number; host?: string } = {}): Promise<StaticServer> {
  const root = await realpath(resolve(dir));
  const answer = (res: ServerResponse, status: number, headers: Record<string, string> = {}): void => {
    if (!res.headersSent) res.writeHead(status, headers);
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.url ?? '/';
    if (target.length > MAX_URL_LENGTH) return answer(res, 414);
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, { allow: 'GET, HEAD' });
    const where = resolveRequestPath(root, target);
    if ('status' in where) return answer(res, where.status);
    let real: string;
    try {
      real = await realpath(where.path);
    } catch {
      return answer(res, 404);
    }
    // A symbolic link inside the folder may point anywhere: serve only what really lies inside.
    if (real !== root && !real.startsWith(root + sep)) return answer(res, 403);
    const file = await open(real, 'r').catch(() => null);
    if (!file) return answer(res, 404);
    const stat = await file.stat().catch(() => null);
    if (!stat?.isFile()) {
      await file.close();
      return answer(res, 404);
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(real)] ?? 'application/octet-stream',
      'content-length': String(stat.size),
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cross-origin-resource-policy': 'same-origin',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    if (req.method === 'HEAD') {
      await file.close();
      res.end();
      return;
    }
    // Streamed in chunks (the demo ships ONNX Runtime's 10+ MB WASM): never a whole file in memory.
    // The stream closes the file when it ends or fails; a failure mid-body can only cut the connection.
    const body = file.createReadStream();
    body.on('error', () => res.destroy());
    body.pipe(res);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => answer(res, 500));
  });
  // Bytes that are not HTTP at all: answer 400 and drop the connection, never throw.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolveListen());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return {
    url: `http://${host}:${port}`,
    server,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
