import type { CorruptionGroup, CorruptionName } from './types.js';

/**
 * The 19 corruptions in their fixed order. The order is part of the RNG layout: the paired data set
 * folds a corruption's position in this list into its key (paired.ts). The 12 'train' entries come
 * first, in the order of the reference config `cifar10_c_rectangle.json` (spec §3), then the paper's
 * 3 out-of-distribution corruptions (§4), then the 4 noise corruptions.
 */
export const CORRUPTIONS: readonly { readonly name: CorruptionName; readonly group: CorruptionGroup }[] = [
  { name: 'defocus_blur', group: 'train' },
  { name: 'glass_blur', group: 'train' },
  { name: 'motion_blur', group: 'train' },
  { name: 'zoom_blur', group: 'train' },
  { name: 'snow', group: 'train' },
  { name: 'frost', group: 'train' },
  { name: 'fog', group: 'train' },
  { name: 'brightness', group: 'train' },
  { name: 'contrast', group: 'train' },
  { name: 'elastic_transform', group: 'train' },
  { name: 'pixelate', group: 'train' },
  { name: 'jpeg_compression', group: 'train' },
  { name: 'gaussian_blur', group: 'ood' },
  { name: 'spatter', group: 'ood' },
  { name: 'saturate', group: 'ood' },
  { name: 'gaussian_noise', group: 'noise' },
  { name: 'shot_noise', group: 'noise' },
  { name: 'impulse_noise', group: 'noise' },
  { name: 'speckle_noise', group: 'noise' },
];

export const CORRUPTION_NAMES: readonly CorruptionName[] = CORRUPTIONS.map((c) => c.name);

/** The names of one group, in list order. */
export function corruptionsInGroup(group: CorruptionGroup): CorruptionName[] {
  return CORRUPTIONS.filter((c) => c.group === group).map((c) => c.name);
}

export function isCorruptionName(name: unknown): name is CorruptionName {
  return typeof name === 'string' && (CORRUPTION_NAMES as readonly string[]).includes(name);
}
