/**
 * `ps.data.synthetic(key, n, {size, classes})`: the procedural labelled images of synthetic.ts as
 * an ImageDataset (uint8 CHW on the CPU, batches as k/255 on demand). Image i depends on
 * foldIn(key, i) only.
 */
import { assertKey, type Key } from '../random/key.js';
import { ImageDataset } from './dataset.js';
import { syntheticCPU, type SyntheticOptions } from './synthetic.js';

export function synthetic(key: Key, n: number, options: SyntheticOptions = {}): ImageDataset {
  assertKey('synthetic', key);
  const { images, labels } = syntheticCPU(key, n, options);
  const size = options.size ?? 32;
  const pixels = new Uint8Array(images.length);
  for (let i = 0; i < images.length; i++) pixels[i] = Math.round(images[i]! * 255);
  return new ImageDataset(pixels, labels, [3, size, size]);
}
