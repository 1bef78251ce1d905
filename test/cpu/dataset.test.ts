// The CPU side of the data sets (src/data/dataset.ts): ImageDataset validation, [0, 1] scaling and
// subsets; Philox-driven permutations (deterministic per key, every order reachable, uniform
// positions); batchIndices (shuffled or in order, short last batch or dropLast); randomSplit.
import { describe, expect, it } from 'vitest';
import { ImageDataset, batchIndices, permutation, randomSplit } from '../../src/data/dataset.js';
import { foldIn, key } from '../../src/random/key.js';

describe('ImageDataset', () => {
  it('scales uint8 pixels by 1/255, keeps float32 pixels, and subsets by copy', () => {
    const pixels = Uint8Array.from({ length: 3 * 4 }, (_, i) => i * 20);
    const ds = new ImageDataset(pixels, Int32Array.from([7, 8, 9]), [1, 2, 2]);
    expect(ds.length).toBe(3);
    expect(Array.from(ds.hostImages([2, 0]))).toEqual([160, 180, 200, 220, 0, 20, 40, 60].map((v) => Math.fround(v * (1 / 255))));
    const f = new ImageDataset(Float32Array.from([0.5, -1, 2, 3]), Int32Array.from([1]), [1, 2, 2]);
    expect(Array.from(f.hostImages([0]))).toEqual([0.5, -1, 2, 3]);
    const sub = ds.subset([2, 1]);
    expect(Array.from(sub.labels)).toEqual([9, 8]);
    expect(Array.from(sub.pixels)).toEqual([160, 180, 200, 220, 80, 100, 120, 140]);
    expect(sub.pixels).toBeInstanceOf(Uint8Array);
    sub.pixels[0] = 1;
    expect(ds.pixels[8]).toBe(160);
  });

  it('rejects partial images, mismatched labels and out-of-range indices', () => {
    expect(() => new ImageDataset(new Uint8Array(10), new Int32Array(2), [1, 2, 2])).toThrow(/ImageDataset: 10 pixels is not a whole number of 1x2x2 images/);
    expect(() => new ImageDataset(new Uint8Array(8), new Int32Array(3), [1, 2, 2])).toThrow(/ImageDataset: 3 labels for 2 images/);
    const ds = new ImageDataset(new Uint8Array(8), new Int32Array(2), [1, 2, 2]);
    expect(() => ds.hostImages([0, 2])).toThrow(/index 2 is out of range \[0, 2\)/);
    expect(() => ds.hostImages([-1])).toThrow(/index -1 is out of range/);
    expect(() => ds.hostImages([0.5])).toThrow(/index 0.5 is out of range/);
  });
});

describe('permutation / batchIndices / randomSplit', () => {
  it('permutation: a permutation of 0..n-1, the same for the same key, different for another', () => {
    for (const n of [0, 1, 2, 17, 1000]) {
      const p = permutation(key(3), n);
      expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    }
    expect(Array.from(permutation(key(3), 50))).toEqual(Array.from(permutation(key(3), 50)));
    expect(Array.from(permutation(key(4), 50))).not.toEqual(Array.from(permutation(key(3), 50)));
  });

  it('permutation: all 6 orders of 3 elements equally often, and uniform positions for n = 10', () => {
    const counts = new Map<string, number>();
    const K = 6000;
    const position = Array.from({ length: 10 }, () => new Array(10).fill(0));
    for (let s = 0; s < K; s++) {
      const p = Array.from(permutation(foldIn(key(11), s), 3)).join('');
      counts.set(p, (counts.get(p) ?? 0) + 1);
      const q = permutation(foldIn(key(12), s), 10);
      q.forEach((v, i) => position[v]![i]++);
    }
    expect(counts.size).toBe(6);
    // χ² with 5 degrees of freedom: 20.5 is its 0.999 quantile.
    const chi3 = [...counts.values()].reduce((a, c) => a + (c - K / 6) ** 2 / (K / 6), 0);
    expect(chi3).toBeLessThan(20.5);
    // Each element at each position: expected K/10; 81 degrees of freedom, 0.999 quantile ≈ 124.8.
    const chi10 = position.flat().reduce((a, c) => a + (c - K / 10) ** 2 / (K / 10), 0);
    expect(chi10).toBeLessThan(124.8);
  });

  it('batchIndices: in order or shuffled, a short last batch unless dropLast', () => {
    const ordered = batchIndices(10, 4);
    expect(ordered.map((b) => Array.from(b))).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(batchIndices(10, 4, { dropLast: true }).map((b) => b.length)).toEqual([4, 4]);
    const shuffled = batchIndices(10, 4, { key: key(1) });
    expect(shuffled.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(shuffled.flatMap((b) => Array.from(b)).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(shuffled.flatMap((b) => Array.from(b))).toEqual(Array.from(permutation(key(1), 10)));
    expect(batchIndices(0, 3)).toEqual([]);
    expect(() => batchIndices(10, 0)).toThrow(/batchSize must be a positive integer, got 0/);
  });

  it('randomSplit: disjoint parts of the given sizes covering the data set, reproducible per key', () => {
    const ds = new ImageDataset(Uint8Array.from({ length: 10 }, (_, i) => i), Int32Array.from({ length: 10 }, (_, i) => i), [1, 1, 1]);
    const [a, b] = randomSplit(ds, [7, 3], key(5));
    expect([a!.length, b!.length]).toEqual([7, 3]);
    const all = [...a!.labels, ...b!.labels].sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: 10 }, (_, i) => i));
    // Pixels travel with their labels.
    expect(Array.from(a!.pixels)).toEqual(Array.from(a!.labels));
    const [a2] = randomSplit(ds, [7, 3], key(5));
    expect(Array.from(a2!.labels)).toEqual(Array.from(a!.labels));
    expect(() => randomSplit(ds, [7, 4], key(5))).toThrow(/randomSplit: sizes \[7,4\] sum to 11, the data set has 10/);
  });
});
