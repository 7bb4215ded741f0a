import type { ParseArgsConfig } from 'node:util';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** One `framekit <name>` command: its options (node:util parseArgs) and what it does. */
export interface Command {
  name: string;
  usage: string;
  summary: string;
  options: Options;
  run(positionals: string[], values: Values, out: Output): Promise<void>;
}

/** Where a command prints: stdout for results (JSON goes here), stderr for progress. */
export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** Options every image command takes. */
export const COMMON: Options = {
  backend: { type: 'string', default: 'auto' },
  json: { type: 'boolean', default: false },
  output: { type: 'string', short: 'o' },
};
