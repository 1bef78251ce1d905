/**
 * shot_noise (spec §4.4): out = floor(255·clip(Poisson(v·c)/c)), v = u/255.
 * Draw layout: element e = c·H·W + y·W + x draws from Philox block e of stream 0, attempt 0, 1, …
 * (one block per attempt; see poisson.ts). Per element and independent: a GPU thread per element.
 */
import { paramsFor } from './params.js';
import { poisson } from './poisson.js';
import { storeUnit } from './quantize.js';
import type { Corruption } from './types.js';

export const shotNoise: Corruption = {
  name: 'shot_noise',
  apply(image, draws, severity) {
    const { photons } = paramsFor('shot_noise', severity);
    const out = new Uint8Array(image.data.length);
    for (let e = 0; e < out.length; e++) out[e] = storeUnit(poisson(draws, 0, e, (image.data[e]! / 255) * photons) / photons);
    return out;
  },
};
