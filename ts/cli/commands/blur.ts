import { FramekitError } from '../../errors.js';
import type { Plane } from '../../index.js';
import { COMMON, type Command } from '../command.js';
import { checkPlaneFile, openImage, requireArg, writePlaneBytes, writePlaneFile } from '../common.js';
import { grayOnGpu, readGpuPlane, runPasses, wantsWebgpu, withGpu, type Encodable } from '../webgpu.js';
import { readImageFile } from '../../io/image.js';
import { gpuPlane } from '../../backends/webgpu/pass.js';
import { BlurPass } from '../../backends/webgpu/passes/blur.js';
import { GAUSSIAN_PASS_MAX_KSIZE, GaussianPass } from '../../backends/webgpu/passes/gaussian.js';
import { autoKsize } from '../../kernels/gaussian/coefficients.js';
import { gaussianPlan } from '../../kernels/gaussian/plan.js';
import { grayOf, intOption } from '../features.js';

export const blur: Command = {
  name: 'blur',
  usage: 'framekit blur IN --ksize K [--sigma S] -o OUT.{png,pgm,raw} [--backend B]',
  summary: "Gaussian blur of the image's luma, bit-exact with OpenCV GaussianBlur (BORDER_REFLECT_101)",
  options: { ...COMMON, ksize: { type: 'string' }, sigma: { type: 'string' } },
  async run(p, values) {
    const input = requireArg(p[0], 'input image (framekit blur IN --ksize K -o OUT)');
    const output = requireArg(values.output as string | undefined, 'output file (-o OUT)');
    const sigma = values.sigma === undefined ? 0 : Number(values.sigma);
    if (!Number.isFinite(sigma) || sigma < 0)
      throw new FramekitError('E_ARGUMENT', `--sigma must be a non-negative number, got ${JSON.stringify(values.sigma)}`);
    // ksize 0 with a sigma derives the size from it, as OpenCV does.
    const ksize = intOption(values, 'ksize', sigma > 0 ? 0 : 5, 0, 255);
    if (wantsWebgpu(values)) {
      // OpenCV's size for ksize 0 and its fixed-point kernel, as the WASM path takes them.
      const k = ksize === 0 && sigma > 0 ? autoKsize(sigma) : ksize;
      if (k < 1 || k % 2 === 0 || k > GAUSSIAN_PASS_MAX_KSIZE)
        throw new FramekitError('E_ARGUMENT', `--ksize must be odd, 1..${GAUSSIAN_PASS_MAX_KSIZE} (or 0 with --sigma), got ${ksize}`);
      checkPlaneFile('gray', output);
      const image = await readImageFile(input);
      const data = await withGpu(async (gpu) => {
        const passes: Encodable[] = [];
        const gray = grayOnGpu(gpu, image, passes);
        const dst = gpuPlane(gpu.pool, 'cli blur', gray.width, gray.height, 'gray');
        // The unrolled 5x5 pass for OpenCV's default kernel, the general one for the rest.
        if (k === 5 && sigma === 0) passes.push(new BlurPass(gpu.pool, dst, gray));
        else passes.push(new GaussianPass(gpu.pool, dst, gray, gaussianPlan(k, k, sigma, sigma).kx));
        await runPasses(gpu, passes);
        return readGpuPlane(gpu, dst);
      });
      await writePlaneBytes(output, image.width, image.height, 'gray', data);
      return;
    }
    const { fk, src } = await openImage(input, values, 2);
    const gray = grayOf(fk, src);
    const dst = fk.allocPlane(gray.width, gray.height, 'gray');
    fk.gaussianBlur(dst, gray, ksize, sigma);
    await writePlaneFile(fk, dst as Plane, output);
  },
};
