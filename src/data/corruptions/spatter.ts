/**
 * spatter (spec §4.2).
 * Common: x = float32(u/255); L = N(μ, σ) per pixel; L = gaussian(L, σ1) (P1: edge, truncate 4);
 * L[L < thr] = 0.
 *
 * Mud (severities 4, 5 — the one the paper uses), float32 as in the reference:
 *   m = gaussian(1[L > thr], c4) (stored float32); m[m < 0.8] = 0
 *   out = floor(255·clip(x·(1 − m) + m·(63, 42, 20)/255))        (brown, RGB order)
 * Water (severities 1–3; unused by the paper; the OpenCV pipeline re-implemented — it matches
 * OpenCV 4.6 value for value on the fixture images):
 *   L8 = floor(255·L) (saturated at 255: numpy's float→uint8 cast of larger values is undefined)
 *   D = distanceTransform(255 − Canny(L8, 50, 150), L2, 5); D = min(D, 20); D = uint8(blur3(D))
 *   D = equalizeHist(D); D = saturate8(correlate(D, emboss [[−2,−1,0],[−1,1,1],[0,1,2]], reflect101))
 *   D = blur3(D) (8-bit); m = L8·D; m = c4·m/max(m)
 *   out = floor(255·clip(x + m·(175, 238, 238)/255))               (pale turquoise, RGB order)
 *   max(m) = 0 makes the reference divide by zero (NaN); we use m = 0 (the clean image) instead.
 *
 * Draw layout: stream 0, normal p for pixel p = y·W + x.
 * Per pixel: the mud path is separable blurs + elementwise; water needs global steps (Canny
 * hysteresis, distance transform, histogram) — keep it on the CPU.
 */
import { paramsFor } from './params.js';
import { boxBlur3Bytes, boxBlur3Float32 } from './primitives/box-filter.js';
import { canny } from './primitives/canny.js';
import { distanceTransformL2Mask5 } from './primitives/distance-transform.js';
import { equalizeHist } from './primitives/equalize-hist.js';
import { gaussianFilter2d } from './primitives/gaussian-filter.js';
import { reflect101Index } from './primitives/boundary.js';
import { bytesToUnitF32, storeUnitF32 } from './quantize.js';
import type { Draws } from './draws.js';
import type { Corruption } from './types.js';

const f32 = Math.fround;
const MUD = [63, 42, 20].map((c) => f32(c / 255));
const WATER = [175, 238, 238].map((c) => f32(c / 255));
const EMBOSS = [-2, -1, 0, -1, 1, 1, 0, 1, 2];

/** The thresholded liquid layer L (float64). */
export function liquidLayer(draws: Draws, height: number, width: number, mean: number, std: number, sigma: number, threshold: number): Float64Array {
  const field = new Float64Array(height * width);
  for (let p = 0; p < field.length; p++) field[p] = mean + std * draws.normal(0, p);
  const liquid = gaussianFilter2d(field, height, width, sigma, 'edge', 4);
  for (let p = 0; p < liquid.length; p++) if (liquid[p]! < threshold) liquid[p] = 0;
  return liquid;
}

/** The mud mask m (float32 values). */
export function mudMask(liquid: Float64Array, height: number, width: number, threshold: number, sigma: number): Float64Array {
  const mask = liquid.map((v) => (v > threshold ? 1 : 0));
  const m = gaussianFilter2d(mask, height, width, sigma, 'edge', 4);
  return m.map((v) => (f32(v) < 0.8 ? 0 : f32(v)));
}

/** The water intensity m = c4·L8·D/max(L8·D) (float32 values), or all zeros when the max is 0. */
export function waterMask(liquid: Float64Array, height: number, width: number, intensity: number): Float64Array {
  const l8 = liquid.map((v) => Math.min(255, Math.floor(v * 255)));
  const edges = canny(Uint8Array.from(l8), height, width, 50, 150);
  const dist = distanceTransformL2Mask5(edges.map((e) => 255 - e), height, width).map((d) => Math.min(d, 20));
  let d8: Uint8Array = Uint8Array.from(boxBlur3Float32(dist, height, width), (v) => Math.trunc(v));
  d8 = equalizeHist(d8);
  const embossed = new Uint8Array(d8.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let i = 0; i < 3; i++) {
        const row = reflect101Index(y + i - 1, height) * width;
        for (let j = 0; j < 3; j++) s += EMBOSS[i * 3 + j]! * d8[row + reflect101Index(x + j - 1, width)]!;
      }
      embossed[y * width + x] = Math.min(255, Math.max(0, s));
    }
  }
  const d = boxBlur3Bytes(embossed, height, width);
  const m = new Float64Array(d.length);
  let max = 0;
  for (let p = 0; p < m.length; p++) {
    m[p] = l8[p]! * d[p]!;
    max = Math.max(max, m[p]!);
  }
  if (max === 0) return new Float64Array(m.length);
  const c4 = f32(intensity);
  return m.map((v) => f32(f32(v / max) * c4));
}

export const spatter: Corruption = {
  name: 'spatter',
  apply(image, draws, severity) {
    const p = paramsFor('spatter', severity);
    const { height, width } = image;
    const hw = height * width;
    const x = bytesToUnitF32(image.data);
    const liquid = liquidLayer(draws, height, width, p.mean, p.std, p.sigma, p.threshold);
    const out = new Uint8Array(x.length);
    if (p.mode === 'mud') {
      const m = mudMask(liquid, height, width, p.threshold, p.intensity);
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < hw; i++) {
          const kept = f32(x[c * hw + i]! * f32(1 - m[i]!));
          out[c * hw + i] = storeUnitF32(f32(kept + f32(MUD[c]! * m[i]!)));
        }
      }
    } else {
      const m = waterMask(liquid, height, width, p.intensity);
      for (let c = 0; c < 3; c++) {
        for (let i = 0; i < hw; i++) out[c * hw + i] = storeUnitF32(f32(x[c * hw + i]! + f32(m[i]! * WATER[c]!)));
      }
    }
    return out;
  },
};
