// WebGPU through Dawn (the optional `webgpu` package) under Node, from the built package: on these
// machines Mesa's llvmpipe through OpenGL ES.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createFramekit, decodeImage } from 'framekit';

const list = (k) => Array.from({ length: k.count }, (_, i) => `${k.octave[i]},${k.y[i]},${k.x[i]},${k.response[i]}`).join(';');

test('Dawn under Node: the keypoint chain on a photograph equals its WASM twin', async () => {
  const img = decodeImage(readFileSync(new URL('../fixtures/coffee.png', import.meta.url)));
  const fk = await createFramekit({ maxWidth: img.width, maxHeight: img.height, frames: 4, scratchBytes: 16 << 20, gpu: 'require' });
  assert.ok(fk.info().gpu, JSON.stringify(fk.info()));
  const rgba = fk.writePixels(fk.allocPlane(img.width, img.height, 'rgba'), img.data);
  const chain = await fk.createKeypointChain({
    width: img.width,
    height: img.height,
    format: 'rgba',
    levels: 3,
    threshold: 20,
    capacity: 1 << 16,
  });
  const out = chain.createOutput();
  await chain.run(out, rgba);
  assert.equal(out.where, 'webgpu');
  const cpu = fk.allocKeypoints(1 << 16);
  chain.runCpu(cpu, rgba);
  assert.ok(cpu.count > 100);
  assert.equal(list(out.keypoints), list(cpu));
  await chain.destroy();
});
