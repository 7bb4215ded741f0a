import type { Command } from '../command.js';
import { bench } from './bench.js';
import { demo } from './demo.js';
import { fast } from './fast.js';
import { gray } from './gray.js';
import { info } from './info.js';
import { track } from './track.js';

/** Every command `framekit` knows, in the order `framekit --help` lists them. */
export const COMMANDS: Command[] = [info, gray, track, bench, demo, fast];
