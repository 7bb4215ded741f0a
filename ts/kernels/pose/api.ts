import { FramekitError } from '../../errors.js';
import type { KernelContext } from '../../core/context.js';
import type { Arena, Region } from '../../memory/arena.js';

/**
 * A camera pose relative to a plane, in one arena region: R (9 f64, row-major, plane to camera) and
 * t (3 f64, in the plane's units), plus room for the H and K of a call, so the kernel reads them
 * from the shared memory. Allocate it at setup with `Pose.alloc(ctx)` (or `fk.allocPose()`); what `frame.pose` holds.
 */
export class Pose {
  readonly region: Region;
  readonly R: Float64Array;
  readonly t: Float64Array;
  /** @internal The H and K of the last call (the kernel's inputs). */
  readonly input: { H: Float64Array; K: Float64Array };

  /** Where poseFromHomography writes (R and t). Allocates: call at setup. */
  static alloc(ctx: KernelContext): Pose {
    return new Pose(ctx.arena, ctx.memory);
  }

  /** Allocates an arena region: call at setup, not per frame. */
  constructor(arena: Arena, memory: WebAssembly.Memory) {
    this.region = arena.alloc(240, 'pose');
    const at = (byte: number, n: number) => new Float64Array(memory.buffer, this.region.ptr + byte, n);
    this.R = at(0, 9);
    this.t = at(72, 3);
    this.input = { H: at(96, 9), K: at(168, 9) };
  }
}

const arg = (msg: string) => new FramekitError('E_ARGUMENT', `poseFromHomography: ${msg}`);

function finite9(m: ArrayLike<number>, name: string): void {
  if (!m || m.length !== 9) throw arg(`${name} must hold 9 numbers (row-major 3x3), got ${m?.length}`);
  for (let i = 0; i < 9; i++) if (!Number.isFinite(m[i])) throw arg(`${name}[${i}] is not finite (${m[i]})`);
}

/**
 * Pose of the camera from the plane-to-image homography `H` (row-major; any scale) and intrinsics
 * `K` = [fx s cx; 0 fy cy; 0 0 1], into `out`. The plane is in front of the camera (t_z > 0).
 * Throws E_ARGUMENT, writing nothing, for a K that is not a camera matrix or a singular H.
 */
export function poseFromHomography(ctx: KernelContext, out: Pose, H: ArrayLike<number>, K: ArrayLike<number>): Pose {
  if (!(out instanceof Pose) || !ctx.arena.contains(out.region.ptr, out.region.size)) {
    throw new FramekitError('E_OUT_OF_BOUNDS', "poseFromHomography: out must come from this framekit's allocPose()");
  }
  finite9(K, 'K');
  finite9(H, 'H');
  if (!(K[0]! > 0 && K[4]! > 0)) throw arg(`K's focal lengths must be positive, got fx ${K[0]}, fy ${K[4]}`);
  if (K[3] !== 0 || K[6] !== 0 || K[7] !== 0 || K[8] !== 1) throw arg('K must be upper triangular with bottom row [0 0 1]');
  const { H: h, K: k } = out.input;
  for (let i = 0; i < 9; i++) {
    h[i] = H[i]!;
    k[i] = K[i]!;
  }
  const r = out.region.ptr;
  if (ctx.kernels.pose.run(r + 96, r + 168, r, r + 72) !== 0) throw arg('H is singular: no pose');
  return out;
}
