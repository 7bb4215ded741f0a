/**
 * Posting a macrotask to the host, the one way the scheduler gives the event loop back between slices.
 *
 * Order of preference:
 * - `scheduler.postTask` (Chromium): the browser's own prioritised task queue; the priority follows the
 *   most urgent queued level, so the browser can weigh framekit's slice against input and rendering.
 * - `setImmediate` (Node, Bun): runs in the check phase right after pending I/O, which is exactly the
 *   "let I/O and timers in, then continue" a yield is for. A MessageChannel behaves the same and costs
 *   about the same per hop (measured here, 20k awaited hops: Node 20 4.9 µs setImmediate vs 4.7 µs
 *   MessageChannel; Bun 1.4 2.8 µs vs 3.9 µs), but in Node an open port holds the process alive unless
 *   it is ref'd and unref'd around every hop, which the 'message-channel' kind below does; and Bun
 *   delivers MessagePort messages ahead of timers and immediates (a chain of hops starved a 0 ms timer
 *   for its whole 30 ms here), so there it would not yield at all.
 * - `MessageChannel` (browsers without postTask, workers): a macrotask without `setTimeout`'s 4 ms clamp.
 * - `setTimeout(0)`: last resort.
 */
export type HostKind = 'post-task' | 'set-immediate' | 'message-channel' | 'timeout';

/** The priority `scheduler.postTask` takes. */
export type HostPriority = 'user-blocking' | 'user-visible' | 'background';

/** Posts `run` as a macrotask. Built once; posting itself allocates nothing except what the host does. */
export interface HostPoster {
  readonly kind: HostKind;
  post(priority: HostPriority): void;
}

interface PostTaskScheduler {
  postTask(cb: () => void, o: { priority: HostPriority }): Promise<unknown>;
  yield?: () => Promise<void>;
}

interface NodeishPort {
  onmessage: ((e: unknown) => void) | null;
  postMessage(v: unknown): void;
  ref?: () => void;
  unref?: () => void;
  close(): void;
}

function hostScheduler(): PostTaskScheduler | undefined {
  const s = (globalThis as { scheduler?: PostTaskScheduler }).scheduler;
  return s && typeof s.postTask === 'function' ? s : undefined;
}

/** The best kind this host has. */
export function detectHostKind(): HostKind {
  if (hostScheduler()) return 'post-task';
  if (typeof (globalThis as { setImmediate?: unknown }).setImmediate === 'function') return 'set-immediate';
  if (typeof globalThis.MessageChannel === 'function') return 'message-channel';
  return 'timeout';
}

const PRIORITY_OPTS: Record<HostPriority, { priority: HostPriority }> = {
  'user-blocking': { priority: 'user-blocking' },
  'user-visible': { priority: 'user-visible' },
  background: { priority: 'background' },
};

/** Makes a poster that calls `run` once per `post()`. `kind` defaults to the best the host has. */
export function createHostPoster(run: () => void, kind: HostKind = detectHostKind()): HostPoster {
  switch (kind) {
    case 'post-task': {
      const s = hostScheduler();
      if (!s) break;
      return { kind, post: (p) => void s.postTask(run, PRIORITY_OPTS[p]) };
    }
    case 'set-immediate': {
      const si = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
      if (!si) break;
      return { kind, post: () => void si(run) };
    }
    case 'message-channel': {
      if (typeof globalThis.MessageChannel !== 'function') break;
      const ch = new MessageChannel();
      const rx = ch.port1 as unknown as NodeishPort;
      const tx = ch.port2 as unknown as NodeishPort;
      let pending = 0;
      rx.onmessage = () => {
        // Node: an idle port must not keep the process alive; hold it only while a hop is in flight.
        if (--pending === 0) rx.unref?.();
        run();
      };
      rx.unref?.();
      return {
        kind,
        post: () => {
          if (pending++ === 0) rx.ref?.();
          tx.postMessage(null);
        },
      };
    }
    case 'timeout':
      return { kind, post: () => void setTimeout(run, 0) };
  }
  throw new Error(`host kind ${kind} is not available here`);
}

/**
 * Gives the host one turn of its event loop and resumes: `scheduler.yield()` where the platform has
 * it (it resumes ahead of other queued tasks), else a macrotask hop. For long `async` work that wants
 * to stay responsive. Allocates a promise per call.
 */
export function hostYield(): Promise<void> {
  const s = hostScheduler();
  if (s?.yield) return s.yield();
  const si = (globalThis as { setImmediate?: (cb: () => void) => unknown }).setImmediate;
  if (si) return new Promise((r) => void si(r));
  if (typeof globalThis.MessageChannel === 'function') {
    return new Promise((r) => {
      const ch = new MessageChannel();
      ch.port1.onmessage = () => {
        ch.port1.close();
        r();
      };
      ch.port2.postMessage(null);
    });
  }
  return new Promise((r) => setTimeout(r, 0));
}
