/**
 * OpenCV `blur(img, (3, 3))`: normalised 3×3 box filter, BORDER_REFLECT_101. The window sum is
 * exact; float32 images get float32(sum·(1/9)), 8-bit images round(sum/9) (no ties possible).
 */
import { reflect101Index } from './boundary.js';

function boxSum3(plane: ArrayLike<number>, height: number, width: number, y: number, x: number): number {
  let s = 0;
  for (let dy = -1; dy <= 1; dy++) {
    const row = reflect101Index(y + dy, height) * width;
    for (let dx = -1; dx <= 1; dx++) s += plane[row + reflect101Index(x + dx, width)]!;
  }
  return s;
}

export function boxBlur3Float32(plane: Float64Array, height: number, width: number): Float64Array {
  const out = new Float64Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = Math.fround(boxSum3(plane, height, width, y, x) * (1 / 9));
  }
  return out;
}

export function boxBlur3Bytes(plane: Uint8Array, height: number, width: number): Uint8Array {
  const out = new Uint8Array(plane.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = Math.round(boxSum3(plane, height, width, y, x) / 9);
  }
  return out;
}
