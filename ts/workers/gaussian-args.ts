import { FramekitError } from '../errors.js';
import { autoKsize } from '../kernels/gaussian/coefficients.js';
import { MAX_GAUSSIAN_KSIZE } from '../kernels/gaussian/api.js';

/**
 * A Gaussian kernel side as `fk.gaussianBlur()` accepts it (ts/kernels/gaussian/api.ts): odd,
 * 1..MAX_GAUSSIAN_KSIZE, or 0 with sigma > 0 (then derived from sigma, as OpenCV does). The same
 * checks and messages, so the pool rejects exactly what the single-threaded call rejects.
 */
export function gaussianSide(name: string, ksize: number, sigma: number): number {
  if (!Number.isFinite(sigma))
    throw new FramekitError('E_ARGUMENT', `gaussianBlur: sigma must be a finite number, got ${String(sigma)}`, { sigma });
  const k = ksize <= 0 && sigma > 0 ? autoKsize(sigma) : ksize;
  if (!Number.isInteger(k) || k < 1 || k % 2 === 0 || k > MAX_GAUSSIAN_KSIZE) {
    throw new FramekitError(
      'E_ARGUMENT',
      `gaussianBlur: ${name} must be odd, 1..${MAX_GAUSSIAN_KSIZE} (or 0 with sigma > 0), got ${String(ksize)}`,
      {
        [name]: ksize,
        sigma,
      },
    );
  }
  return k;
}
