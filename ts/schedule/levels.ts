import { FramekitError } from '../errors.js';

/**
 * The five priority levels, most urgent first. A level is a small integer so that a task record
 * stores it without a string and the dispatcher indexes its per-level queues directly.
 * - CRITICAL: frame decode, audio sync, user input;
 * - HIGH: inference for the active conversation;
 * - NORMAL: background embedding, indexing;
 * - LOW: training, consolidation, cleanup;
 * - IDLE: speculative precomputation.
 */
export const Level = { CRITICAL: 0, HIGH: 1, NORMAL: 2, LOW: 3, IDLE: 4 } as const;
export type Level = (typeof Level)[keyof typeof Level];
export type LevelName = 'critical' | 'high' | 'normal' | 'low' | 'idle';

/** Level names indexed by level. */
export const LEVEL_NAMES: readonly LevelName[] = ['critical', 'high', 'normal', 'low', 'idle'];
export const LEVEL_COUNT = 5;

/** A level by number or by name (either case), as options accept it. */
export type LevelLike = Level | LevelName | Uppercase<LevelName>;

/** Parses a level; throws E_ARGUMENT for anything that is not one of the five. */
export function toLevel(value: unknown, what = 'level'): Level {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < LEVEL_COUNT) return value as Level;
  if (typeof value === 'string') {
    // The lower-case name first: toLowerCase() makes a new string, and options pass their level on every post.
    let i = LEVEL_NAMES.indexOf(value as LevelName);
    if (i < 0) i = LEVEL_NAMES.indexOf(value.toLowerCase() as LevelName);
    if (i >= 0) return i as Level;
  }
  throw new FramekitError('E_ARGUMENT', `unknown ${what} ${JSON.stringify(value)}; expected one of ${LEVEL_NAMES.join(', ')} (or 0..4)`, {
    [what]: value,
  });
}
