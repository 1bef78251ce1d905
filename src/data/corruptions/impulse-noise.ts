/**
 * impulse_noise (spec §4.4): skimage random_noise(mode='s&p', amount=p): each element is replaced
 * with probability p, by 1 (salt) or 0 (pepper) with probability ½ each; stored floor(255·v).
 * Draw layout: stream 0, uniform e for element e = c·H·W + y·W + x: u < p/2 → salt,
 * p/2 ≤ u < p → pepper, else unchanged (one uniform instead of skimage's two Bernoulli arrays; same
 * distribution).
 */
import { paramsFor } from './params.js';
import type { Corruption } from './types.js';

export const impulseNoise: Corruption = {
  name: 'impulse_noise',
  apply(image, draws, severity) {
    const { amount } = paramsFor('impulse_noise', severity);
    const out = new Uint8Array(image.data.length);
    for (let e = 0; e < out.length; e++) {
      const u = draws.uniform(0, e);
      out[e] = u < amount / 2 ? 255 : u < amount ? 0 : image.data[e]!;
    }
    return out;
  },
};
