/**
 * gaussian_blur (spec §4.1). No random draws.
 * skimage gaussian(u/255, σ, multichannel) — edge mode, truncate 4 (P1) — stored floor(255·clip).
 * Per pixel: separable taps, 9 per axis at severity 5.
 */
import { paramsFor } from './params.js';
import { gaussianFilterChannels } from './primitives/gaussian-filter.js';
import { bytesToUnit, storeUnitAll } from './quantize.js';
import type { Corruption } from './types.js';

export const gaussianBlur: Corruption = {
  name: 'gaussian_blur',
  apply(image, _draws, severity) {
    const { sigma } = paramsFor('gaussian_blur', severity);
    const blurred = gaussianFilterChannels(bytesToUnit(image.data), image.height, image.width, sigma, 'edge', 4);
    return storeUnitAll(blurred);
  },
};
