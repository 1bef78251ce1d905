/**
 * OpenCV `Canny(img8, low, high)` with aperture 3 and the L1 gradient (the defaults spatter's
 * water mode uses), following canny.cpp:
 *   dx, dy = 3×3 Sobel (BORDER_REPLICATE); m = |dx| + |dy|; thresholds floor(low), floor(high)
 *   non-maximum suppression in 4 directions with OpenCV's fixed-point tan(22.5°) test
 *   (TG22 = round(0.41421356·2^15)) and its strict / non-strict neighbour comparisons;
 *   pixels with m > low that survive are weak, m > high strong; hysteresis grows strong edges
 *   through 8-connected weak pixels. Returns 255 on edges, 0 elsewhere.
 */
import { edgeIndex } from './boundary.js';

const CANNY_SHIFT = 15;
const TG22 = Math.trunc(0.4142135623730950488 * (1 << CANNY_SHIFT) + 0.5);

export function canny(img: Uint8Array, height: number, width: number, lowThreshold: number, highThreshold: number): Uint8Array {
  const low = Math.floor(lowThreshold);
  const high = Math.floor(highThreshold);
  const at = (y: number, x: number): number => img[edgeIndex(y, height) * width + edgeIndex(x, width)]!;
  const dx = new Int32Array(height * width);
  const dy = new Int32Array(height * width);
  const mag = new Int32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx = at(y - 1, x + 1) + 2 * at(y, x + 1) + at(y + 1, x + 1) - (at(y - 1, x - 1) + 2 * at(y, x - 1) + at(y + 1, x - 1));
      const gy = at(y + 1, x - 1) + 2 * at(y + 1, x) + at(y + 1, x + 1) - (at(y - 1, x - 1) + 2 * at(y - 1, x) + at(y - 1, x + 1));
      const i = y * width + x;
      dx[i] = gx;
      dy[i] = gy;
      mag[i] = Math.abs(gx) + Math.abs(gy);
    }
  }
  const m = (y: number, x: number): number => (y < 0 || y >= height || x < 0 || x >= width ? 0 : mag[y * width + x]!);
  // 0: weak candidate, 1: not an edge, 2: strong edge
  const map = new Uint8Array(height * width).fill(1);
  const stack: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = mag[i]!;
      if (v <= low) continue;
      const xs = dx[i]!;
      const ys = dy[i]!;
      const ax = Math.abs(xs);
      const ay = Math.abs(ys) * (1 << CANNY_SHIFT);
      const tg22x = ax * TG22;
      let isMax: boolean;
      if (ay < tg22x) {
        isMax = v > m(y, x - 1) && v >= m(y, x + 1);
      } else {
        const tg67x = tg22x + ax * (1 << (CANNY_SHIFT + 1));
        if (ay > tg67x) {
          isMax = v > m(y - 1, x) && v >= m(y + 1, x);
        } else {
          const s = (xs < 0) !== (ys < 0) ? -1 : 1;
          isMax = v > m(y - 1, x - s) && v > m(y + 1, x + s);
        }
      }
      if (!isMax) continue;
      if (v > high) {
        map[i] = 2;
        stack.push(i);
      } else {
        map[i] = 0;
      }
    }
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    const y = Math.floor(i / width);
    const x = i % width;
    for (let ny = y - 1; ny <= y + 1; ny++) {
      for (let nx = x - 1; nx <= x + 1; nx++) {
        if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
        const j = ny * width + nx;
        if (map[j] === 0) {
          map[j] = 2;
          stack.push(j);
        }
      }
    }
  }
  return map.map((v) => (v === 2 ? 255 : 0));
}
