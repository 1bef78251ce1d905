/**
 * OpenCV `distanceTransform(src8, DIST_L2, 5)`: the 5×5 chamfer distance (weights 1, 1.4, 2.1969
 * for axial, diagonal and knight steps, in 16.16 fixed point) of every non-zero pixel to the
 * nearest zero pixel, by one forward and one backward raster pass (distransform.cpp).
 * Pixels outside the image are never zero (they act as "infinitely far"). Output float32 values.
 */
import { roundHalfEven } from './round.js';

const SHIFT = 16;
const HV = roundHalfEven(1.0 * (1 << SHIFT));
const DIAG = roundHalfEven(Math.fround(1.4) * (1 << SHIFT));
const LONG = roundHalfEven(Math.fround(2.1969) * (1 << SHIFT));
const INIT = 0x7fffffff;
const MAX = 0x7fffffff >> 2;

export function distanceTransformL2Mask5(src: Uint8Array, height: number, width: number): Float64Array {
  const B = 2;
  const stride = width + 2 * B;
  const tmp = new Float64Array((height + 2 * B) * stride).fill(INIT);
  const t = (y: number, x: number): number => tmp[(y + B) * stride + (x + B)]!;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let d = 0;
      if (src[y * width + x] !== 0) {
        d = Math.min(
          t(y - 2, x - 1) + LONG,
          t(y - 2, x + 1) + LONG,
          t(y - 1, x - 2) + LONG,
          t(y - 1, x - 1) + DIAG,
          t(y - 1, x) + HV,
          t(y - 1, x + 1) + DIAG,
          t(y - 1, x + 2) + LONG,
          t(y, x - 1) + HV,
        );
      }
      tmp[(y + B) * stride + (x + B)] = d;
    }
  }
  const out = new Float64Array(height * width);
  for (let y = height - 1; y >= 0; y--) {
    for (let x = width - 1; x >= 0; x--) {
      let d = t(y, x);
      if (d > HV) {
        d = Math.min(
          d,
          t(y + 2, x + 1) + LONG,
          t(y + 2, x - 1) + LONG,
          t(y + 1, x + 2) + LONG,
          t(y + 1, x + 1) + DIAG,
          t(y + 1, x) + HV,
          t(y + 1, x - 1) + DIAG,
          t(y + 1, x - 2) + LONG,
          t(y, x + 1) + HV,
        );
        tmp[(y + B) * stride + (x + B)] = d;
      }
      out[y * width + x] = Math.fround(Math.min(d, MAX) / (1 << SHIFT));
    }
  }
  return out;
}
