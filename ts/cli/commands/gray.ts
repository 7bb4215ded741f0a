import { COMMON, type Command } from '../command.js';
import { checkPlaneFile, openImage, requireArg, writePlaneBytes, writePlaneFile } from '../common.js';
import { grayOnGpu, readGpuPlane, runPasses, wantsWebgpu, withGpu, type Encodable } from '../webgpu.js';
import { readImageFile } from '../../io/image.js';

export const gray: Command = {
  name: 'gray',
  usage: 'framekit gray IN -o OUT.{png,pgm,raw} [--backend B]',
  summary: 'RGB(A) to 8-bit luma, bit-exact with OpenCV cvtColor',
  options: COMMON,
  async run(p, values) {
    const input = requireArg(p[0], 'input image (framekit gray IN -o OUT)');
    const output = requireArg(values.output as string | undefined, 'output file (-o OUT)');
    if (wantsWebgpu(values)) {
      checkPlaneFile('gray', output);
      const image = await readImageFile(input);
      const data = await withGpu(async (gpu) => {
        const passes: Encodable[] = [];
        const gray = grayOnGpu(gpu, image, passes);
        await runPasses(gpu, passes);
        return readGpuPlane(gpu, gray);
      });
      await writePlaneBytes(output, image.width, image.height, 'gray', data);
      return;
    }
    const { fk, src } = await openImage(input, values, 1);
    // A gray input is its own luma: written as it is, no kernel and no copy.
    const dst = src.format === 'gray' ? src : fk.allocPlane(src.width, src.height, 'gray');
    if (dst !== src) fk.gray(dst, src);
    await writePlaneFile(fk, dst, output);
  },
};
