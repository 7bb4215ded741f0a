// A fast producer and a slow consumer joined by a FrameRing, under each pool policy ('error',
// 'drop-oldest', 'wait'). The producer stamps each frame's pixels and a user slot with its number
// and hands the frame's one reference to the ring; the consumer pops handles at a seeded random pace,
// retains each frame it reads for a random number of turns (holding up to three at once), and checks
// at every turn that what it holds is still the frame it took: same generation, same stamp in every
// pixel. Every frame produced is either read once, in order, or counted as dropped.
import { describe, expect, test } from 'bun:test';
import { createFramekit, FramekitError, type Frame } from '../../ts/index.js';
import type { ExhaustedPolicy, FramePool } from '../../ts/frame/pool.js';
import { FrameRing } from '../../ts/frame/ring.js';
import { mulberry32 } from '../helpers/index.js';

const fk = await createFramekit({ arenaBytes: 4 << 20, backend: 'wasm-simd' });
const W = 16;
const H = 8;
const TOTAL = 3000;
const turn = () => new Promise<void>((r) => setImmediate(r));

interface Held {
  frame: Frame;
  generation: number;
  stamp: number;
  turnsLeft: number;
}

interface Outcome {
  produced: number;
  read: number;
  /** Frames the producer could not get ('error': E_STATE on a full pool). */
  refused: number;
  /** Handles found stale when popped (reclaimed under 'drop-oldest'). */
  stale: number;
  poolDropped: number;
  /** A held frame whose generation or stamp changed while held. */
  recycledUnderReader: number;
  outOfOrder: number;
  maxHeld: number;
  /** 'drop-oldest': acquires refused because every live frame was retained. */
  allRetained: number;
}

function stampOf(f: Frame): number {
  return f.slot<Float64Array>('stamp')[0]!;
}

/** Every pixel carries the low byte of the stamp, and the slot the whole number. */
function intact(f: Frame, stamp: number): boolean {
  if (stampOf(f) !== stamp) return false;
  const px = f.data;
  for (let i = 0; i < px.length; i++) if (px[i] !== (stamp & 255)) return false;
  return true;
}

async function run(policy: ExhaustedPolicy, seed: number): Promise<Outcome & { pool: FramePool }> {
  const pool = fk.createPool({
    width: W,
    height: H,
    format: 'gray',
    size: 4,
    onExhausted: policy,
    slots: { stamp: { length: 1, type: 'f64' } },
  });
  // Handles, not frames: under 'drop-oldest' the ring also carries the stale handles of reclaimed frames.
  const ring = FrameRing.create(1024);
  const rand = mulberry32(seed);
  const o: Outcome = {
    produced: 0,
    read: 0,
    refused: 0,
    stale: 0,
    poolDropped: 0,
    recycledUnderReader: 0,
    outOfOrder: 0,
    maxHeld: 0,
    allRetained: 0,
  };
  let producing = true;
  let lastRead = -1;
  const held: Held[] = [];

  const producer = async () => {
    for (let n = 0; n < TOTAL; n++) {
      let f: Frame | null = null;
      if (policy === 'wait') f = await pool.acquireAsync(n);
      else {
        try {
          f = pool.acquire(n);
        } catch (e) {
          if (!(e instanceof FramekitError) || e.code !== 'E_STATE') throw e;
          if (policy === 'drop-oldest') o.allRetained++;
          else o.refused++;
        }
      }
      o.produced++;
      if (f) {
        f.slot<Float64Array>('stamp')[0] = n;
        f.data.fill(n & 255);
        expect(ring.push(f.handle)).toBe(true);
      }
      if (rand() < 0.7) await turn(); // the producer runs about twice as often as the consumer reads
    }
    producing = false;
  };

  const consumer = async () => {
    while (producing || ring.size > 0 || held.length > 0) {
      // Every turn: what is held is still what was taken.
      for (const h of held) if (!h.frame.isCurrent(h.generation) || !intact(h.frame, h.stamp)) o.recycledUnderReader++;
      for (let i = held.length - 1; i >= 0; i--) {
        const h = held[i]!;
        if (--h.turnsLeft > 0) continue;
        held.splice(i, 1);
        h.frame.release(); // the reader's hold
        h.frame.release(); // the reference the ring carried
      }
      if (held.length < 3 && rand() < 0.35) {
        // Stale handles (frames reclaimed while queued) are skipped at once: reading them costs nothing.
        let f: Frame | null = null;
        for (let handle = ring.pop(); handle >= 0 && f === null; handle = f ? -1 : ring.pop()) {
          try {
            f = pool.fromHandle(handle);
          } catch (e) {
            if (!(e instanceof FramekitError) || e.code !== 'E_STATE') throw e;
            o.stale++;
          }
        }
        {
          if (f) {
            f.retain(); // the reader holds it while it reads
            const stamp = stampOf(f);
            if (stamp <= lastRead) o.outOfOrder++;
            lastRead = stamp;
            o.read++;
            held.push({ frame: f, generation: f.generation, stamp, turnsLeft: 1 + Math.floor(rand() * 6) });
            o.maxHeld = Math.max(o.maxHeld, held.length);
          }
        }
      }
      await turn();
    }
  };

  await Promise.all([producer(), consumer()]);
  o.poolDropped = pool.stats().dropped;
  return { ...o, pool };
}

describe('slow consumer on a frame ring, each pool policy', () => {
  test("'error': a full pool refuses the producer (counted); nothing is taken from a reader", async () => {
    const r = await run('error', 1);
    expect(r.recycledUnderReader).toBe(0);
    expect(r.outOfOrder).toBe(0);
    expect(r.refused).toBeGreaterThan(100); // the consumer really was too slow
    expect(r.poolDropped).toBe(0);
    expect(r.stale).toBe(0);
    expect(r.read + r.refused).toBe(r.produced);
    expect(r.pool.stats()).toMatchObject({ live: 0, free: 4 });
    r.pool.dispose();
  });

  test("'drop-oldest': the oldest queued frame is reclaimed (counted, its handle stale), never one a reader retained", async () => {
    const r = await run('drop-oldest', 2);
    expect(r.recycledUnderReader).toBe(0);
    expect(r.outOfOrder).toBe(0);
    expect(r.poolDropped).toBeGreaterThan(100);
    expect(r.maxHeld).toBe(3); // readers held three frames at once, so the pool had to pass over them
    expect(r.stale).toBe(r.poolDropped); // each reclaimed frame shows up as one stale handle
    expect(r.read + r.stale + r.allRetained).toBe(r.produced);
    expect(r.pool.stats()).toMatchObject({ live: 0, free: 4 });
    r.pool.dispose();
  });

  test("'wait': the producer waits for the reader; nothing dropped, every frame read in order", async () => {
    const r = await run('wait', 3);
    expect(r.recycledUnderReader).toBe(0);
    expect(r.outOfOrder).toBe(0);
    expect(r.read).toBe(TOTAL);
    expect(r.poolDropped + r.refused + r.stale).toBe(0);
    expect(r.pool.stats()).toMatchObject({ live: 0, free: 4, waiting: 0 });
    r.pool.dispose();
  });

  test("'drop-oldest' with every frame retained: E_STATE, and no reader loses its frame", () => {
    const pool = fk.createPool({ width: W, height: H, format: 'gray', size: 2, onExhausted: 'drop-oldest' });
    const a = pool.acquire().retain();
    const b = pool.acquire().retain();
    const [ga, gb] = [a.generation, b.generation];
    expect(() => pool.acquire()).toThrow(FramekitError);
    expect(a.isCurrent(ga) && b.isCurrent(gb)).toBe(true);
    b.release(); // b back to one reference: now it may be taken, a may not
    const c = pool.acquire();
    expect(c).toBe(b);
    expect(a.isCurrent(ga)).toBe(true);
    expect(pool.stats().dropped).toBe(1);
    a.release();
    a.release();
    c.release();
    pool.dispose();
  });
});
