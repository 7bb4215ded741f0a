import type { Keypoints } from '../../features/keypoints.js';
import { checkFast, fastFields, planFast, type FastOptions } from '../../kernels/fast/api.js';
import type { PlaneLike } from '../../image/plane.js';
import type { JobEngine } from '../engine.js';
import { STRIPE_KERNEL_IDS } from '../kernels.js';
import { fastSegmentCapacity } from './stripe.js';

/**
 * Main-thread half of the pool's FAST-9 (the worker half is ./stripe.ts): options and planes checked
 * by the kernel's own `planFast` and `checkFast`; each stripe writes its corners into its own output
 * segment, concatenated here in stripe (= row) order up to the capacity.
 */
export function fastJob(engine: JobEngine, out: Keypoints, src: PlaneLike, o: FastOptions): Promise<Keypoints> {
  const { threshold, nonmax } = planFast(o);
  checkFast(engine.ctx, out, src);
  return engine
    .chained(async () => {
      const features = engine.ctx.wasm!.features;
      const stripes = Math.ceil(src.height / engine.rowsPerStripe(src.height));
      const cap = fastSegmentCapacity(out.capacity, src.width);
      const segs = engine.ensureSegments(stripes * cap * 12 + stripes * 8);
      const counts = segs + stripes * cap * 12;
      engine.ensureScratch(features.fk_fast9_scratch_bytes(src.width));
      await engine.start(STRIPE_KERNEL_IDS.fast9, src.height, [
        src.ptr,
        src.stride,
        src.width,
        threshold,
        nonmax ? 1 : 0,
        segs,
        cap,
        counts,
      ]);
      // Concatenate the stripes' kept corners in stripe order (= row order), up to the capacity.
      const f = engine.main!.f32;
      const i = engine.main!.i32;
      let n = 0;
      let found = 0;
      let recount = false;
      for (let s = 0; s < stripes; s++) {
        const k = i[(counts >> 2) + 2 * s]!;
        recount ||= i[(counts >> 2) + 2 * s + 1] === 1;
        found += k;
        const take = Math.min(k, out.capacity - n);
        if (take <= 0) continue;
        const bx = (segs + s * cap * 12) >> 2;
        out.x.set(f.subarray(bx, bx + take), n);
        out.y.set(f.subarray(bx + cap, bx + cap + take), n);
        out.response.set(f.subarray(bx + 2 * cap, bx + 2 * cap + take), n);
        n += take;
      }
      // A stripe found more than its segment holds: its kept corners still fill the list, but the
      // total needs counting; the whole-image detector with no output space counts it.
      if (recount)
        found = features.fk_fast9(src.ptr, src.width, src.height, src.stride, threshold, nonmax ? 1 : 0, engine.mainScratch, 0, 0, 0, 0);
      out.found = found;
      out.count = n;
      fastFields(out, n);
    })
    .then(() => out);
}
