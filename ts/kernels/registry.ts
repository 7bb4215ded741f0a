import type { KernelBackend } from './backend.js';
import { bindGray } from './gray/index.js';
import { bindPlaneSum } from './plane-sum/index.js';
import { bindGaussian } from './gaussian/index.js';
import { bindBox } from './box/index.js';
import { bindPyrDown } from './pyrdown/index.js';
import { bindSobel } from './sobel/index.js';
import { bindIntegral } from './integral/index.js';
import { bindHistogram } from './histogram/index.js';
import { bindYuv } from './yuv/index.js';
import { bindResize } from './resize/index.js';
import { bindWarp } from './warp/index.js';
import { bindFast } from './fast/index.js';
import { bindCornerResponse } from './corners/index.js';
import { bindLk } from './lk/index.js';
import { bindHamming } from './match/index.js';
import { bindOrb } from './orb/index.js';
import { bindHomography } from './homography/index.js';
import { bindPose } from './pose/index.js';
import { bindTensorPrep } from './tensor-prep/index.js';
import { bindMel } from './mel/index.js';
import { bindResample } from './resample/index.js';

/** Every kernel framekit has, bound once to the backend chosen at start. */
export function bindKernels(b: KernelBackend) {
  return {
    gray: bindGray(b),
    planeSum: bindPlaneSum(b),
    gaussian: bindGaussian(b),
    box: bindBox(b),
    pyrDown: bindPyrDown(b),
    sobel: bindSobel(b),
    integral: bindIntegral(b),
    histogram: bindHistogram(b),
    yuv: bindYuv(b),
    resize: bindResize(b),
    warp: bindWarp(b),
    fast: bindFast(b),
    cornerResponse: bindCornerResponse(b),
    lk: bindLk(b),
    hamming: bindHamming(b),
    orb: bindOrb(b),
    homography: bindHomography(b),
    pose: bindPose(b),
    tensorPrep: bindTensorPrep(b),
    mel: bindMel(b),
    resample: bindResample(b),
  };
}

export type Kernels = ReturnType<typeof bindKernels>;
