/**
 * saturate (spec §4.3). No random draws.
 * Per pixel: skimage rgb2hsv, S ← clip(S·a + b, 0, 1), hsv2rgb (P6); stored floor(255·clip).
 * Grey pixels (S = 0, H = 0) turn reddish when b > 0 (severities 4, 5), as in the reference.
 */
import { mapHsv } from './brightness.js';
import { paramsFor } from './params.js';
import type { Corruption } from './types.js';

export const saturate: Corruption = {
  name: 'saturate',
  apply(image, _draws, severity) {
    const { scale, shift } = paramsFor('saturate', severity);
    return mapHsv(image.data, image.height * image.width, (hsv) => {
      const s = hsv[1]! * scale + shift;
      hsv[1] = s < 0 ? 0 : s > 1 ? 1 : s;
    });
  },
};
