import { FramekitError } from '../../errors.js';
import { createFramekit } from '../../index.js';
import { loadedModels } from '../../models/registry.js';
import { SafetensorsFile } from '../../models/safetensors/file.js';
import { backendOf } from '../common.js';
import type { Command } from '../command.js';
import { createGpuFramekit, wantsWebgpu } from '../webgpu.js';

export const info: Command = {
  name: 'info',
  usage: 'framekit info [--json] [--backend B] [--no-gpu] [--tensors FILE.safetensors]',
  summary:
    'runtime, WASM SIMD or scalar, GPU adapter or none (--backend webgpu: an error when there is none), the models loaded (--tensors: open a tensor file, header only)',
  options: {
    json: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    'no-gpu': { type: 'boolean', default: false },
    tensors: { type: 'string' },
  },
  async run(_p, values, out) {
    const webgpu = wantsWebgpu(values);
    if (webgpu && values['no-gpu']) throw new FramekitError('E_ARGUMENT', '--backend webgpu and --no-gpu contradict each other');
    const fk = webgpu
      ? await createGpuFramekit({ arenaBytes: 1 << 16 })
      : await createFramekit({ arenaBytes: 1 << 16, backend: backendOf(values), gpu: values['no-gpu'] ? 'off' : 'auto' });
    const i = fk.info();
    const backend = webgpu ? 'webgpu' : i.backend;
    fk.gpu?.device.destroy();
    // Model stages load on their first run, so in this process only a file named here is open.
    const file = typeof values.tensors === 'string' ? await SafetensorsFile.open(values.tensors) : null;
    const models = loadedModels();
    await file?.close();
    if (values.json)
      out.stdout(
        JSON.stringify({
          runtime: i.runtime,
          wasm: i.wasm,
          gpu: i.gpu,
          gpuFallback: i.gpuFallback,
          backend,
          simdSupported: i.simdSupported,
          models,
        }) + '\n',
      );
    else {
      out.stdout(`runtime   ${i.runtime}\n`);
      out.stdout(`wasm      ${i.wasm}${i.simdSupported ? '' : ' (this engine has no WebAssembly SIMD)'}\n`);
      out.stdout(`gpu       ${i.gpu ?? `none${i.gpuFallback ? ` (${i.gpuFallback})` : ''}`}\n`);
      out.stdout(`backend   ${backend}\n`);
      if (!models.length) out.stdout('models    none loaded (a model stage loads its model on its first run)\n');
      for (const m of models) {
        const t = m.tensors === undefined ? '' : `, ${m.tensorsLoaded} of ${m.tensors} tensors read`;
        out.stdout(`models    ${m.name} (${m.kind} via ${m.via}): ${m.bytesRead} of ${m.bytes} bytes read${t}\n`);
      }
    }
  },
};
