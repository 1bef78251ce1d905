/**
 * P4 (spec §2): OpenCV `filter2D(src, −1, K)` on a float64 plane: correlation with the kernel
 * centre as anchor and BORDER_REFLECT_101. out(y, x) = Σ_{i,j} K[i][j] · in(y + i − cy, x + j − cx).
 * (OpenCV switches to a DFT for kernels of ≥ 50 taps; that changes results by ~1e−16 only.)
 */
import { reflect101Index } from './boundary.js';

/** A dense kernel, row-major, with its anchor (centre) position. */
export interface Kernel2d {
  readonly weights: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly anchorRow: number;
  readonly anchorCol: number;
}

export function filter2dReflect101(plane: Float64Array, height: number, width: number, kernel: Kernel2d): Float64Array {
  const out = new Float64Array(height * width);
  const { weights, rows, cols, anchorRow, anchorCol } = kernel;
  // source row offsets / columns per output position and tap, reflected once up front
  const srcRow = Int32Array.from({ length: height * rows }, (_, t) => reflect101Index(Math.floor(t / rows) + (t % rows) - anchorRow, height) * width);
  const srcCol = Int32Array.from({ length: width * cols }, (_, t) => reflect101Index(Math.floor(t / cols) + (t % cols) - anchorCol, width));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let i = 0; i < rows; i++) {
        const row = srcRow[y * rows + i]!;
        for (let j = 0; j < cols; j++) {
          const w = weights[i * cols + j]!;
          if (w === 0) continue;
          acc += w * plane[row + srcCol[x * cols + j]!]!;
        }
      }
      out[y * width + x] = acc;
    }
  }
  return out;
}
