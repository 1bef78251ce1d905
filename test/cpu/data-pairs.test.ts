// ps.data.synthetic (an ImageDataset of syntheticCPU's images) and ps.data.corruptionPairs (the
// reference's paired CIFAR-10-C samplers behind a PairSource), on host arrays (hostBatch).
import { describe, expect, it } from 'vitest';
import * as ps from 'perturbset';
import { corruptCPU } from '../../src/data/corruptions/cpu.js';
import { syntheticCPU } from '../../src/data/synthetic.js';
import type { CorruptionName, Severity } from '../../src/data/corruptions/types.js';

describe('synthetic', () => {
  it('is syntheticCPU as uint8 CHW, one label per image, [3, size, size]', () => {
    const key = ps.random.key(12);
    const data = ps.data.synthetic(key, 5, { size: 16, classes: 4 });
    const ref = syntheticCPU(key, 5, { size: 16, classes: 4 });
    expect(data.length).toBe(5);
    expect(data.imageShape).toEqual([3, 16, 16]);
    expect(data.pixels).toBeInstanceOf(Uint8Array);
    expect(Array.from(data.labels)).toEqual(Array.from(ref.labels));
    expect(Array.from(data.hostImages([0, 1, 2, 3, 4]))).toEqual(Array.from(ref.images));
    expect(data.labels.every((y) => y >= 0 && y < 4)).toBe(true);
    expect(() => ps.data.synthetic(key, -1)).toThrow(/^synthetic: n must be a non-negative integer, got -1/);
    expect(() => ps.data.synthetic('k' as never, 1)).toThrow(/^synthetic: expected a random key/);
  });
});

describe('corruptionPairs', () => {
  const data = ps.data.synthetic(ps.random.key(1), 6);
  const corruptions: CorruptionName[] = ['brightness', 'contrast', 'pixelate', 'gaussian_noise'];
  const severities: Severity[] = [2, 5];
  const K = corruptions.length * severities.length;

  it("'original': x clean, x̃ = image n of corrupt(variantKey(j), all images) for a uniform variant j", () => {
    const pairs = ps.data.corruptionPairs(data, { key: ps.random.key(2), corruptions, severities, jointCropFlip: false });
    expect(pairs.length).toBe(6);
    expect(pairs.imageShape).toEqual([3, 32, 32]);
    expect(pairs.paired.k).toBe(K);
    const all = data.hostImages([0, 1, 2, 3, 4, 5]);
    const b = pairs.hostBatch([4, 1, 4], ps.random.key(3));
    for (let i = 0; i < 3; i++) {
      const n = [4, 1, 4][i]!;
      const j = b.xtVariant[i]!;
      const { name, severity } = pairs.paired.variants[j]!;
      const expected = corruptCPU(pairs.paired.variantKey(j), all, [6, 3, 32, 32], name, severity).subarray(n * 3072, (n + 1) * 3072);
      expect(Array.from(b.xt.subarray(i * 3072, (i + 1) * 3072))).toEqual(Array.from(expected));
      expect(Array.from(b.x.subarray(i * 3072, (i + 1) * 3072))).toEqual(Array.from(all.subarray(n * 3072, (n + 1) * 3072)));
      expect(b.xVariant[i]).toBe(K);
    }
    expect(Array.from(b.y)).toEqual([data.labels[4], data.labels[1], data.labels[4]]);
  });

  it('draws the variants uniformly (chi-square over 8 variants, 4000 draws)', () => {
    const pairs = ps.data.corruptionPairs(data, { key: ps.random.key(2), corruptions, severities, jointCropFlip: false });
    const counts = new Array<number>(K).fill(0);
    const draws = 4000;
    for (let step = 0; step < draws / 100; step++) {
      // host arrays only: the images are corrupted on first use and cached
      const b = pairs.hostBatch(Int32Array.from({ length: 100 }, (_, i) => i % 6), ps.random.foldIn(ps.random.key(7), step));
      for (const j of b.xtVariant) counts[j]!++;
    }
    const expected = draws / K;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(24.3); // 7 degrees of freedom, p = 0.001
  });

  it("'withOriginal' / 'noOriginal': two distinct variants (the clean image = variant K only with withOriginal)", () => {
    for (const variant of ['withOriginal', 'noOriginal'] as const) {
      const pairs = ps.data.corruptionPairs(data, { key: ps.random.key(2), corruptions, severities, variant, jointCropFlip: false });
      const b = pairs.hostBatch(Int32Array.from({ length: 200 }, (_, i) => i % 6), ps.random.key(8));
      let clean = 0;
      for (let i = 0; i < 200; i++) {
        expect(b.xVariant[i]).not.toBe(b.xtVariant[i]);
        if (b.xVariant[i] === K || b.xtVariant[i] === K) clean++;
      }
      if (variant === 'noOriginal') expect(clean).toBe(0);
      else expect(clean).toBeGreaterThan(200 * (2 / (K + 1)) * 0.5); // expected share 2/(K + 1)
    }
  });

  it('jointCropFlip applies the same pad/crop/flip to x and x̃ (default on); the key drives it', () => {
    const pairs = ps.data.corruptionPairs(data, { key: ps.random.key(2), corruptions: ['brightness'], severities: [5] });
    const b = pairs.hostBatch([0, 1, 2, 3], ps.random.key(4));
    expect(b.crops).not.toBeNull();
    const again = pairs.hostBatch([0, 1, 2, 3], ps.random.key(4));
    expect(Array.from(again.xt)).toEqual(Array.from(b.xt));
    // where the crop reaches into the zero padding, both images are 0 at the same places
    for (let i = 0; i < b.x.length; i++) if (b.x[i] === 0 && b.xt[i] !== 0) expect(b.xt[i]).toBeGreaterThan(0.29); // brightness lifts 0 to 0.3
  });

  it('bad options: errors that name them', () => {
    expect(() => ps.data.corruptionPairs(data, { key: ps.random.key(1), corruptions: ['rain' as never] })).toThrow(/^corrupt: unknown corruption 'rain'/);
    expect(() => ps.data.corruptionPairs(data, { key: ps.random.key(1), severities: [7 as never] })).toThrow(/^corrupt: severity must be an integer 1\.\.5, got 7/);
    expect(() => ps.data.corruptionPairs(data, { key: ps.random.key(1), corruptions: ['fog'], variant: 'noOriginal' })).toThrow(
      /^corruptionPairs: variant 'noOriginal' draws two distinct images and needs more than one corruption × severity/,
    );
    expect(() => ps.data.corruptionPairs(data, {} as never)).toThrow(/^corruptionPairs: expected a random key/);
    const grey = new ps.data.ImageDataset(new Uint8Array(16), Int32Array.of(0), [1, 4, 4]);
    expect(() => ps.data.corruptionPairs(grey, { key: ps.random.key(1) })).toThrow(/^corruptionPairs: images must have 3 channels, got \[1, 4, 4\]/);
    const pairs = ps.data.corruptionPairs(data, { key: ps.random.key(1), cache: false });
    return expect(pairs.pregenerate()).rejects.toThrow(/^corruptionPairs\.pregenerate: needs cache: true/);
  });
});
