/**
 * fog (spec §3.7).
 *   v = u/255; m = max(v) over the whole image; P = plasma_fractal(mapsize, decay) (P8), cropped
 *   to H×W; out = floor(255·clip((v + c·P)·m/(m + c)))   (P added to all three channels)
 * mapsize = 32 (the reference's) for images up to 32×32, else the next power of two ≥ max(H, W).
 *
 * Draw layout: stream 0, the mapsize² − 1 plasma uniforms in the order of primitives/plasma.ts.
 * Per pixel after the plasma: one multiply-add (and one max reduction per image).
 */
import { paramsFor } from './params.js';
import { plasmaFractal } from './primitives/plasma.js';
import { storeUnit } from './quantize.js';
import type { Corruption } from './types.js';

export function fogMapsize(height: number, width: number): number {
  let size = 32;
  while (size < Math.max(height, width)) size *= 2;
  return size;
}

export const fog: Corruption = {
  name: 'fog',
  apply(image, draws, severity) {
    const { strength, decay } = paramsFor('fog', severity);
    const { height, width, data } = image;
    const hw = height * width;
    const mapsize = fogMapsize(height, width);
    const plasma = plasmaFractal(mapsize, decay, draws, 0);
    let max = 0;
    for (const u of data) max = Math.max(max, u / 255);
    const out = new Uint8Array(data.length);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const i = c * hw + y * width + x;
          const v = data[i]! / 255 + strength * plasma[y * mapsize + x]!;
          out[i] = storeUnit((v * max) / (max + strength));
        }
      }
    }
    return out;
  },
};
