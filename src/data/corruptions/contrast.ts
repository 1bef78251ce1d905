/**
 * contrast (spec §3.9). No random draws.
 * μ_c = mean of channel c of v = u/255 (numpy's order: a running sum over pixels, then ÷ H·W);
 * out = floor(255·clip((v − μ_c)·c + μ_c)). Per pixel after one reduction per channel.
 */
import { paramsFor } from './params.js';
import { storeUnit } from './quantize.js';
import type { Corruption } from './types.js';

export const contrast: Corruption = {
  name: 'contrast',
  apply(image, _draws, severity) {
    const { factor } = paramsFor('contrast', severity);
    const hw = image.height * image.width;
    const out = new Uint8Array(image.data.length);
    for (let c = 0; c < 3; c++) {
      let sum = 0;
      for (let p = 0; p < hw; p++) sum += image.data[c * hw + p]! / 255;
      const mean = sum / hw;
      for (let p = 0; p < hw; p++) out[c * hw + p] = storeUnit((image.data[c * hw + p]! / 255 - mean) * factor + mean);
    }
    return out;
  },
};
