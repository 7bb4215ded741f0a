import { COMMON, type Command } from '../command.js';
import { openImage, requireArg } from '../common.js';
import { grayOf, intOption, orbOf } from '../features.js';

export const orb: Command = {
  name: 'orb',
  usage: 'framekit orb IN [--features N] [--json] [--backend B]',
  summary: 'ORB keypoints and 256-bit descriptors, as OpenCV ORB(N) with its defaults',
  options: { ...COMMON, features: { type: 'string' } },
  async run(p, values, out) {
    const input = requireArg(p[0], 'input image (framekit orb IN --features N)');
    const features = intOption(values, 'features', 500, 1, 1 << 20);
    // Gray plane, the pyramid's levels (about 2.3x the frame) and FAST's candidate list (3 bytes a pixel).
    const { fk, src } = await openImage(input, values, 8);
    const gray = grayOf(fk, src);
    const { kps, desc } = orbOf(fk, gray, features);
    if (values.json) {
      const keypoints = kps.toArray().map(({ x, y, angle, octave, size, response }) => ({ x, y, angle, octave, size, response }));
      const descriptors = Array.from({ length: desc.count }, (_, i) => desc.hex(i));
      out.stdout(JSON.stringify({ keypoints, descriptors }) + '\n');
    } else {
      out.stdout(`${kps.count} ORB keypoints in ${gray.width}x${gray.height}\n`);
      for (let i = 0; i < kps.count; i++) {
        out.stdout(
          `${kps.x[i]!.toFixed(2)} ${kps.y[i]!.toFixed(2)} angle ${kps.angle[i]!.toFixed(2)} octave ${kps.octave[i]} ${desc.hex(i)}\n`,
        );
      }
    }
  },
};
