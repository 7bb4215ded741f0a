import type { Plane } from '../../index.js';
import { COMMON, type Command } from '../command.js';
import { checkPlaneFile, openImage, requireArg, writePlaneBytes, writePlaneFile } from '../common.js';
import { grayOnGpu, readGpuPlane, runPasses, wantsWebgpu, withGpu, type Encodable } from '../webgpu.js';
import { readImageFile } from '../../io/image.js';
import { gpuPlane } from '../../backends/webgpu/pass.js';
import { PyrDownPass, pyrDownSize } from '../../backends/webgpu/passes/pyrdown.js';
import { grayOf } from '../features.js';

export const pyrdown: Command = {
  name: 'pyrdown',
  usage: 'framekit pyrdown IN -o OUT.{png,pgm,raw} [--backend B]',
  summary: 'one pyramid level down of the luma, ((w + 1) / 2, (h + 1) / 2), bit-exact with OpenCV pyrDown',
  options: COMMON,
  async run(p, values) {
    const input = requireArg(p[0], 'input image (framekit pyrdown IN -o OUT)');
    const output = requireArg(values.output as string | undefined, 'output file (-o OUT)');
    if (wantsWebgpu(values)) {
      checkPlaneFile('gray', output);
      const image = await readImageFile(input);
      const [w, h] = pyrDownSize(image.width, image.height);
      const data = await withGpu(async (gpu) => {
        const passes: Encodable[] = [];
        const gray = grayOnGpu(gpu, image, passes);
        const dst = gpuPlane(gpu.pool, 'cli pyrdown', w, h, 'gray');
        passes.push(new PyrDownPass(gpu.pool, dst, gray));
        await runPasses(gpu, passes);
        return readGpuPlane(gpu, dst);
      });
      await writePlaneBytes(output, w, h, 'gray', data);
      return;
    }
    const { fk, src } = await openImage(input, values, 2);
    const gray = grayOf(fk, src);
    const dst = fk.allocPlane((gray.width + 1) >> 1, (gray.height + 1) >> 1, 'gray');
    fk.pyrDown(dst, gray);
    await writePlaneFile(fk, dst as Plane, output);
  },
};
