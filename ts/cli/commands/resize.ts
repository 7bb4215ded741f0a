import { createFramekit, type Plane } from '../../index.js';
import { readImageFile } from '../../io/image.js';
import { COMMON, type Command } from '../command.js';
import { backendOf, requireArg, writePlaneFile } from '../common.js';
import { grayOf, intOption } from '../features.js';

export const resize: Command = {
  name: 'resize',
  usage: 'framekit resize IN --width W --height H [--area] -o OUT.{png,pgm,raw} [--backend B]',
  summary: "resize of the luma with OpenCV's INTER_LINEAR (or, with --area, INTER_AREA for integer factors) arithmetic",
  options: { ...COMMON, width: { type: 'string' }, height: { type: 'string' }, area: { type: 'boolean', default: false } },
  async run(p, values) {
    const input = requireArg(p[0], 'input image (framekit resize IN --width W --height H -o OUT)');
    const output = requireArg(values.output as string | undefined, 'output file (-o OUT)');
    requireArg(values.width === undefined || values.height === undefined ? undefined : 'ok', '--width and --height');
    const w = intOption(values, 'width', 1, 1, 1 << 15);
    const h = intOption(values, 'height', 1, 1, 1 << 15);
    const image = await readImageFile(input);
    // Room for the decoded image, its luma, the output and the kernel's tables and rows.
    const arenaBytes = image.width * image.height * 5 + w * h + 16 * (w + h) + (1 << 16);
    const fk = await createFramekit({ arenaBytes, backend: backendOf(values) });
    const src = fk.writePixels(fk.allocPlane(image.width, image.height, image.format), image.data);
    const gray = grayOf(fk, src);
    const dst = fk.allocPlane(w, h, 'gray');
    fk.resize(dst, gray, values.area ? 'area' : 'linear');
    await writePlaneFile(fk, dst as Plane, output);
  },
};
