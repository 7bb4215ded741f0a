import { FramekitError } from '../../errors.js';
import { createFramekit } from '../../index.js';
import { readImageFile } from '../../io/image.js';
import { COMMON, type Command } from '../command.js';
import { backendOf, requireArg } from '../common.js';
import { registerPair } from '../../features/register.js';
import { grayOf, intOption } from '../features.js';

export const match: Command = {
  name: 'match',
  usage: 'framekit match A B [--features N] [--json] [--backend B]',
  summary:
    "ORB matching (Hamming, cross-checked) and a RANSAC homography (PROSAC, LO, MSAC) mapping A's points into B, refitted on points refined by aligning image windows",
  options: { ...COMMON, features: { type: 'string' } },
  async run(p, values, out) {
    const [pathA, pathB] = [requireArg(p[0], 'first image (framekit match A B)'), requireArg(p[1], 'second image (framekit match A B)')];
    const features = intOption(values, 'features', 500, 1, 1 << 20);
    const [a, b] = [await readImageFile(pathA), await readImageFile(pathB)];
    const px = Math.max(a.width * a.height, b.width * b.height);
    const fk = await createFramekit({
      arenaBytes: (a.width * a.height + b.width * b.height) * 6 + px * 8 + features * 512 + (4 << 20),
      backend: backendOf(values),
    });
    const [ga, gb] = [a, b].map((img) => grayOf(fk, fk.writePixels(fk.allocPlane(img.width, img.height, img.format), img.data)));
    const r = registerPair(fk, ga!, gb!, features);
    const { matches, homography: h } = r;
    const [A, B] = [r.a, r.b];
    const n = matches.count;
    const list = Array.from({ length: n }, (_, k) => [matches.queryIdx[k]!, matches.trainIdx[k]!, matches.distance[k]!]);
    const homography = h.homography ? Array.from(h.homography) : null;
    if (!Number.isFinite(h.inliers)) throw new FramekitError('E_STATE', 'findHomography returned no inlier count');
    if (values.json) {
      out.stdout(
        JSON.stringify(
          homography
            ? { matches: list, homography, inliers: h.inliers }
            : { matches: list, homography: null, reason: h.reason, inliers: 0 },
        ) + '\n',
      );
    } else {
      out.stdout(`${A.kps.count} and ${B.kps.count} ORB keypoints, ${n} cross-checked matches\n`);
      if (homography) out.stdout(`homography (${h.inliers} inliers): ${homography.map((v) => v.toPrecision(6)).join(' ')}\n`);
      else out.stdout(`no homography: ${h.reason}\n`);
    }
  },
};
