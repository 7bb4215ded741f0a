import { createFramekit } from '../../index.js';
import { backendOf } from '../common.js';
import type { Command } from '../command.js';

export const info: Command = {
  name: 'info',
  usage: 'framekit info [--json] [--backend B] [--no-gpu]',
  summary: 'runtime, WASM SIMD or scalar, GPU adapter or none',
  options: {
    json: { type: 'boolean', default: false },
    backend: { type: 'string', default: 'auto' },
    'no-gpu': { type: 'boolean', default: false },
  },
  async run(_p, values, out) {
    const fk = await createFramekit({ arenaBytes: 1 << 16, backend: backendOf(values), gpu: values['no-gpu'] ? 'off' : 'auto' });
    const i = fk.info();
    if (values.json)
      out.stdout(
        JSON.stringify({
          runtime: i.runtime,
          wasm: i.wasm,
          gpu: i.gpu,
          gpuFallback: i.gpuFallback,
          backend: i.backend,
          simdSupported: i.simdSupported,
        }) + '\n',
      );
    else {
      out.stdout(`runtime   ${i.runtime}\n`);
      out.stdout(`wasm      ${i.wasm}${i.simdSupported ? '' : ' (this engine has no WebAssembly SIMD)'}\n`);
      out.stdout(`gpu       ${i.gpu ?? `none${i.gpuFallback ? ` (${i.gpuFallback})` : ''}`}\n`);
      out.stdout(`backend   ${i.backend}\n`);
    }
  },
};
