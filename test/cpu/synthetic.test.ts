// The procedural labelled data set (src/data/synthetic.ts).
import { describe, it, expect } from 'vitest';
import { CORRUPTION_NAMES, corruptCPU } from '../../src/data/corruptions/cpu.js';
import { SHAPES, syntheticCPU } from '../../src/data/synthetic.js';
import { key } from '../../src/random/key.js';

const PLANE = 3 * 32 * 32;

/** 36-bin hue histogram of the saturated pixels (the background is muted: S ≤ 0.35) of one image. */
function features(images: Float32Array, i: number): number[] {
  const f = new Array<number>(36).fill(0);
  for (let p = 0; p < 1024; p++) {
    const r = images[i * PLANE + p]!;
    const g = images[i * PLANE + 1024 + p]!;
    const b = images[i * PLANE + 2048 + p]!;
    const max = Math.max(r, g, b);
    const delta = max - Math.min(r, g, b);
    if (delta > 0 && delta / max > 0.45 && max > 0.3) {
      let h = max === r ? (g - b) / delta : max === g ? 2 + (b - r) / delta : 4 + (r - g) / delta;
      h = (((h / 6) % 1) + 1) % 1;
      f[Math.floor(h * 36) % 36]! += 1 / 1024;
    }
  }
  return f;
}

describe('syntheticCPU', () => {
  const { images, labels } = syntheticCPU(key(42), 64);

  it('shapes, range, k/255 values, labels in range', () => {
    expect(images.length).toBe(64 * PLANE);
    expect(labels.length).toBe(64);
    const badValue = images.findIndex((v) => !(v >= 0 && v <= 1 && Math.fround(Math.round(v * 255) / 255) === v));
    expect(badValue).toBe(-1);
    expect(labels.every((y) => y >= 0 && y < 10)).toBe(true);
    expect(SHAPES.length).toBe(10);
  });

  it('deterministic per key; image i depends on foldIn(key, i) only (prefixes agree)', () => {
    const again = syntheticCPU(key(42), 16);
    expect(again.images).toEqual(images.subarray(0, 16 * PLANE));
    expect(again.labels).toEqual(labels.subarray(0, 16));
    const other = syntheticCPU(key(43), 16);
    expect(other.images).not.toEqual(again.images);
  });

  it('options: size and classes', () => {
    const big = syntheticCPU(key(1), 4, { size: 48, classes: 25 });
    expect(big.images.length).toBe(4 * 3 * 48 * 48);
    const many = syntheticCPU(key(1), 400, { size: 8, classes: 25 });
    expect(Math.max(...many.labels)).toBeLessThan(25);
    expect(new Set(many.labels).size).toBe(25);
    expect(() => syntheticCPU(key(1), -1)).toThrow('synthetic: n must be a non-negative integer, got -1');
    expect(() => syntheticCPU(key(1), 1, { size: 2 })).toThrow('synthetic: size must be an integer ≥ 4, got 2');
    expect(() => syntheticCPU(key(1), 1, { classes: 0 })).toThrow('synthetic: classes must be an integer in [1, 1000], got 0');
  });

  it('classes are balanced and distinguishable: a nearest-centroid classifier on colour histograms', () => {
    const train = syntheticCPU(key(7), 600);
    const test = syntheticCPU(key(8), 300);
    const counts = new Array<number>(10).fill(0);
    for (const y of train.labels) counts[y]!++;
    const chi2 = counts.reduce((a, c) => a + (c - 60) ** 2 / 60, 0);
    expect(chi2).toBeLessThan(27.9); // χ²(9) 0.999 quantile
    const centroids = Array.from({ length: 10 }, () => new Array<number>(36).fill(0));
    train.labels.forEach((y, i) => features(train.images, i).forEach((v, j) => (centroids[y]![j]! += v / counts[y]!)));
    let correct = 0;
    test.labels.forEach((y, i) => {
      const f = features(test.images, i);
      const dist = centroids.map((c) => c.reduce((a, v, j) => a + (v - f[j]!) ** 2, 0));
      if (dist.indexOf(Math.min(...dist)) === y) correct++;
    });
    expect(correct / 300).toBeGreaterThan(0.9);
  });

  it('every corruption visibly acts on it (mean |Δ| > 1.5/255 at severity 5, > 0 at severity 1)', () => {
    const few = syntheticCPU(key(5), 6);
    for (const name of CORRUPTION_NAMES) {
      for (const severity of [1, 5] as const) {
        const out = corruptCPU(key(6), few.images, [6, 3, 32, 32], name, severity);
        let d = 0;
        for (let i = 0; i < out.length; i++) d += Math.abs(out[i]! - few.images[i]!);
        const mean = (d / out.length) * 255;
        expect(mean, `${name}/${severity}`).toBeGreaterThan(severity === 5 ? 1.5 : 0);
      }
    }
  });
});
