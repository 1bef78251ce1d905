/**
 * snow (spec §3.5).
 *   L = N(μ, σ) per pixel (float64); L = clipped_zoom(L, zoom) (P2); L[L < thr] = 0
 *   L8 = floor(255·clip(L, 0, 1)); S = motion_blur(L8, mbRadius, mbSigma, angle)/255 (P3, 8-bit)
 *   x = float32(u/255); g = 0.299R + 0.587G + 0.114B (cv2 RGB2GRAY, float32)
 *   x' = blend·x + (1 − blend)·max(x, 1.5·g + 0.5)      (float32, per channel)
 *   out = floor(255·clip(x' + S + rot180(S)))
 *
 * Draw layout: stream 0, normal p for pixel p = y·W + x (Box–Muller pairs: pixels 2m, 2m+1 share
 * Philox block m); stream 1, uniform 0: angle = −135 + 90·u degrees (numpy uniform(−135, −45)).
 * Per pixel: the flake field is a per-pixel normal, a zoom tap set, a threshold and a ≤ 29-tap
 * motion blur; the blend is elementwise.
 */
import { paramsFor } from './params.js';
import { motionBlurBytes, motionBlurKernel } from './primitives/motion-blur-kernel.js';
import { clippedZoomPlane, zoomAxisPlan } from './primitives/zoom.js';
import { storeUnit } from './quantize.js';
import type { Corruption } from './types.js';

const f32 = Math.fround;
const GRAY_R = f32(0.299);
const GRAY_G = f32(0.587);
const GRAY_B = f32(0.114);

export const snow: Corruption = {
  name: 'snow',
  apply(image, draws, severity) {
    const p = paramsFor('snow', severity);
    const { height, width, data } = image;
    const hw = height * width;

    const field = new Float64Array(hw);
    for (let i = 0; i < hw; i++) field[i] = p.mean + p.std * draws.normal(0, i);
    const zoomed = clippedZoomPlane(field, height, width, zoomAxisPlan(height, p.zoom), zoomAxisPlan(width, p.zoom));
    const flakes = new Uint8Array(hw);
    for (let i = 0; i < hw; i++) flakes[i] = zoomed[i]! < p.threshold ? 0 : storeUnit(zoomed[i]!);
    const angle = draws.uniformIn(1, 0, -135, -45);
    const streaks = motionBlurBytes(flakes, height, width, motionBlurKernel(p.blurRadius, p.blurSigma, angle));

    const blend = f32(p.blend);
    const rest = f32(1 - p.blend);
    const out = new Uint8Array(data.length);
    for (let i = 0; i < hw; i++) {
      const r = f32(data[i]! / 255);
      const g = f32(data[hw + i]! / 255);
      const b = f32(data[2 * hw + i]! / 255);
      const gray = f32(f32(f32(r * GRAY_R) + f32(g * GRAY_G)) + f32(b * GRAY_B));
      const lifted = f32(f32(gray * 1.5) + 0.5);
      const streak = streaks[i]! / 255;
      const rotated = streaks[hw - 1 - i]! / 255; // rot180(S) at this pixel
      for (let c = 0; c < 3; c++) {
        const x = c === 0 ? r : c === 1 ? g : b;
        const xb = f32(f32(blend * x) + f32(rest * Math.max(x, lifted)));
        out[c * hw + i] = storeUnit(xb + streak + rotated);
      }
    }
    return out;
  },
};
