import { blurStripe } from './blur/stripe.js';
import { fastStripe } from './fast/stripe.js';
import { grayCopyStripe, grayStripe } from './gray/stripe.js';
import { lkStripe } from './lk/stripe.js';
import type { StripeKernel } from './stripe.js';
import { warpPerspectiveStripe } from './warp/stripe.js';

export { blurStripeScratch } from './blur/stripe.js';
export { arg, type StripeContext, type StripeKernel } from './stripe.js';

/** Kernel ids, as the control block names them. The table below is the one list of stripe kernels. */
export const STRIPE_KERNEL_IDS = {
  gray_rgba: 0,
  gray_bgra: 1,
  gray_rgb: 2,
  gray_bgr: 3,
  gaussian_blur: 4,
  fast9: 5,
  lk: 6,
  gray_gray: 7,
  warp_perspective: 8,
} as const;
export type StripeKernelName = keyof typeof STRIPE_KERNEL_IDS;

export const STRIPE_KERNELS: readonly StripeKernel[] = [
  grayStripe('gray_rgba'),
  grayStripe('gray_bgra'),
  grayStripe('gray_rgb'),
  grayStripe('gray_bgr'),
  blurStripe,
  fastStripe,
  lkStripe,
  grayCopyStripe,
  warpPerspectiveStripe,
];
