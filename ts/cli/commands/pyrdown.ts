import type { Plane } from '../../index.js';
import { COMMON, type Command } from '../command.js';
import { openImage, requireArg, writePlaneFile } from '../common.js';
import { grayOf } from '../features.js';

export const pyrdown: Command = {
  name: 'pyrdown',
  usage: 'framekit pyrdown IN -o OUT.{png,pgm,raw} [--backend B]',
  summary: 'one pyramid level down of the luma, ((w + 1) / 2, (h + 1) / 2), bit-exact with OpenCV pyrDown',
  options: COMMON,
  async run(p, values) {
    const input = requireArg(p[0], 'input image (framekit pyrdown IN -o OUT)');
    const output = requireArg(values.output as string | undefined, 'output file (-o OUT)');
    const { fk, src } = await openImage(input, values, 2);
    const gray = grayOf(fk, src);
    const dst = fk.allocPlane((gray.width + 1) >> 1, (gray.height + 1) >> 1, 'gray');
    fk.pyrDown(dst, gray);
    await writePlaneFile(fk, dst as Plane, output);
  },
};
