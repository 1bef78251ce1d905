/**
 * The corruptions with a GPU port. Kept on the CPU (spec §7.2): jpeg_compression (libjpeg's
 * integer DCT and rounding rules, where ±1 in a coefficient moves a block by several levels),
 * spatter (water mode: Canny, distance transform, histogram equalisation), snow (two 8-bit
 * quantisations around a per-image ImageMagick blur of a thresholded zoomed field) and fog (a
 * sequential per-image plasma fractal); the GPU would gain little over their CPU cost.
 */
import type { CorruptionName } from '../types.js';
import { defocusBlurGPU, gaussianBlurGPU, glassBlurGPU, motionBlurGPU, zoomBlurGPU } from './blur.js';
import { brightnessGPU, contrastGPU, frostGPU, saturateGPU } from './color.js';
import { elasticTransformGPU, pixelateGPU } from './geometry.js';
import { gaussianNoiseGPU, impulseNoiseGPU, shotNoiseGPU, speckleNoiseGPU } from './noise.js';
import type { GpuCorruption } from './types.js';

export const GPU_REGISTRY: Readonly<Partial<Record<CorruptionName, GpuCorruption>>> = {
  defocus_blur: defocusBlurGPU,
  glass_blur: glassBlurGPU,
  motion_blur: motionBlurGPU,
  zoom_blur: zoomBlurGPU,
  frost: frostGPU,
  brightness: brightnessGPU,
  contrast: contrastGPU,
  elastic_transform: elasticTransformGPU,
  pixelate: pixelateGPU,
  gaussian_blur: gaussianBlurGPU,
  saturate: saturateGPU,
  gaussian_noise: gaussianNoiseGPU,
  shot_noise: shotNoiseGPU,
  impulse_noise: impulseNoiseGPU,
  speckle_noise: speckleNoiseGPU,
};

/** True when `name` has a GPU port. */
export function hasGPU(name: CorruptionName): boolean {
  return GPU_REGISTRY[name] !== undefined;
}
