// The procedural frost substitute (spec §6): sheet statistics against the measured photos, and
// the reference's draw structure (sheet, crop row, crop column).
import { describe, it, expect } from 'vitest';
import { corruptCPU } from '../../src/data/corruptions/cpu.js';
import { Draws } from '../../src/data/corruptions/draws.js';
import { FROST_SHEET_SPECS, frostLuminance, frostSheet } from '../../src/data/corruptions/frost-sheets.js';
import { foldIn, key } from '../../src/random/key.js';
import { imageT } from './corruptions-helpers.js';

function greyAutocorrelation(sheetIndex: number, lag: number): number {
  const { width: w, height: h, data } = frostSheet(sheetIndex);
  const hw = w * h;
  const g = Float64Array.from({ length: hw }, (_, p) => 0.299 * data[p]! + 0.587 * data[hw + p]! + 0.114 * data[2 * hw + p]!);
  const mean = g.reduce((a, b) => a + b, 0) / hw;
  const variance = g.reduce((a, b) => a + (b - mean) ** 2, 0) / hw;
  let s = 0;
  let n = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x + lag < w) {
        s += (g[y * w + x]! - mean) * (g[y * w + x + lag]! - mean);
        n++;
      }
      if (y + lag < h) {
        s += (g[y * w + x]! - mean) * (g[(y + lag) * w + x]! - mean);
        n++;
      }
    }
  }
  return s / n / variance;
}

describe('frost sheets', () => {
  it('have the decimated photo sizes; sheet 3 is sheet 2 (frost3.png = frost2.png)', () => {
    expect(FROST_SHEET_SPECS.map((s) => [s.width, s.height])).toEqual([[180, 120], [112, 63], [112, 63], [105, 70], [132, 99]]);
    FROST_SHEET_SPECS.forEach((s, i) => expect(frostSheet(i).data.length).toBe(3 * s.width * s.height));
    expect(frostSheet(2).data).toEqual(frostSheet(1).data);
    expect(frostSheet(3).data).not.toEqual(frostSheet(4).data.subarray(0, frostSheet(3).data.length));
  });
  it('match the photos: channel means ±1.5, stds ±6 %, grey autocorrelation at lags 1, 2, 4 within ±0.05', () => {
    FROST_SHEET_SPECS.forEach((spec, i) => {
      const { data, width, height } = frostSheet(i);
      const hw = width * height;
      for (let c = 0; c < 3; c++) {
        const plane = data.subarray(c * hw, (c + 1) * hw);
        const mean = plane.reduce((a, b) => a + b, 0) / hw;
        const sd = Math.sqrt(plane.reduce((a, b) => a + (b - mean) ** 2, 0) / hw);
        expect(Math.abs(mean - spec.mean[c]!), `sheet ${i} channel ${c} mean`).toBeLessThan(1.5);
        expect(Math.abs(sd / spec.std[c]! - 1), `sheet ${i} channel ${c} sd`).toBeLessThan(0.06);
      }
      [1, 2, 4].forEach((lag, j) => {
        expect(Math.abs(greyAutocorrelation(i, lag) - spec.autocorrelation[j]!), `sheet ${i} lag ${lag}`).toBeLessThan(0.05);
      });
    });
  });
  it('are fixed assets: independent of any user key, regenerated identically', () => {
    const g = frostLuminance(4);
    expect(frostLuminance(4)).toEqual(g);
    expect(Math.abs(g.reduce((a, b) => a + b, 0) / g.length)).toBeLessThan(1e-12);
  });
});

describe('frost corruption', () => {
  it('is a·u + b·F with F a crop of the chosen sheet at (r0, c0), drawn as in the reference', () => {
    const x = imageT();
    for (const seed of [1, 2, 3]) {
      const out = corruptCPU(key(seed), x, [1, 3, 32, 32], 'frost', 5);
      const d = new Draws(foldIn(key(seed), 0));
      const s = d.intBelow(0, 0, 5);
      const sheet = frostSheet(s);
      const r0 = d.intBelow(0, 1, sheet.height - 32);
      const c0 = d.intBelow(0, 2, sheet.width - 32);
      const shw = sheet.width * sheet.height;
      for (const [c, y, xx] of [[0, 0, 0], [1, 17, 5], [2, 31, 31]] as const) {
        const u = Math.round(x[c * 1024 + y * 32 + xx]! * 255);
        const f = sheet.data[c * shw + (r0 + y) * sheet.width + c0 + xx]!;
        expect(Math.round(out[c * 1024 + y * 32 + xx]! * 255)).toBe(Math.floor(Math.min(255, 0.75 * u + 0.45 * f)));
      }
    }
  });
  it('picks each of the 5 sheets with probability 1/5 and never the last crop row/column', () => {
    const counts = [0, 0, 0, 0, 0];
    let maxRow = 0;
    for (let i = 0; i < 5000; i++) {
      const d = new Draws(foldIn(key(99), i));
      const s = d.intBelow(0, 0, 5);
      counts[s]!++;
      if (s === 1) maxRow = Math.max(maxRow, d.intBelow(0, 1, 63 - 32));
    }
    const chi2 = counts.reduce((a, c) => a + (c - 1000) ** 2 / 1000, 0);
    expect(chi2).toBeLessThan(18.5); // χ²(4) 0.999 quantile
    expect(maxRow).toBe(63 - 33);
  });
});
