import { fmtShape } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { imageGrid as hostImageGrid, type GridOptions } from './grid.js';
import { encodePNG } from './png.js';

export interface ImageGrid {
  rgba: Uint8Array;
  width: number;
  height: number;
}

/** torchvision's make_grid + save_image conversion for images [B, C, H, W] in [0, 1]: RGBA bytes. */
export async function imageGrid(images: Tensor, opts: GridOptions = {}): Promise<ImageGrid> {
  assertTensor('imageGrid', images, 'images');
  if (images.rank !== 4) throw new Error(`imageGrid: images must be [B, C, H, W], got ${fmtShape(images.shape)}`);
  const data = (await images.data()) as Float32Array;
  return hostImageGrid(data, images.shape as [number, number, number, number], opts);
}

/** A PNG file (RGB, like torchvision's save_image) of an image grid. */
export async function gridPNG(images: Tensor, opts: GridOptions = {}): Promise<Uint8Array> {
  const grid = await imageGrid(images, opts);
  return encodePNG(grid.rgba, grid.width, grid.height, { channels: 3 });
}

/** Browser helper: the grid as an ImageData for a canvas (throws where ImageData does not exist). */
export function toImageData(grid: ImageGrid): ImageData {
  const ctor = (globalThis as { ImageData?: typeof ImageData }).ImageData;
  if (!ctor) throw new Error('toImageData: ImageData is not available in this runtime (use the rgba bytes or encodePNG)');
  return new ctor(new Uint8ClampedArray(grid.rgba), grid.width, grid.height);
}
