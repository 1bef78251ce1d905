/**
 * CPU reference of the CIFAR-10-C corruptions (spec specs/corruptions.md): float64/uint8
 * TypeScript, the ground truth for the WGSL ports.
 *
 * Input: NCHW float images in [0, 1]. Each value is first quantised to the byte the reference
 * corrupts, u = round(255·x) (exact for inputs that are k/255, which CIFAR images and our
 * synthetic images are). Output: the stored bytes of the reference pipeline (floor-to-uint8 for
 * float corruptions, 8-bit library output for pixelate, jpeg and motion blur) as k/255 float32.
 *
 * Randomness: image i of the batch uses the key foldIn(key, i) (random/key.ts), so an image's
 * result depends only on (key, i, name, severity), never on the rest of the batch. To corrupt
 * image i on its own exactly as in the batch, call corruptImageCPU(foldIn(key, i), …).
 * Within an image, draws follow the per-corruption layouts documented at the top of each file
 * (Philox counters (block, stream, attempt, 0), draws.ts).
 */
import { foldIn, type Key } from '../../random/key.js';
import { Draws } from './draws.js';
import { REGISTRY } from './registry.js';
import type { CorruptionName, Severity } from './types.js';
import { checkName, checkRange, checkSeverity, checkShape, checkSize } from './validate.js';

export { CORRUPTIONS, CORRUPTION_NAMES, corruptionsInGroup } from './names.js';
export { PARAMS } from './params.js';
export type { ByteImage, CorruptionGroup, CorruptionName, Severity } from './types.js';

/** Quantise [0, 1] floats to bytes: round(255·x). */
export function toBytes(values: ArrayLike<number>, offset = 0, length = values.length - offset): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.round(values[offset + i]! * 255);
  return out;
}

/**
 * Corrupt one image given as bytes (planar CHW, 3·H·W values) with its own key. Unchecked:
 * `corruptCPU` is the checked entry point.
 */
export function corruptImageCPU(
  imageKey: Key,
  bytes: Uint8Array,
  height: number,
  width: number,
  name: CorruptionName,
  severity: Severity,
): Uint8Array {
  return REGISTRY[name].apply({ data: bytes, height, width }, new Draws(imageKey), severity);
}

/** `ps.data.corrupt` on the CPU: [B, 3, H, W] floats in [0, 1] → corrupted floats k/255. */
export function corruptCPU(
  key: Key,
  images: ArrayLike<number>,
  shape: readonly [number, number, number, number],
  name: CorruptionName,
  severity: Severity,
): Float32Array {
  checkName(name);
  checkSeverity(severity);
  const [batch, height, width] = checkShape(images, shape);
  checkSize(name, height, width);
  checkRange(images);
  const size = 3 * height * width;
  const out = new Float32Array(batch * size);
  for (let i = 0; i < batch; i++) {
    const bytes = corruptImageCPU(foldIn(key, i), toBytes(images, i * size, size), height, width, name, severity);
    for (let j = 0; j < size; j++) out[i * size + j] = bytes[j]! / 255;
  }
  return out;
}
