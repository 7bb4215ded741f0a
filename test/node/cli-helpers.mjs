// What the Node tests of framekit's commands share: where the CLI is, JSON lines, and an install of
// framekit without ONNX Runtime.
import { cpSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';

export const root = new URL('../../', import.meta.url).pathname;
export const cli = join(root, 'dist/ts/cli/main.js');

/** A command's stdout, one JSON value per line. */
export const lines = (s) =>
  s
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/**
 * An install of framekit without either ONNX Runtime package, in `dir`/app: dist/ copied, every other
 * package linked. Returns the path of its CLI.
 */
export function appWithoutOrt(dir) {
  const app = join(dir, 'app');
  cpSync(join(root, 'dist'), join(app, 'dist'), { recursive: true });
  cpSync(join(root, 'package.json'), join(app, 'package.json'));
  mkdirSync(join(app, 'node_modules'));
  for (const name of readdirSync(join(root, 'node_modules'))) {
    if (name.startsWith('onnxruntime-') || name.startsWith('.')) continue;
    symlinkSync(join(root, 'node_modules', name), join(app, 'node_modules', name));
  }
  return join(app, 'dist/ts/cli/main.js');
}
