import type { Plane } from '../../index.js';
import { COMMON, type Command } from '../command.js';
import { checkPlaneFile, openImage, requireArg, writePlaneBytes, writePlaneFile } from '../common.js';
import { grayOnGpu, readGpuPlane, runPasses, wantsWebgpu, withGpu, type Encodable } from '../webgpu.js';
import { readImageFile } from '../../io/image.js';
import { gpuPlane } from '../../backends/webgpu/pass.js';
import { SobelPass } from '../../backends/webgpu/passes/sobel.js';
import { DerivPass } from '../../backends/webgpu/passes/deriv.js';
import { derivPlan } from '../../kernels/sobel/kernels.js';
import { grayOf, intOption } from '../features.js';

export const sobel: Command = {
  name: 'sobel',
  usage: 'framekit sobel IN --dx 1 --dy 0 [--ksize 3] -o OUT.raw [--backend B]',
  summary: 'int16 derivative of the luma (little-endian .raw), bit-exact with OpenCV Sobel to CV_16S; --ksize -1 is Scharr',
  options: { ...COMMON, dx: { type: 'string' }, dy: { type: 'string' }, ksize: { type: 'string' } },
  async run(p, values) {
    const input = requireArg(p[0], 'input image (framekit sobel IN --dx 1 --dy 0 -o OUT.raw)');
    const output = requireArg(values.output as string | undefined, 'output file (-o OUT.raw)');
    const dx = intOption(values, 'dx', 1, 0, 3);
    const dy = intOption(values, 'dy', 0, 0, 3);
    const ksize = intOption(values, 'ksize', 3, -1, 31);
    if (wantsWebgpu(values)) {
      // The same checks, and the same kernels, as the WASM path.
      const { kx, ky } = derivPlan(dx, dy, ksize);
      checkPlaneFile('i16', output);
      const image = await readImageFile(input);
      const data = await withGpu(async (gpu) => {
        const passes: Encodable[] = [];
        const gray = grayOnGpu(gpu, image, passes);
        const dst = gpuPlane(gpu.pool, 'cli sobel', gray.width, gray.height, 'i16');
        // The 3-tap pass for ksize 1, 3 and Scharr, the general one for longer kernels.
        if (kx.length <= 3 && ky.length <= 3) passes.push(new SobelPass(gpu.pool, dst, gray, dx, dy, { kx, ky }));
        else passes.push(new DerivPass(gpu.pool, dst, gray, kx, ky));
        await runPasses(gpu, passes);
        return readGpuPlane(gpu, dst);
      });
      await writePlaneBytes(output, image.width, image.height, 'i16', data);
      return;
    }
    const { fk, src } = await openImage(input, values, 3);
    const gray = grayOf(fk, src);
    const dst = fk.allocPlane(gray.width, gray.height, 'i16');
    fk.sobel(dst, gray, dx, dy, ksize);
    await writePlaneFile(fk, dst as Plane, output);
  },
};
