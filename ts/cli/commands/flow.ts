import { FramekitError } from '../../errors.js';
import { createFramekit } from '../../index.js';
import { readImageFile } from '../../io/image.js';
import { readPoints } from '../../io/points.js';
import { COMMON, type Command } from '../command.js';
import { backendOf, requireArg } from '../common.js';
import { grayOf, intOption } from '../features.js';

export const flow: Command = {
  name: 'flow',
  usage: 'framekit flow A B [--points FILE.json] [--win 21] [--levels 3] [--json] [--backend B]',
  summary: 'pyramidal Lucas-Kanade from A to B (OpenCV calcOpticalFlowPyrLK); FAST corners of A without --points',
  options: { ...COMMON, points: { type: 'string' }, win: { type: 'string' }, levels: { type: 'string' } },
  async run(p, values, out) {
    const [pathA, pathB] = [requireArg(p[0], 'first image (framekit flow A B)'), requireArg(p[1], 'second image (framekit flow A B)')];
    const win = intOption(values, 'win', 21, 3, 64);
    const levels = intOption(values, 'levels', 3, 0, 16);
    const [a, b] = [await readImageFile(pathA), await readImageFile(pathB)];
    if (a.width !== b.width || a.height !== b.height) {
      throw new FramekitError('E_DIMENSION', `A is ${a.width}x${a.height}, B is ${b.width}x${b.height}: flow needs images of one size`);
    }
    const px = a.width * a.height;
    const given = typeof values.points === 'string' ? await readPoints(values.points) : null;
    const fk = await createFramekit({ arenaBytes: px * 48 + (given?.length ?? 0) * 16 + (4 << 20), backend: backendOf(values) });
    const [ga, gb] = [a, b].map((img) => grayOf(fk, fk.writePixels(fk.allocPlane(img.width, img.height, img.format), img.data)));
    let xy = given;
    if (!xy) {
      const kps = fk.fast(fk.allocKeypoints(Math.max(1024, px >> 4)), ga!, { threshold: 20 });
      xy = [];
      for (let i = 0; i < kps.count; i++) xy.push(kps.x[i]!, kps.y[i]!);
    }
    const o = { win, maxLevel: levels };
    const prev = fk.buildFlowPyramid(fk.allocFlowPyramid(a.width, a.height, o), ga!);
    const next = fk.buildFlowPyramid(fk.allocFlowPyramid(a.width, a.height, { ...o, derivatives: false }), gb!);
    const pts = fk.allocFlowPoints(Math.max(1, xy.length >> 1)).setPrev(xy);
    fk.opticalFlow(pts, prev, next);
    const points = [];
    for (let i = 0; i < pts.count; i++) {
      const ok = pts.status[i] === 1;
      points.push({
        x0: xy[2 * i]!,
        y0: xy[2 * i + 1]!,
        x: ok ? pts.next[2 * i]! : null,
        y: ok ? pts.next[2 * i + 1]! : null,
        status: pts.status[i]!,
        err: ok ? pts.err[i]! : null,
      });
    }
    if (values.json) out.stdout(JSON.stringify({ points }) + '\n');
    else {
      const tracked = points.filter((q) => q.status === 1).length;
      out.stdout(`${tracked} of ${points.length} points tracked (window ${win}, ${prev.maxLevel} levels above the base)\n`);
      for (const q of points)
        out.stdout(`${q.x0} ${q.y0} -> ${q.status ? `${q.x!.toFixed(3)} ${q.y!.toFixed(3)} err ${q.err!.toFixed(3)}` : 'lost'}\n`);
    }
  },
};
