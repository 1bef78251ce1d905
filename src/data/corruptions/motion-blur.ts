/**
 * motion_blur (spec §3.3): ImageMagick motion blur (P3) of the 8-bit image with (radius, σ) from
 * the table and a random angle; the result is 8-bit already.
 *
 * Draw layout: stream 0, uniform 0: angle = −45 + 90·u degrees (numpy uniform(−45, 45)).
 * Per pixel: ≤ 19 edge-clamped taps along the direction, then the Q16 → 8-bit rounding.
 */
import { paramsFor } from './params.js';
import { motionBlurBytes, motionBlurKernel } from './primitives/motion-blur-kernel.js';
import type { Corruption } from './types.js';

export const motionBlur: Corruption = {
  name: 'motion_blur',
  apply(image, draws, severity) {
    const { radius, sigma } = paramsFor('motion_blur', severity);
    const angle = draws.uniformIn(0, 0, -45, 45);
    return motionBlurBytes(image.data, image.height, image.width, motionBlurKernel(radius, sigma, angle));
  },
};
