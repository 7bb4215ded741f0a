import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FramekitError } from '../../errors.js';
import type { Command } from '../command.js';
import { serveDirectory } from '../serve.js';

/** The package root: the nearest folder above this module holding package.json. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new FramekitError('E_IO', 'cannot find the framekit package root');
    dir = up;
  }
  return dir;
}

export const demo: Command = {
  name: 'demo',
  usage: 'framekit demo [--port 8080] [--host 127.0.0.1]',
  summary: 'serve the live camera demo (cross-origin isolated) on 127.0.0.1',
  options: { port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' } },
  async run(_p, values, out) {
    const dir = join(packageRoot(), 'dist', 'demo');
    if (!existsSync(join(dir, 'index.html'))) throw new FramekitError('E_IO', `${dir} has no demo: run npm run build`);
    const port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new FramekitError('E_ARGUMENT', `--port must be 0..65535, got ${String(values.port)}`);
    const s = await serveDirectory(dir, { port, host: String(values.host) });
    out.stdout(`framekit demo: ${s.url}/ (Ctrl-C to stop)\n`);
    await new Promise<void>((resolve) => process.once('SIGINT', () => void s.close().then(resolve)));
  },
};
