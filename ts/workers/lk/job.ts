import { FramekitError } from '../../errors.js';
import type { FlowPoints } from '../../features/flow-points.js';
import { flowPlan, type FlowOptions } from '../../kernels/lk/api.js';
import { lkFlags } from '../../kernels/lk/index.js';
import type { FlowPyramid } from '../../kernels/lk/pyramid.js';
import type { JobEngine } from '../engine.js';
import { STRIPE_KERNEL_IDS } from '../kernels.js';
import { f32Bits, LK_LEVEL_INTS } from './stripe.js';

/**
 * Main-thread half of the pool's Lucas-Kanade (the worker half is ./stripe.ts), split by points: the
 * kernel's own `flowPlan` checks and resolves everything; the level table goes into the job's data.
 */
export function flowJob(engine: JobEngine, points: FlowPoints, prev: FlowPyramid, next: FlowPyramid, o: FlowOptions): Promise<FlowPoints> {
  const { maxLevel, params: p } = flowPlan(engine.ctx, points, prev, next, o);
  if (!engine.main) throw new FramekitError('E_STATE', 'worker pool: opticalFlow needs the WASM kernels');
  points.status.fill(1, 0, points.count);
  if (points.count === 0) return Promise.resolve(points);
  return engine
    .chained(() => {
      const table = engine.jobData;
      const t = engine.main!.i32;
      for (let l = 0; l <= maxLevel; l++) {
        const I = prev.levels[l]!.image;
        const J = next.levels[l]!.image;
        const e = (table >> 2) + l * LK_LEVEL_INTS;
        t[e] = I.ptr;
        t[e + 1] = I.stride;
        t[e + 2] = J.ptr;
        t[e + 3] = J.stride;
        t[e + 4] = I.width;
        t[e + 5] = I.height;
      }
      const args = [table, maxLevel, points.prev.byteOffset, points.next.byteOffset, points.status.byteOffset, points.err.byteOffset];
      args.push(p.win, p.maxCount, f32Bits(p.eps), f32Bits(p.minEig), lkFlags(p));
      return engine.start(STRIPE_KERNEL_IDS.lk, points.count, args);
    })
    .then(() => points);
}
