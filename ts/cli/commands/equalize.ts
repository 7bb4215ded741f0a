import type { Plane } from '../../index.js';
import { COMMON, type Command } from '../command.js';
import { openImage, requireArg, writePlaneFile } from '../common.js';
import { grayOf } from '../features.js';

export const equalize: Command = {
  name: 'equalize',
  usage: 'framekit equalize IN -o OUT.{png,pgm,raw} [--backend B]',
  summary: 'histogram equalisation of the luma, bit-exact with OpenCV equalizeHist',
  options: COMMON,
  async run(p, values) {
    const input = requireArg(p[0], 'input image (framekit equalize IN -o OUT)');
    const output = requireArg(values.output as string | undefined, 'output file (-o OUT)');
    const { fk, src } = await openImage(input, values, 2);
    const gray = grayOf(fk, src);
    const dst = fk.allocPlane(gray.width, gray.height, 'gray');
    fk.equalizeHist(dst, gray);
    await writePlaneFile(fk, dst as Plane, output);
  },
};
