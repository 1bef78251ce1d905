// Paired (clean, corrupted) samplers of the reference datasets.py (src/data/paired.ts).
import { describe, it, expect } from 'vitest';
import { CORRUPTION_NAMES, corruptCPU } from '../../src/data/corruptions/cpu.js';
import type { CorruptionName, Severity } from '../../src/data/corruptions/types.js';
import {
  DatasetAll,
  DatasetSampler,
  DatasetSamplerNoOriginal,
  DatasetSamplerWithOriginal,
  PairedDataset,
  type PairBatch,
} from '../../src/data/paired.js';
import { syntheticCPU } from '../../src/data/synthetic.js';
import { foldIn, key, type Key } from '../../src/random/key.js';

const N = 12;
const PLANE = 3 * 32 * 32;
const data = syntheticCPU(key(1), N);
// cheap corruptions keep the suite fast; the sampler logic does not depend on which they are
const CHEAP: CorruptionName[] = ['brightness', 'contrast', 'saturate', 'impulse_noise'];
const SEVERITIES: Severity[] = [2, 5];

function dataset(options: { cache?: boolean } = {}): PairedDataset {
  return new PairedDataset(data.images, [N, 3, 32, 32], data.labels, { key: key(77), corruptions: CHEAP, severities: SEVERITIES, ...options });
}

const item = (a: Float32Array, i: number) => a.subarray(i * PLANE, (i + 1) * PLANE);
const asFloats = (bytes: Uint8Array) => Float32Array.from(bytes, (b) => b / 255);

/** The joint transform applied to one image, written independently of paired.ts. */
function cropFlip(img: Float32Array, dy: number, dx: number, flip: number): Float32Array {
  const out = new Float32Array(PLANE);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const sy = y + dy - 4;
        const sx = (flip ? 31 - x : x) + dx - 4;
        out[c * 1024 + y * 32 + x] = sy >= 0 && sy < 32 && sx >= 0 && sx < 32 ? img[c * 1024 + sy * 32 + sx]! : 0;
      }
    }
  }
  return out;
}

function chi2(counts: number[]): number {
  const expected = counts.reduce((a, b) => a + b, 0) / counts.length;
  return counts.reduce((a, c) => a + (c - expected) ** 2 / expected, 0);
}

function sampleMany(draw: (batchKey: Key, indices: number[]) => PairBatch, steps: number): PairBatch[] {
  const indices = Array.from({ length: N }, (_, i) => i);
  return Array.from({ length: steps }, (_, s) => draw(foldIn(key(500), s), indices));
}

describe('PairedDataset', () => {
  it('variants are corruption-major (j = c·S + s) and x̃[n, j] = corruptCPU(variantKey(j), images)[n]', () => {
    const ds = dataset();
    expect(ds.k).toBe(8);
    expect(ds.variants.slice(0, 3)).toEqual([
      { name: 'brightness', severity: 2 },
      { name: 'brightness', severity: 5 },
      { name: 'contrast', severity: 2 },
    ]);
    for (const j of [1, 6, 7]) {
      const { name, severity } = ds.variants[j]!;
      const all = corruptCPU(ds.variantKey(j), data.images, [N, 3, 32, 32], name, severity);
      expect(ds.variantKey(j)).toEqual(foldIn(foldIn(key(77), CORRUPTION_NAMES.indexOf(name)), severity));
      for (const n of [0, 5, 11]) expect(asFloats(ds.corruptedBytes(n, j))).toEqual(item(all, n));
    }
  });
  it('lazy with cache = without cache = pregenerated (fixed per (image, variant), not per access)', () => {
    const a = dataset();
    const b = dataset({ cache: false });
    const first = a.corruptedBytes(3, 7);
    expect(a.corruptedBytes(3, 7).buffer).toBe(first.buffer); // served from the cache
    expect(b.corruptedBytes(3, 7)).toEqual(first);
    let calls = 0;
    a.pregenerate((done, total) => {
      calls++;
      expect(done).toBeLessThanOrEqual(total);
    });
    expect(calls).toBe(N);
    expect(a.corruptedBytes(3, 7)).toEqual(first);
  });
  it('defaults to the 12 training corruptions at severity 5; rejects bad arguments', () => {
    const ds = new PairedDataset(data.images, [N, 3, 32, 32], data.labels, { key: key(0) });
    expect(ds.variants.map((v) => v.name)).toEqual(CORRUPTION_NAMES.slice(0, 12));
    expect(ds.variants.every((v) => v.severity === 5)).toBe(true);
    expect(() => new PairedDataset(data.images, [N, 3, 32, 32], data.labels, { key: key(0), corruptions: ['nope' as CorruptionName] })).toThrow(
      "corrupt: unknown corruption 'nope'",
    );
    expect(() => new PairedDataset(data.images, [N, 3, 32, 32], data.labels.subarray(1), { key: key(0) })).toThrow('PairedDataset: 11 labels for 12 images');
    expect(() => new PairedDataset(data.images, [N, 1, 32, 96], data.labels, { key: key(0) })).toThrow('PairedDataset: expected images [N, 3, H, W], got [12, 1, 32, 96]');
    expect(() => dataset().corruptedBytes(N, 0)).toThrow('PairedDataset: image index 12 outside [0, 12)');
    expect(() => new DatasetSampler(dataset()).batch(key(0), [N])).toThrow('sampler: image index 12 outside [0, 12)');
  });
  it('uses a custom generator when given one (e.g. a GPU port)', () => {
    const seen: string[] = [];
    const ds = new PairedDataset(data.images, [N, 3, 32, 32], data.labels, {
      key: key(3),
      corruptions: ['fog'],
      corrupt: (k, bytes, h, w, name, severity) => {
        seen.push(`${name}/${severity}/${h}x${w}/${k.toString()}`);
        return new Uint8Array(bytes.length).fill(9);
      },
    });
    expect(ds.corruptedBytes(2, 0)[0]).toBe(9);
    expect(seen).toEqual([`fog/5/32x32/${foldIn(ds.variantKey(0), 2).toString()}`]);
  });
});

describe('DatasetSampler (clean, corrupted)', () => {
  it('x is the clean image, x̃ the stored variant, y the label; no augmentation when jointCropFlip = false', () => {
    const ds = dataset();
    const b = new DatasetSampler(ds, { jointCropFlip: false }).batch(key(4), [3, 3, 0, 11]);
    expect(b.crops).toBeNull();
    [3, 3, 0, 11].forEach((n, i) => {
      expect(item(b.x, i)).toEqual(item(data.images, n));
      expect(b.xVariant[i]).toBe(ds.k);
      expect(item(b.xt, i)).toEqual(asFloats(ds.corruptedBytes(n, b.xtVariant[i]!)));
      expect(b.y[i]).toBe(data.labels[n]);
    });
  });
  it('draws the variant uniformly and afresh on every access', () => {
    const sampler = new DatasetSampler(dataset(), { jointCropFlip: false });
    const batches = sampleMany((k, idx) => sampler.batch(k, idx), 150);
    const counts = new Array<number>(8).fill(0);
    for (const b of batches) for (const j of b.xtVariant) counts[j]!++;
    expect(chi2(counts)).toBeLessThan(24.3); // χ²(7) 0.999 quantile; 1800 draws
    const perImage = new Set(batches.map((b) => b.xtVariant[0]));
    expect(perImage.size).toBe(8); // the same image meets every variant over the steps
    expect(sampler.batch(key(9), [1, 2]).xtVariant).toEqual(sampler.batch(key(9), [1, 2]).xtVariant); // deterministic per key
  });
});

describe('DatasetSamplerNoOriginal / WithOriginal', () => {
  it('no original: two distinct corrupted variants, ordered pairs uniform over k(k − 1)', () => {
    const ds = dataset();
    const sampler = new DatasetSamplerNoOriginal(ds, { jointCropFlip: false });
    const counts = new Array<number>(64).fill(0);
    for (const b of sampleMany((k, idx) => sampler.batch(k, idx), 300)) {
      b.xVariant.forEach((a, i) => {
        const c = b.xtVariant[i]!;
        expect(a).not.toBe(c);
        expect(a < 8 && c < 8).toBe(true);
        counts[a * 8 + c]!++;
      });
    }
    const offDiagonal = counts.filter((_, i) => Math.floor(i / 8) !== i % 8);
    expect(offDiagonal.length).toBe(56);
    expect(chi2(offDiagonal)).toBeLessThan(95.6); // χ²(55) 0.999 quantile
    const b = sampler.batch(key(1), [4]);
    expect(item(b.x, 0)).toEqual(asFloats(ds.corruptedBytes(4, b.xVariant[0]!)));
    expect(item(b.xt, 0)).toEqual(asFloats(ds.corruptedBytes(4, b.xtVariant[0]!)));
  });
  it('with original: distinct among k + 1 variants, the clean image (index k) with probability 2/(k + 1)', () => {
    const ds = dataset();
    const sampler = new DatasetSamplerWithOriginal(ds, { jointCropFlip: false });
    const counts = new Array<number>(9).fill(0);
    let clean = 0;
    let items = 0;
    for (const b of sampleMany((k, idx) => sampler.batch(k, idx), 300)) {
      b.xVariant.forEach((a, i) => {
        const c = b.xtVariant[i]!;
        expect(a).not.toBe(c);
        counts[a]!++;
        counts[c]!++;
        if (a === 8 || c === 8) clean++;
        items++;
        if (a === 8) expect(item(b.x, i)).toEqual(item(data.images, i));
      });
    }
    expect(chi2(counts)).toBeLessThan(26.2); // χ²(8) 0.999 quantile
    expect(Math.abs(clean / items - 2 / 9)).toBeLessThan(0.04);
  });
});

describe('joint pad/crop/flip', () => {
  it('the same crop offset and flip for x and x̃; offsets uniform on 0..8, flip probability 1/2', () => {
    const ds = dataset();
    const sampler = new DatasetSampler(ds); // jointCropFlip defaults to true
    const offsets = new Array<number>(9).fill(0);
    let flips = 0;
    let items = 0;
    for (const b of sampleMany((k, idx) => sampler.batch(k, idx), 100)) {
      expect(b.crops).not.toBeNull();
      for (let i = 0; i < N; i++) {
        const [dy, dx, flip] = [b.crops![3 * i]!, b.crops![3 * i + 1]!, b.crops![3 * i + 2]!];
        offsets[dy]!++;
        offsets[dx]!++;
        flips += flip;
        items++;
        if (i < 3) {
          expect(item(b.x, i)).toEqual(cropFlip(item(data.images, i), dy, dx, flip));
          expect(item(b.xt, i)).toEqual(cropFlip(asFloats(ds.corruptedBytes(i, b.xtVariant[i]!)), dy, dx, flip));
        }
      }
    }
    expect(chi2(offsets)).toBeLessThan(26.2);
    expect(Math.abs(flips / items - 0.5)).toBeLessThan(0.05);
  });
  it('actually changes the images (unlike the released reference, which discards the augmentation)', () => {
    const ds = dataset();
    const b = new DatasetSampler(ds).batch(key(11), Array.from({ length: N }, (_, i) => i));
    let moved = 0;
    for (let i = 0; i < N; i++) if (b.crops![3 * i] !== 4 || b.crops![3 * i + 1] !== 4 || b.crops![3 * i + 2] !== 0) moved++;
    expect(moved).toBeGreaterThan(0);
    let differs = 0;
    for (let i = 0; i < N; i++) if (item(b.x, i).some((v, p) => v !== data.images[i * PLANE + p])) differs++;
    expect(differs).toBe(moved);
  });
});

describe('DatasetAll', () => {
  it('enumerates all N·k pairs in order n·k + j, without augmentation', () => {
    const ds = dataset();
    const all = new DatasetAll(ds);
    expect(all.length).toBe(N * 8);
    const flat = [0, 1, 7, 8, 95];
    const b = all.batch(flat);
    expect(b.crops).toBeNull();
    flat.forEach((f, i) => {
      const n = Math.floor(f / 8);
      const j = f % 8;
      expect(item(b.x, i)).toEqual(item(data.images, n));
      expect(item(b.xt, i)).toEqual(asFloats(ds.corruptedBytes(n, j)));
      expect(b.y[i]).toBe(data.labels[n]);
      expect(b.xtVariant[i]).toBe(j);
    });
    expect(() => all.batch([96])).toThrow('DatasetAll: index 96 outside [0, 96)');
  });
});
