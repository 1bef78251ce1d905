/**
 * speckle_noise (spec §4.4): out = floor(255·clip(v + v·(σ·N(0, 1)))), v = u/255.
 * Draw layout: stream 0, normal e for element e = c·H·W + y·W + x (as gaussian_noise).
 */
import { paramsFor } from './params.js';
import { storeUnit } from './quantize.js';
import type { Corruption } from './types.js';

export const speckleNoise: Corruption = {
  name: 'speckle_noise',
  apply(image, draws, severity) {
    const { sigma } = paramsFor('speckle_noise', severity);
    const out = new Uint8Array(image.data.length);
    for (let e = 0; e < out.length; e++) {
      const v = image.data[e]! / 255;
      out[e] = storeUnit(v + v * (sigma * draws.normal(0, e)));
    }
    return out;
  },
};
