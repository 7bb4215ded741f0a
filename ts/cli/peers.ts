/**
 * The libraries framekit is measured against (`framekit bench`, bench/) and tested against (test/):
 * OpenCV.js (@techstark/opencv-js 4.12, no SIMD in its npm build) and jsfeat. Both are development
 * dependencies: where they are absent (an installed package), the bench leaves their rows out and
 * says so; the tests fail.
 */
import { createRequire } from 'node:module';

// OpenCV.js's API is untyped; the bench and tests use a handful of calls.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CV = any;

let cvPromise: Promise<{ cv: CV } | null> | undefined;

/**
 * Loads OpenCV.js once and returns `{ cv }` (null when it is not installed). Its Module object is a
 * thenable that resolves to itself, so awaiting it, or returning it from an async function, never
 * settles: wait for `onRuntimeInitialized`, and hand it out inside a plain object.
 */
export function loadOpenCV(): Promise<{ cv: CV } | null> {
  cvPromise ??= (async () => {
    let cv: CV;
    try {
      cv = createRequire(import.meta.url)('@techstark/opencv-js');
    } catch {
      return null;
    }
    if (!cv.Mat) await new Promise<void>((resolve) => (cv.onRuntimeInitialized = () => resolve()));
    return { cv };
  })();
  return cvPromise;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Jsfeat = any;

export function loadJsfeat(): Jsfeat | null {
  try {
    return createRequire(import.meta.url)('jsfeat');
  } catch {
    return null;
  }
}
