// Model stages read nothing until they first run: the model's bytes are fetched by the first
// scheduler task (never by the constructor or push), once, and `loadedModels()` (what `framekit info`
// lists) shows the session from then until dispose.
import { expect, test } from 'bun:test';
import { readFile } from 'node:fs/promises';
import { createFramekit, Scheduler } from '../../ts/index.js';
import { blazeFaceModelPath, FaceStage } from '../../ts/models/blazeface/stage.js';
import { loadedModels } from '../../ts/models/registry.js';
import { sileroModelPath, VadStage } from '../../ts/models/silero/vad.js';

const fk = await createFramekit({ arenaBytes: 16 << 20 });

test('face stage: no read at construction or before its first task; one read, listed while loaded', async () => {
  const bytes = new Uint8Array(await readFile(await blazeFaceModelPath('front')));
  let reads = 0;
  const scheduler = new Scheduler({ host: 'manual' });
  const stage = new FaceStage(fk, {
    scheduler,
    model: async () => {
      reads++;
      return bytes;
    },
  });
  const pool = fk.createPool({ width: 64, height: 48, format: 'rgba', size: 2 });
  const frame = pool.acquire(0);
  stage.push(frame);
  // Pushed but the scheduler has not run the task: still nothing read.
  expect(reads).toBe(0);
  expect(stage.info).toBeNull();
  expect(loadedModels().some((m) => m.name === 'blazeface-front')).toBe(false);
  while (stage.busy) {
    scheduler.runSlice();
    await new Promise((r) => setTimeout(r, 1));
  }
  expect(reads).toBe(1);
  const listed = loadedModels().filter((m) => m.name === 'blazeface-front');
  expect(listed).toEqual([
    { kind: 'onnx', name: 'blazeface-front', bytes: bytes.length, bytesRead: bytes.length, via: stage.info!.runtime },
  ]);
  frame.release();
  const again = pool.acquire(1);
  stage.push(again);
  while (stage.busy) {
    scheduler.runSlice();
    await new Promise((r) => setTimeout(r, 1));
  }
  expect(reads).toBe(1); // loaded once
  again.release();
  await stage.dispose();
  expect(loadedModels().some((m) => m.name === 'blazeface-front')).toBe(false);
}, 60_000);

test('voice-activity stage: nothing read until load', async () => {
  const bytes = new Uint8Array(await readFile(await sileroModelPath()));
  let reads = 0;
  const vad = new VadStage({
    scheduler: new Scheduler(),
    model: async () => {
      reads++;
      return bytes;
    },
  });
  expect(reads).toBe(0);
  expect(loadedModels().some((m) => m.name === 'silero-vad-v5')).toBe(false);
  await vad.model.load();
  expect(reads).toBe(1);
  expect(loadedModels().find((m) => m.name === 'silero-vad-v5')?.bytes).toBe(bytes.length);
  await vad.model.dispose();
  expect(loadedModels().some((m) => m.name === 'silero-vad-v5')).toBe(false);
}, 60_000);

test('a model session turns ONNX Runtime spinning off unless the options name `extra`', async () => {
  const { ModelSession } = await import('../../ts/models/session.js');
  const seen: unknown[] = [];
  const ort = {
    Tensor: class {},
    InferenceSession: {
      async create(_bytes: Uint8Array, options?: { extra?: { session?: Record<string, unknown> } }) {
        seen.push(structuredClone(options));
        // onnxruntime-node adds a config entry of its own to the `extra` it is given.
        if (options?.extra) (options.extra.session ??= {}).use_ort_model_bytes_directly = '1';
        throw new Error('not a model');
      },
    },
  } as unknown as import('../../ts/models/ort.js').OrtModule;
  const bytes = new Uint8Array([1, 2, 3]);
  const mine = { session: { intra_op: { allow_spinning: '1' } } };
  for (const sessionOptions of [undefined, { intraOpNumThreads: 1 }, { extra: structuredClone(mine) }]) {
    const s = new ModelSession('fake', bytes, [], [], { ort, sessionOptions });
    const e = (await s.load().catch((x: unknown) => x)) as { code?: string };
    expect(e.code).toBe('E_MODEL');
  }
  const off = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
  expect(seen).toEqual([
    { logSeverityLevel: 3, extra: off },
    { logSeverityLevel: 3, extra: off, intraOpNumThreads: 1 },
    { logSeverityLevel: 3, extra: mine },
  ]);
});
