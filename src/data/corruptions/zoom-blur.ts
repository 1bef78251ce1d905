/**
 * zoom_blur (spec §3.4). No random draws.
 *   x = float32(u/255); acc = Σ_{k<K} clipped_zoom(x, z_k)  (P2; z_0 = 1 is the identity)
 *   out = floor(255·clip((x + acc)/(K + 1)))
 * The reference holds x, every zoom and acc in float32; so do we (Math.fround), so that the
 * result sits on the same side of each floor as there (and as a float32 GPU port).
 * Per pixel: for each factor a bilinear tap set from the (ch, top, zoomed, trim) table.
 */
import { paramsFor } from './params.js';
import { clippedZoomPlane, zoomAxisPlan, zoomBlurFactor, type ZoomAxisPlan } from './primitives/zoom.js';
import { bytesToUnitF32, storeUnitF32 } from './quantize.js';
import type { Corruption } from './types.js';

const f32 = Math.fround;
const plans = new Map<string, ZoomAxisPlan>();

/** The cached axis plan for length n and zoom_blur factor k. */
export function zoomBlurPlan(n: number, k: number): ZoomAxisPlan {
  const id = `${n}/${k}`;
  let plan = plans.get(id);
  if (!plan) {
    plan = zoomAxisPlan(n, zoomBlurFactor(k));
    plans.set(id, plan);
  }
  return plan;
}

export const zoomBlur: Corruption = {
  name: 'zoom_blur',
  apply(image, _draws, severity) {
    const { count } = paramsFor('zoom_blur', severity);
    const { height, width } = image;
    const hw = height * width;
    const x = bytesToUnitF32(image.data);
    const acc = new Float64Array(x.length);
    const zoomed = new Float64Array(hw);
    for (let k = 0; k < count; k++) {
      const rows = zoomBlurPlan(height, k);
      const cols = zoomBlurPlan(width, k);
      for (let c = 0; c < 3; c++) {
        clippedZoomPlane(x.subarray(c * hw, (c + 1) * hw), height, width, rows, cols, zoomed);
        for (let i = 0; i < hw; i++) acc[c * hw + i] = f32(acc[c * hw + i]! + f32(zoomed[i]!));
      }
    }
    const out = new Uint8Array(x.length);
    for (let i = 0; i < x.length; i++) out[i] = storeUnitF32(f32(f32(x[i]! + acc[i]!) / (count + 1)));
    return out;
  },
};
