/**
 * gaussian_noise (spec §4.4): out = floor(255·clip(v + σ·N(0, 1))), v = u/255.
 * Draw layout: stream 0, normal e for element e = c·H·W + y·W + x (the NCHW index; elements 2m
 * and 2m+1 share Philox block m: cos and sin of one Box–Muller pair).
 */
import { paramsFor } from './params.js';
import { storeUnit } from './quantize.js';
import type { Corruption } from './types.js';

export const gaussianNoise: Corruption = {
  name: 'gaussian_noise',
  apply(image, draws, severity) {
    const { sigma } = paramsFor('gaussian_noise', severity);
    const out = new Uint8Array(image.data.length);
    for (let e = 0; e < out.length; e++) out[e] = storeUnit(image.data[e]! / 255 + sigma * draws.normal(0, e));
    return out;
  },
};
