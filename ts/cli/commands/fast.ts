import type { Keypoints } from '../../index.js';
import { readImageFile } from '../../io/image.js';
import { COMMON, type Command, type Output } from '../command.js';
import { openImage, requireArg } from '../common.js';
import { grayOf, intOption } from '../features.js';
import { fastOnGpu, grayOnGpu, wantsWebgpu, withGpu, type Encodable } from '../webgpu.js';

type Corners = Pick<Keypoints, 'count'> & { x: ArrayLike<number>; y: ArrayLike<number>; response: ArrayLike<number> };

function print(out: Output, json: boolean, kps: Corners, width: number, height: number, threshold: number, nonmax: boolean): void {
  if (json) {
    const keypoints = [];
    for (let i = 0; i < kps.count; i++) keypoints.push({ x: kps.x[i]!, y: kps.y[i]!, response: kps.response[i]! });
    out.stdout(JSON.stringify({ width, height, keypoints }) + '\n');
  } else {
    out.stdout(`${kps.count} corners (threshold ${threshold}, ${nonmax ? 'with' : 'without'} suppression) in ${width}x${height}\n`);
    for (let i = 0; i < kps.count; i++) out.stdout(`${kps.x[i]} ${kps.y[i]} ${kps.response[i]}\n`);
  }
}

export const fast: Command = {
  name: 'fast',
  usage: 'framekit fast IN [--threshold T] [--no-nms] [--json] [--backend B]',
  summary: 'FAST-9 corners, the keypoints and scores of OpenCV FastFeatureDetector (TYPE_9_16)',
  options: { ...COMMON, threshold: { type: 'string' }, 'no-nms': { type: 'boolean', default: false } },
  async run(p, values, out) {
    const input = requireArg(p[0], 'input image (framekit fast IN --threshold T)');
    const threshold = intOption(values, 'threshold', 10, 0, 255);
    const nonmax = !values['no-nms'];
    if (wantsWebgpu(values)) {
      const image = await readImageFile(input);
      const kps = await withGpu(async (gpu) => {
        const passes: Encodable[] = [];
        const gray = grayOnGpu(gpu, image, passes);
        return fastOnGpu(gpu, gray, passes, { threshold, nonmax });
      });
      print(out, !!values.json, { ...kps, count: kps.x.length }, image.width, image.height, threshold, nonmax);
      return;
    }
    // Room for the gray plane and a keypoint list as long as a quarter of the pixels (24 bytes each),
    // or, if the corners outnumber that, one as long as every pixel.
    const { fk, src } = await openImage(input, values, 1 + 24 + 8);
    const gray = grayOf(fk, src);
    let kps: Keypoints = fk.allocKeypoints(Math.max(1024, (gray.width * gray.height) >> 2));
    fk.fast(kps, gray, { threshold, nonmax });
    if (kps.found > kps.count) {
      const need = kps.found;
      fk.arena.free(kps.region);
      kps = fk.fast(fk.allocKeypoints(need), gray, { threshold, nonmax });
    }
    print(out, !!values.json, kps, gray.width, gray.height, threshold, nonmax);
  },
};
