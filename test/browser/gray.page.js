// Runs in Chromium against the browser bundle, which fetches its .wasm by URL.
import { createFramekit, grayReference } from '../../dist/browser/browser.js';

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function check() {
  const out = { crossOriginIsolated, backends: {}, failures: [] };
  for (const backend of ['reference', 'wasm-scalar', 'wasm-simd']) {
    const fk = await createFramekit({ arenaBytes: 4 << 20, backend });
    out.backends[backend] = fk.info().wasm;
    const r = rng(5);
    let compared = 0;
    for (const format of ['rgba', 'bgra', 'rgb', 'bgr']) {
      const bpp = format.length;
      for (let w = 1; w <= 65; w++) {
        const h = 1 + (w % 3) * 2;
        const src = fk.allocPlane(w, h, format, { stride: w * bpp + (w % 5) });
        for (let i = 0; i < src.data.length; i++) src.data[i] = (r() * 256) | 0;
        const region = fk.arena.alloc(w * h + 64);
        fk.heap.fill(0xa5, region.ptr, region.ptr + region.size);
        const dst = { ptr: region.ptr + 32, width: w, height: h, stride: w, format: 'gray' };
        const ref = fk.allocPlane(w, h, 'gray', { stride: w });
        fk.gray(dst, src);
        grayReference(fk.heap, ref, src);
        for (let i = 0; i < w * h; i++) if (fk.heap[dst.ptr + i] !== ref.data[i]) out.failures.push(`${backend} ${format} w=${w} at ${i}`);
        for (let i = region.ptr; i < region.ptr + region.size; i++) {
          const inside = i >= dst.ptr && i < dst.ptr + w * h;
          if (!inside && fk.heap[i] !== 0xa5) out.failures.push(`${backend} ${format} w=${w}: guard byte ${i - dst.ptr} changed`);
        }
        compared += w * h;
        fk.arena.free(region);
        fk.freePlane(ref);
        fk.freePlane(src);
      }
    }
    out[`${backend}Compared`] = compared;
  }
  // Shared memory, as workers would use it (the page is cross-origin isolated).
  const shared = await createFramekit({ arenaBytes: 1 << 20, shared: true });
  out.sharedBuffer = shared.memory.buffer instanceof SharedArrayBuffer;
  const src = shared.allocPlane(40, 3, 'rgba');
  src.data.fill(200);
  const dst = shared.allocPlane(40, 3, 'gray');
  shared.gray(dst, src);
  out.sharedGray = dst.data[0];
  out.sharedSum = String(shared.planeSum(dst));
  return out;
}

check()
  .then((r) => (window.__result = r))
  .catch((e) => (window.__result = { error: String(e && e.stack ? e.stack : e) }))
  .finally(() => (window.__done = true));
