/**
 * glass_blur (spec §3.2).
 *   q = floor(255·gaussian(u/255, σ))                          (P1, edge mode, truncate 4)
 *   `iterations` passes of the reference's view-"swap", which is a copy (numpy #14428); since the
 *   offsets point up/left into pixels not yet visited, each pass is the parallel map
 *     q'(h, w) = q(h + dy, w + dx)   for d < h ≤ H − d, d < w ≤ W − d (0-based), else unchanged
 *   out = floor(255·clip(gaussian(q/255, σ)))
 *
 * Draw layout: stream 0, pass t, pixel (h, w): dx = −d + intBelow(word 2·(t·H·W + h·W + w), 2d),
 * dy = −d + intBelow(word 2·(t·H·W + h·W + w) + 1, 2d) — numpy's randint(−d, d) ∈ [−d, d−1].
 * (d = 1 at every severity, so each offset is one bit and no word is ever rejected. The parallel
 * form relies on d = 1: for d ≥ 2 some offsets would point down/right into visited pixels.)
 */
import type { Draws } from './draws.js';
import { paramsFor } from './params.js';
import { gaussianFilterChannels } from './primitives/gaussian-filter.js';
import { bytesToUnit, storeUnitAll } from './quantize.js';
import type { Corruption } from './types.js';

/** The offsets of pass `pass` at pixel (h, w). */
export function glassOffsets(draws: Draws, pass: number, h: number, w: number, height: number, width: number, d: number): [number, number] {
  const base = 2 * (pass * height * width + h * width + w);
  return [draws.intBelow(0, base, 2 * d) - d, draws.intBelow(0, base + 1, 2 * d) - d];
}

/** One pass of the parallel pixel shift on a planar 3-channel byte image. */
export function glassShiftPass(q: Uint8Array, height: number, width: number, d: number, draws: Draws, pass: number): Uint8Array {
  const hw = height * width;
  const out = Uint8Array.from(q);
  for (let h = d + 1; h <= height - d; h++) {
    for (let w = d + 1; w <= width - d; w++) {
      const [dx, dy] = glassOffsets(draws, pass, h, w, height, width, d);
      const src = (h + dy) * width + (w + dx);
      for (let c = 0; c < 3; c++) out[c * hw + h * width + w] = q[c * hw + src]!;
    }
  }
  return out;
}

export const glassBlur: Corruption = {
  name: 'glass_blur',
  apply(image, draws, severity) {
    const { sigma, maxDelta, iterations } = paramsFor('glass_blur', severity);
    const { height, width } = image;
    let q = storeUnitAll(gaussianFilterChannels(bytesToUnit(image.data), height, width, sigma, 'edge', 4));
    for (let t = 0; t < iterations; t++) q = glassShiftPass(q, height, width, maxDelta, draws, t);
    return storeUnitAll(gaussianFilterChannels(bytesToUnit(q), height, width, sigma, 'edge', 4));
  },
};
