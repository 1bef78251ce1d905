import type { Draws } from './draws.js';

/** The 19 corruption names; `CORRUPTIONS` (names.ts) fixes their order and groups. */
export type CorruptionName =
  | 'defocus_blur'
  | 'glass_blur'
  | 'motion_blur'
  | 'zoom_blur'
  | 'snow'
  | 'frost'
  | 'fog'
  | 'brightness'
  | 'contrast'
  | 'elastic_transform'
  | 'pixelate'
  | 'jpeg_compression'
  | 'gaussian_blur'
  | 'spatter'
  | 'saturate'
  | 'gaussian_noise'
  | 'shot_noise'
  | 'impulse_noise'
  | 'speckle_noise';

export type Severity = 1 | 2 | 3 | 4 | 5;

/** 'train': the 12 corruptions of the reference CVAE config; 'ood': the paper's 3 held-out ones; 'noise': unused by the paper. */
export type CorruptionGroup = 'train' | 'ood' | 'noise';

/**
 * One RGB image as stored bytes (0..255), planar like one image of an NCHW batch:
 * `data[c·H·W + y·W + x]`.
 */
export interface ByteImage {
  readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
}

/** One corruption: the stored bytes of the corrupted image, computed from the image bytes and the image's draws. */
export interface Corruption {
  readonly name: CorruptionName;
  apply(image: ByteImage, draws: Draws, severity: Severity): Uint8Array;
  /** Why this corruption cannot handle an H×W image, or null when it can. */
  unsupportedSize?(height: number, width: number): string | null;
}
