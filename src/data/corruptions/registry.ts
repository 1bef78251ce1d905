/** The 19 corruption implementations by name. */
import { brightness } from './brightness.js';
import { contrast } from './contrast.js';
import { defocusBlur } from './defocus-blur.js';
import { elasticTransform } from './elastic-transform.js';
import { fog } from './fog.js';
import { frost } from './frost.js';
import { gaussianBlur } from './gaussian-blur.js';
import { gaussianNoise } from './gaussian-noise.js';
import { glassBlur } from './glass-blur.js';
import { impulseNoise } from './impulse-noise.js';
import { jpegCompression } from './jpeg-compression.js';
import { motionBlur } from './motion-blur.js';
import { pixelate } from './pixelate.js';
import { saturate } from './saturate.js';
import { shotNoise } from './shot-noise.js';
import { snow } from './snow.js';
import { spatter } from './spatter.js';
import { speckleNoise } from './speckle-noise.js';
import type { Corruption, CorruptionName } from './types.js';
import { zoomBlur } from './zoom-blur.js';

export const REGISTRY: Readonly<Record<CorruptionName, Corruption>> = {
  defocus_blur: defocusBlur,
  glass_blur: glassBlur,
  motion_blur: motionBlur,
  zoom_blur: zoomBlur,
  snow,
  frost,
  fog,
  brightness,
  contrast,
  elastic_transform: elasticTransform,
  pixelate,
  jpeg_compression: jpegCompression,
  gaussian_blur: gaussianBlur,
  spatter,
  saturate,
  gaussian_noise: gaussianNoise,
  shot_noise: shotNoise,
  impulse_noise: impulseNoise,
  speckle_noise: speckleNoise,
};
