import { FramekitError } from '../../errors.js';
import type { Plane } from '../../index.js';
import { COMMON, type Command } from '../command.js';
import { openImage, requireArg, writePlaneFile } from '../common.js';
import { grayOf, intOption } from '../features.js';

export const blur: Command = {
  name: 'blur',
  usage: 'framekit blur IN --ksize K [--sigma S] -o OUT.{png,pgm,raw} [--backend B]',
  summary: "Gaussian blur of the image's luma, bit-exact with OpenCV GaussianBlur (BORDER_REFLECT_101)",
  options: { ...COMMON, ksize: { type: 'string' }, sigma: { type: 'string' } },
  async run(p, values) {
    const input = requireArg(p[0], 'input image (framekit blur IN --ksize K -o OUT)');
    const output = requireArg(values.output as string | undefined, 'output file (-o OUT)');
    const sigma = values.sigma === undefined ? 0 : Number(values.sigma);
    if (!Number.isFinite(sigma) || sigma < 0)
      throw new FramekitError('E_ARGUMENT', `--sigma must be a non-negative number, got ${JSON.stringify(values.sigma)}`);
    // ksize 0 with a sigma derives the size from it, as OpenCV does.
    const ksize = intOption(values, 'ksize', sigma > 0 ? 0 : 5, 0, 255);
    const { fk, src } = await openImage(input, values, 2);
    const gray = grayOf(fk, src);
    const dst = fk.allocPlane(gray.width, gray.height, 'gray');
    fk.gaussianBlur(dst, gray, ksize, sigma);
    await writePlaneFile(fk, dst as Plane, output);
  },
};
