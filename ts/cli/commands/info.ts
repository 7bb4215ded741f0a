import { FramekitError } from '../../errors.js';
import { createFramekit } from '../../index.js';
import { backendOf } from '../common.js';
import type { Command } from '../command.js';
import { createGpuFramekit, wantsWebgpu } from '../webgpu.js';

export const info: Command = {
  name: 'info',
  usage: 'framekit info [--json] [--backend B] [--no-gpu]',
  summary: 'runtime, WASM SIMD or scalar, GPU adapter or none (--backend webgpu: an error when there is none)',
  options: {
    json: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    'no-gpu': { type: 'boolean', default: false },
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
    if (values.json)
      out.stdout(
        JSON.stringify({
          runtime: i.runtime,
          wasm: i.wasm,
          gpu: i.gpu,
          gpuFallback: i.gpuFallback,
          backend,
          simdSupported: i.simdSupported,
        }) + '\n',
      );
    else {
      out.stdout(`runtime   ${i.runtime}\n`);
      out.stdout(`wasm      ${i.wasm}${i.simdSupported ? '' : ' (this engine has no WebAssembly SIMD)'}\n`);
      out.stdout(`gpu       ${i.gpu ?? `none${i.gpuFallback ? ` (${i.gpuFallback})` : ''}`}\n`);
      out.stdout(`backend   ${backend}\n`);
    }
  },
};
