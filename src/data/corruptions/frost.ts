/**
 * frost (spec §3.6) with the procedural sheets of frost-sheets.ts — DEVIATION: CIFAR-10-C blends
 * photographs of frost (not available here); structure, draw order and blend are the reference's.
 *   sheet s = randint(0, 5); r0 = randint(0, sheetH − H); c0 = randint(0, sheetW − W)
 *   (numpy's exclusive upper bounds: the last crop row/column is never chosen, as in the reference)
 *   out = floor(clip(a·u + b·F[r0 + y, c0 + x], 0, 255))   in 0..255 units
 *
 * Draw layout: stream 0 integers: word 0 → s (below 5), word 1 → r0, word 2 → c0.
 * Per pixel: one texture fetch and a multiply-add.
 */
import { FROST_SHEET_SPECS, frostSheet } from './frost-sheets.js';
import { paramsFor } from './params.js';
import { store255 } from './quantize.js';
import type { Corruption } from './types.js';

export const frost: Corruption = {
  name: 'frost',
  apply(image, draws, severity) {
    const { imageWeight, frostWeight } = paramsFor('frost', severity);
    const { height, width, data } = image;
    const index = draws.intBelow(0, 0, FROST_SHEET_SPECS.length);
    const sheet = frostSheet(index);
    const r0 = draws.intBelow(0, 1, sheet.height - height);
    const c0 = draws.intBelow(0, 2, sheet.width - width);
    const hw = height * width;
    const shw = sheet.height * sheet.width;
    const out = new Uint8Array(data.length);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const f = sheet.data[c * shw + (r0 + y) * sheet.width + (c0 + x)]!;
          out[c * hw + y * width + x] = store255(imageWeight * data[c * hw + y * width + x]! + frostWeight * f);
        }
      }
    }
    return out;
  },
  unsupportedSize(height, width) {
    const maxH = Math.min(...FROST_SHEET_SPECS.map((s) => s.height)) - 1;
    const maxW = Math.min(...FROST_SHEET_SPECS.map((s) => s.width)) - 1;
    return height > maxH || width > maxW
      ? `frost crops from texture sheets and supports images up to ${maxH}×${maxW}, got ${height}×${width}`
      : null;
  },
};
