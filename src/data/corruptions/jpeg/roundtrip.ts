/**
 * JPEG round trip as Pillow does it with `save(format='JPEG', quality=q)` then decode (spec P9):
 * baseline libjpeg, 4:2:0, IJG tables scaled by quality, islow DCTs, fancy upsampling. Entropy
 * coding is lossless and skipped. Any H, W ≥ 3: partial blocks are padded the way libjpeg does
 * (full-resolution edge replication to whole blocks on the right, then replication of the last
 * (downsampled) row at the bottom; dummy blocks of the last MCU only ever cover cropped pixels).
 *
 * Steps (planar uint8 RGB in, planar uint8 RGB out):
 *   1. RGB → YCbCr (color.ts)   2. chroma 2×2 downsample (chroma.ts)
 *   3. per 8×8 block: −128, forward islow DCT, quantise, dequantise + inverse islow DCT (+128, clamp)
 *   4. chroma fancy upsample (chroma.ts)   5. YCbCr → RGB (color.ts)
 */
import { downsample2x2, fancyUpsample2x2 } from './chroma.js';
import { rgbToYcc, yccToRgb } from './color.js';
import { forwardDctIslow, inverseDctIslow, quantizeBlock } from './dct-islow.js';
import { BASE_CHROMINANCE, BASE_LUMINANCE, scaledTable } from './quant-tables.js';

const ceilTo = (n: number, m: number): number => Math.ceil(n / m) * m;

/** Copy an h×w plane into a ph×pw plane, replicating the last column and row. */
function padReplicate(plane: Uint8Array, h: number, w: number, ph: number, pw: number): Uint8Array {
  const out = new Uint8Array(ph * pw);
  for (let y = 0; y < ph; y++) {
    const sy = Math.min(y, h - 1);
    for (let x = 0; x < pw; x++) out[y * pw + x] = plane[sy * w + Math.min(x, w - 1)]!;
  }
  return out;
}

/** Replace every row from `rows` on by a copy of row `rows − 1`. */
function replicateBottomRows(plane: Uint8Array, width: number, rows: number): void {
  for (let y = rows; y * width < plane.length; y++) plane.copyWithin(y * width, (rows - 1) * width, rows * width);
}

/** Encode+decode one plane whose dimensions are multiples of 8, block by block. */
function codePlane(plane: Uint8Array, height: number, width: number, table: Int32Array): Uint8Array {
  const out = new Uint8Array(plane.length);
  const block = new Float64Array(64);
  const coef = new Int32Array(64);
  const samples = new Uint8Array(64);
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) block[y * 8 + x] = plane[(by + y) * width + bx + x]! - 128;
      }
      forwardDctIslow(block);
      quantizeBlock(block, table, coef);
      inverseDctIslow(coef, table, samples);
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) out[(by + y) * width + bx + x] = samples[y * 8 + x]!;
      }
    }
  }
  return out;
}

export function jpegRoundTrip(rgb: Uint8Array, height: number, width: number, quality: number): Uint8Array {
  if (height < 3 || width < 3) throw new RangeError(`jpegRoundTrip: image must be at least 3×3, got ${height}×${width}`);
  const hw = height * width;
  const ycc = [new Uint8Array(hw), new Uint8Array(hw), new Uint8Array(hw)] as const;
  const px = new Int32Array(3);
  for (let i = 0; i < hw; i++) {
    rgbToYcc(rgb[i]!, rgb[hw + i]!, rgb[2 * hw + i]!, px);
    ycc[0][i] = px[0]!;
    ycc[1][i] = px[1]!;
    ycc[2][i] = px[2]!;
  }
  const lumaTable = scaledTable(BASE_LUMINANCE, quality);
  const chromaTable = scaledTable(BASE_CHROMINANCE, quality);

  // luma: replicate to whole 8×8 blocks
  const yh = ceilTo(height, 8);
  const yw = ceilTo(width, 8);
  const luma = codePlane(padReplicate(ycc[0], height, width, yh, yw), yh, yw, lumaTable);

  // chroma: replicate to whole 16-px MCUs at full resolution, downsample, then replicate the last
  // real downsampled row (ceil(H/2) − 1) down to the block boundary, as libjpeg's prep controller does
  const ch = ceil2(height);
  const cw = ceil2(width);
  const fullH = ceilTo(height, 16);
  const fullW = ceilTo(width, 16);
  const chroma = [ycc[1], ycc[2]].map((plane) => {
    const down = downsample2x2(padReplicate(plane, height, width, fullH, fullW), fullH, fullW);
    replicateBottomRows(down, fullW / 2, ch);
    const decoded = codePlane(down, fullH / 2, fullW / 2, chromaTable);
    // upsampling sees only the ceil(H/2)×ceil(W/2) real samples (libjpeg's downsampled size)
    const real = new Uint8Array(ch * cw);
    for (let y = 0; y < ch; y++) real.set(decoded.subarray(y * (fullW / 2), y * (fullW / 2) + cw), y * cw);
    return fancyUpsample2x2(real, ch, cw);
  });

  const out = new Uint8Array(3 * hw);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = y * (2 * cw) + x;
      yccToRgb(luma[y * yw + x]!, chroma[0]![c]!, chroma[1]![c]!, px);
      const i = y * width + x;
      out[i] = px[0]!;
      out[hw + i] = px[1]!;
      out[2 * hw + i] = px[2]!;
    }
  }
  return out;
}

function ceil2(n: number): number {
  return Math.ceil(n / 2);
}
