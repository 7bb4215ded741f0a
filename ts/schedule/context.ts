import { FramekitError } from '../errors.js';
import { toLevel, type Level, type LevelLike } from './levels.js';

/**
 * Which level each task class runs at, per application context. Data the application supplies;
 * a class a context does not name keeps the level its task asked for.
 */
export type ContextRules = Record<string, Record<string, LevelLike>>;

/**
 * The defaults, the design's adaptive priorities: in a video call the media path rules (frame work
 * CRITICAL, chat and vision models LOW); with chat in focus chat inference does; with the user
 * looking at results (`results`) the vision stage (the face stage's class) is HIGH while frames stay
 * CRITICAL; idle promotes opportunistic work (training HIGH, speculative LOW instead of IDLE).
 */
export const DEFAULT_RULES: ContextRules = {
  default: {
    frame: 'critical',
    audio: 'critical',
    input: 'critical',
    chat: 'high',
    vision: 'high',
    embedding: 'normal',
    training: 'low',
    speculative: 'idle',
  },
  'video-call': {
    frame: 'critical',
    audio: 'critical',
    input: 'critical',
    chat: 'low',
    vision: 'low',
    embedding: 'low',
    training: 'idle',
    speculative: 'idle',
  },
  results: {
    frame: 'critical',
    audio: 'critical',
    input: 'critical',
    vision: 'high',
    chat: 'normal',
    embedding: 'low',
    training: 'idle',
    speculative: 'idle',
  },
  'chat-focus': {
    chat: 'critical',
    input: 'critical',
    frame: 'high',
    audio: 'high',
    embedding: 'normal',
    training: 'low',
    speculative: 'idle',
  },
  idle: { training: 'high', embedding: 'normal', chat: 'normal', frame: 'normal', vision: 'normal', speculative: 'low' },
};

/** Rules parsed once: context -> class -> level. Unknown level names are rejected here, not per task. */
export class CompiledRules {
  readonly #byContext = new Map<string, Map<string, Level>>();

  constructor(rules: ContextRules) {
    if (rules === null || typeof rules !== 'object') throw new FramekitError('E_ARGUMENT', 'context rules must be an object');
    for (const [ctx, classes] of Object.entries(rules)) {
      const m = new Map<string, Level>();
      for (const [cls, lvl] of Object.entries(classes)) m.set(cls, toLevel(lvl, `level of class ${cls} in context ${ctx}`));
      this.#byContext.set(ctx, m);
    }
  }

  has(context: string): boolean {
    return this.#byContext.has(context);
  }

  contexts(): string[] {
    return [...this.#byContext.keys()];
  }

  /** The class table of a context; throws E_ARGUMENT for a context the rules do not name. */
  table(context: string): ReadonlyMap<string, Level> {
    const t = this.#byContext.get(context);
    if (!t) {
      throw new FramekitError('E_ARGUMENT', `unknown context ${JSON.stringify(context)}; known: ${this.contexts().join(', ')}`, {
        context,
      });
    }
    return t;
  }
}
