export { Scheduler, type SchedulerOptions, type TaskOptions, type LevelStats } from './scheduler.js';
export { Level, LEVEL_NAMES, toLevel, type LevelLike, type LevelName } from './levels.js';
export { DEFAULT_RULES, type ContextRules } from './context.js';
export { ClassPredictor } from './predictor.js';
export { createHostPoster, detectHostKind, hostYield, type HostKind, type HostPriority } from './host.js';
export type { TaskFn, TaskCallback } from './task.js';
