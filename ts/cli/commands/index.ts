import type { Command } from '../command.js';
import { batch } from './batch.js';
import { bench } from './bench.js';
import { blur } from './blur.js';
import { demo } from './demo.js';
import { equalize } from './equalize.js';
import { fast } from './fast.js';
import { faces } from './faces.js';
import { flow } from './flow.js';
import { match } from './match.js';
import { orb } from './orb.js';
import { gray } from './gray.js';
import { info } from './info.js';
import { listen } from './listen.js';
import { pyrdown } from './pyrdown.js';
import { resize } from './resize.js';
import { sobel } from './sobel.js';
import { track } from './track.js';
import { worker } from './worker.js';

/** Every command `framekit` knows, in the order `framekit --help` lists them. */
export const COMMANDS: Command[] = [
  info,
  gray,
  blur,
  sobel,
  pyrdown,
  resize,
  equalize,
  track,
  listen,
  bench,
  demo,
  fast,
  orb,
  match,
  flow,
  faces,
  batch,
  worker,
];
