import type { Command } from '../command.js';
import { bench } from './bench.js';
import { demo } from './demo.js';
import { gray } from './gray.js';
import { info } from './info.js';

/** Every command `framekit` knows, in the order `framekit --help` lists them. */
export const COMMANDS: Command[] = [info, gray, bench, demo];
