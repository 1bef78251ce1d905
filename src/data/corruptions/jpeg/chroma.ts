/**
 * 2×2 chroma subsampling as libjpeg does it for 4:2:0 (spec P9 steps 2 and 7).
 */

/** h2v2_downsample (jcsample.c): (a + b + c + d + bias) >> 2, bias 1, 2, 1, 2, … along each output row. */
export function downsample2x2(plane: Uint8Array, height: number, width: number): Uint8Array {
  const h = height / 2;
  const w = width / 2;
  const out = new Uint8Array(h * w);
  for (let y = 0; y < h; y++) {
    let bias = 1;
    for (let x = 0; x < w; x++) {
      const i = 2 * y * width + 2 * x;
      out[y * w + x] = (plane[i]! + plane[i + 1]! + plane[i + width]! + plane[i + width + 1]! + bias) >> 2;
      bias ^= 3;
    }
  }
  return out;
}

/**
 * h2v2_fancy_upsample (jdsample.c): triangle filter. Vertical pre-sum per column
 * cs = 3·nearer + farther (farther = the row above for even output rows, below for odd ones;
 * edge rows replicated), then horizontally (3·cs_j + cs_{j−1} + 8) >> 4 and
 * (3·cs_j + cs_{j+1} + 7) >> 4, with 4·cs at the two ends.
 */
export function fancyUpsample2x2(plane: Uint8Array, height: number, width: number): Uint8Array {
  const outW = width * 2;
  const out = new Uint8Array(height * 2 * outW);
  const colsum = new Int32Array(width);
  for (let r = 0; r < height; r++) {
    for (let v = 0; v < 2; v++) {
      const far = v === 0 ? Math.max(r - 1, 0) : Math.min(r + 1, height - 1);
      for (let j = 0; j < width; j++) colsum[j] = plane[r * width + j]! * 3 + plane[far * width + j]!;
      const row = (2 * r + v) * outW;
      if (width === 1) {
        out[row] = (colsum[0]! * 4 + 8) >> 4;
        out[row + 1] = (colsum[0]! * 4 + 7) >> 4;
        continue;
      }
      out[row] = (colsum[0]! * 4 + 8) >> 4;
      out[row + 1] = (colsum[0]! * 3 + colsum[1]! + 7) >> 4;
      for (let j = 1; j < width - 1; j++) {
        out[row + 2 * j] = (colsum[j]! * 3 + colsum[j - 1]! + 8) >> 4;
        out[row + 2 * j + 1] = (colsum[j]! * 3 + colsum[j + 1]! + 7) >> 4;
      }
      const last = width - 1;
      out[row + 2 * last] = (colsum[last]! * 3 + colsum[last - 1]! + 8) >> 4;
      out[row + 2 * last + 1] = (colsum[last]! * 4 + 7) >> 4;
    }
  }
  return out;
}
