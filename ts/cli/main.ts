#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FramekitError } from '../errors.js';
import type { Output } from './command.js';
import { COMMANDS } from './commands/index.js';

const out: Output = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t) };

const BACKENDS = `--backend auto|reference|wasm|webgpu (default auto)
  webgpu runs info, gray, blur, sobel, pyrdown, fast and track on the WebGPU passes, with the same
  output as wasm: the optional package "webgpu" (Dawn) and an adapter (without a GPU driver: Mesa's
  EGL and llvmpipe) are needed, else the command fails saying which is missing. Every option of
  those commands works there; track takes its refill corners from the GPU keypoint chain. The
  other commands answer E_ARGUMENT to webgpu.
`;

function help(): string {
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}\n             ${c.usage}`);
  return `framekit <command> [options]\n\ncommands:\n${lines.join('\n')}\n\n${BACKENDS}`;
}

/** Runs one CLI invocation; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    out.stdout(help());
    return name ? 0 : 2;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    out.stderr(`framekit: unknown command ${JSON.stringify(name)}\n\n${help()}`);
    return 2;
  }
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options: cmd.options, allowPositionals: true, strict: true });
  } catch (e) {
    out.stderr(`framekit ${name}: ${(e as Error).message}\nusage: ${cmd.usage}\n`);
    return 2;
  }
  try {
    await cmd.run(parsed.positionals, parsed.values, out);
    return 0;
  } catch (e) {
    if (e instanceof FramekitError) {
      out.stderr(`framekit ${name}: ${e.message}\n`);
      return e.code === 'E_ARGUMENT' ? 2 : 1;
    }
    out.stderr(`framekit ${name}: ${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

// Run when executed as the `framekit` binary (not when imported by tests).
const entry = process.argv[1] ?? '';
if (/framekit$|cli[\\/]main\.(js|ts)$/.test(entry)) {
  // A reader that stops early (`framekit track --json | head`) closes the pipe: stop quietly, as
  // Unix tools do, instead of a write error's stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(0);
      throw e;
    });
  }
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
