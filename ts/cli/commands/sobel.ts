import type { Plane } from '../../index.js';
import { COMMON, type Command } from '../command.js';
import { openImage, requireArg, writePlaneFile } from '../common.js';
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
    const { fk, src } = await openImage(input, values, 3);
    const gray = grayOf(fk, src);
    const dst = fk.allocPlane(gray.width, gray.height, 'i16');
    fk.sobel(dst, gray, dx, dy, ksize);
    await writePlaneFile(fk, dst as Plane, output);
  },
};
