/**
 * Every error framekit raises on purpose is a FramekitError with a stable `code`, so callers can
 * branch on the code rather than parse messages. `details` carries the offending values.
 */
export type FramekitErrorCode =
  /** No usable WebGPU device where one was required, or a GPU resource the adapter cannot provide. */
  | 'E_GPU'
  /** Width or height not a positive integer, or too large. */
  | 'E_DIMENSION'
  /** A stride smaller than a row, or not an integer. */
  | 'E_STRIDE'
  /** A buffer whose length does not match the size and stride it is said to hold. */
  | 'E_BUFFER_SIZE'
  /** The arena (sized once at start) cannot hold the request. */
  | 'E_OUT_OF_MEMORY'
  /** A region that does not lie inside the arena. */
  | 'E_OUT_OF_BOUNDS'
  /** An unknown or unsupported pixel format. */
  | 'E_FORMAT'
  /** An unreadable, corrupt or unsupported image file. */
  | 'E_DECODE'
  /** A file that cannot be read or written. */
  | 'E_IO'
  /** A media file with no audio stream where audio was asked for. */
  | 'E_NO_AUDIO'
  /** An option or argument with a value framekit does not accept. */
  | 'E_ARGUMENT'
  /** A WebAssembly module that failed to load, or trapped. */
  | 'E_WASM'
  /** An operation on an object in the wrong state (freed twice, used after release). */
  | 'E_STATE'
  /** Work whose deadline passed: shed by the scheduler before it ran, or cancelled while it ran. */
  | 'E_DEADLINE'
  /** An optional package a feature needs is not installed (`details.package` names the one to add). */
  | 'E_DEPENDENCY'
  /** A model file that is missing, unreadable, not a valid model, or whose inputs or outputs do not fit the stage. */
  | 'E_MODEL'
  /** A tensor file (safetensors) whose header or layout is malformed; `details.reason` names the check that failed. */
  | 'E_TENSOR_FILE'
  /** A worker thread failed on the same piece of a job on every retry (a poisoned input): the job is refused. */
  | 'E_WORKER';

export class FramekitError extends Error {
  readonly code: FramekitErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: FramekitErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(`${code}: ${message}`);
    this.name = 'FramekitError';
    this.code = code;
    this.details = details;
  }
}

/** Throws E_DIMENSION unless `value` is an integer in 1..max. */
export function checkDimension(name: string, value: unknown, max = 1 << 16): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new FramekitError('E_DIMENSION', `${name} must be an integer from 1 to ${max}, got ${String(value)}`, { [name]: value });
  }
  return value;
}
