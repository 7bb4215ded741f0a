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
