// The built model stages (dist/) under Node, imported by the package's names as users do:
// 'framekit' for the core, 'framekit/models' for the stages; onnxruntime-node is installed here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createFramekit, readImageFile, Scheduler } from 'framekit';
import { FaceStage, facesOf, VadStage, VAD_WINDOW } from 'framekit/models';

const root = new URL('../../', import.meta.url).pathname;
const fixture = (n) => join(root, 'test/fixtures', n);

test('face stage on a pooled frame: one face attached, at the astronaut', async () => {
  const img = await readImageFile(fixture('astronaut.png'));
  const fk = await createFramekit({ arenaBytes: 16 << 20 });
  const stage = new FaceStage(fk, { scheduler: new Scheduler() });
  const pool = fk.createPool({ width: img.width, height: img.height, format: 'rgba', size: 2 });
  const frame = pool.acquire(0);
  frame.data.set(img.data);
  stage.push(frame);
  await stage.idle();
  await new Promise((r) => setTimeout(r, 0));
  const faces = facesOf(frame);
  assert.equal(faces.faces.length, 1);
  const f = faces.faces[0];
  assert.ok(Math.hypot(f.x + f.width / 2 - 225.5, f.y + f.height / 2 - 127.5) < 6);
  assert.equal(stage.info.runtime, 'onnxruntime-node');
  frame.release();
  await stage.dispose();
});

test('VAD stage finds both sentences of the speech fixture', async () => {
  const b = readFileSync(fixture('speech-vad.wav'));
  const data = b.subarray(b.indexOf('data') + 8);
  const n = data.length >> 1;
  const samples = new Float32Array(n);
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < n; i++) samples[i] = v.getInt16(2 * i, true) / 32768;
  const vad = new VadStage({ scheduler: new Scheduler(), queue: 1024 });
  for (let w = 0; (w + 1) * VAD_WINDOW <= n; w++) vad.push(samples.subarray(w * VAD_WINDOW, (w + 1) * VAD_WINDOW));
  await vad.flush();
  assert.equal(vad.segments.length, 2);
  assert.ok(Math.abs(vad.segments[0].start - 1.0) < 0.25 && Math.abs(vad.segments[1].end - 9.235) < 0.25);
  await vad.dispose();
});
