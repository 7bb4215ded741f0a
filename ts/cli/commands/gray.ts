import { FramekitError } from '../../errors.js';
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
    const dst = fk.allocPlane(src.width, src.height, 'gray');
    if (src.format === 'gray') {
      fk.heap.copyWithin(dst.ptr, src.ptr, src.ptr + src.stride * src.height);
      if (dst.stride !== src.stride) throw new FramekitError('E_STRIDE', 'internal: gray copy stride mismatch');
    } else fk.gray(dst, src);
    await writePlaneFile(fk, dst, output);
  },
};
