/**
 * brightness (spec §3.8). No random draws.
 * Per pixel: skimage rgb2hsv, V ← clip(V + c, 0, 1), hsv2rgb (P6); stored floor(255·clip).
 * (Closed form: rgb·min(1, V + c)/V, or (c, c, c) for black; equal to ~1e−15.)
 */
import { paramsFor } from './params.js';
import { hsvToRgb, rgbToHsv } from './primitives/hsv.js';
import { storeUnit } from './quantize.js';
import type { Corruption } from './types.js';

export const brightness: Corruption = {
  name: 'brightness',
  apply(image, _draws, severity) {
    const { shift } = paramsFor('brightness', severity);
    return mapHsv(image.data, image.height * image.width, (hsv) => {
      const v = hsv[2]! + shift;
      hsv[2] = v < 0 ? 0 : v > 1 ? 1 : v;
    });
  },
};

/** Per pixel: rgb2hsv, edit, hsv2rgb, store. Shared by brightness and saturate. */
export function mapHsv(data: Uint8Array, hw: number, edit: (hsv: Float64Array) => void): Uint8Array {
  const out = new Uint8Array(data.length);
  const hsv = new Float64Array(3);
  const rgb = new Float64Array(3);
  for (let p = 0; p < hw; p++) {
    rgbToHsv(data[p]! / 255, data[hw + p]! / 255, data[2 * hw + p]! / 255, hsv);
    edit(hsv);
    hsvToRgb(hsv[0]!, hsv[1]!, hsv[2]!, rgb);
    out[p] = storeUnit(rgb[0]!);
    out[hw + p] = storeUnit(rgb[1]!);
    out[2 * hw + p] = storeUnit(rgb[2]!);
  }
  return out;
}
