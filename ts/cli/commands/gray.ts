import { COMMON, type Command } from '../command.js';
import { openImage, requireArg, writePlaneFile } from '../common.js';

export const gray: Command = {
  name: 'gray',
  usage: 'framekit gray IN -o OUT.{png,pgm,raw} [--backend B]',
  summary: 'RGB(A) to 8-bit luma, bit-exact with OpenCV cvtColor',
  options: COMMON,
  async run(p, values) {
    const input = requireArg(p[0], 'input image (framekit gray IN -o OUT)');
    const output = requireArg(values.output as string | undefined, 'output file (-o OUT)');
    const { fk, src } = await openImage(input, values, 1);
    // A gray input is its own luma: written as it is, no kernel and no copy.
    const dst = src.format === 'gray' ? src : fk.allocPlane(src.width, src.height, 'gray');
    if (dst !== src) fk.gray(dst, src);
    await writePlaneFile(fk, dst, output);
  },
};
