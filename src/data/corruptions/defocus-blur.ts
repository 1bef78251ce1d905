/**
 * defocus_blur (spec §3.1). No random draws.
 * v = u/255; every channel filter2D(v, disk(r, a)) with BORDER_REFLECT_101 (P4); stored
 * floor(255·clip(·, 0, 1)). Per pixel: a ≤ 5×5 correlation (3×3 box at severity 5).
 */
import { paramsFor } from './params.js';
import { diskKernel } from './primitives/disk-kernel.js';
import { filter2dReflect101, type Kernel2d } from './primitives/filter2d.js';
import { bytesToUnit, storeUnitAll } from './quantize.js';
import type { Corruption, Severity } from './types.js';

const kernels = new Map<Severity, Kernel2d>();

export function defocusKernel(severity: Severity): Kernel2d {
  let k = kernels.get(severity);
  if (!k) {
    const { radius, aliasBlur } = paramsFor('defocus_blur', severity);
    k = diskKernel(radius, aliasBlur);
    kernels.set(severity, k);
  }
  return k;
}

export const defocusBlur: Corruption = {
  name: 'defocus_blur',
  apply(image, _draws, severity) {
    const { height, width } = image;
    const hw = height * width;
    const v = bytesToUnit(image.data);
    const kernel = defocusKernel(severity);
    const out = new Float64Array(v.length);
    for (let c = 0; c < 3; c++) {
      out.set(filter2dReflect101(v.subarray(c * hw, (c + 1) * hw), height, width, kernel), c * hw);
    }
    return storeUnitAll(out);
  },
};
