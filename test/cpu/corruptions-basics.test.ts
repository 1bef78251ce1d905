// Every corruption at every severity: shape, range, quantisation, determinism per key, batch
// independence, other image sizes; and the argument errors of `corrupt`.
import { describe, it, expect } from 'vitest';
import { CORRUPTIONS, CORRUPTION_NAMES, corruptCPU, corruptImageCPU, corruptionsInGroup, toBytes } from '../../src/data/corruptions/cpu.js';
import type { CorruptionName, Severity } from '../../src/data/corruptions/types.js';
import { syntheticCPU } from '../../src/data/synthetic.js';
import { foldIn, key } from '../../src/random/key.js';
import { batchOf, imageT, imageU } from './corruptions-helpers.js';

const SEVERITIES = [1, 2, 3, 4, 5] as const;
/** Corruptions whose result does not depend on the key (no random draws). */
const DETERMINISTIC: CorruptionName[] = [
  'defocus_blur', 'zoom_blur', 'brightness', 'contrast', 'pixelate', 'jpeg_compression', 'gaussian_blur', 'saturate',
];

const synthetic = syntheticCPU(key(123), 3);
const batch = batchOf(synthetic.images, imageT());
const SHAPE = [4, 3, 32, 32] as const;

function expectStoredBytes(out: Float32Array): void {
  for (let i = 0; i < out.length; i++) {
    const v = out[i]!;
    if (!(v >= 0 && v <= 1) || Math.fround(Math.round(v * 255) / 255) !== v) {
      throw new Error(`value ${v} at ${i} is not k/255 in [0, 1]`);
    }
  }
}

describe('CORRUPTIONS list', () => {
  it('19 names in a fixed order: 12 train (config order), 3 ood, 4 noise', () => {
    expect(CORRUPTIONS.length).toBe(19);
    expect(new Set(CORRUPTION_NAMES).size).toBe(19);
    expect(corruptionsInGroup('train')).toEqual([
      'defocus_blur', 'glass_blur', 'motion_blur', 'zoom_blur', 'snow', 'frost', 'fog', 'brightness', 'contrast',
      'elastic_transform', 'pixelate', 'jpeg_compression',
    ]);
    expect(corruptionsInGroup('ood')).toEqual(['gaussian_blur', 'spatter', 'saturate']);
    expect(corruptionsInGroup('noise')).toEqual(['gaussian_noise', 'shot_noise', 'impulse_noise', 'speckle_noise']);
  });
});

describe.each(CORRUPTION_NAMES)('%s', (name) => {
  it('every severity: shape, range [0, 1], values k/255, changes the images, deterministic per key', () => {
    for (const severity of SEVERITIES) {
      const out = corruptCPU(key(7), batch, SHAPE, name, severity);
      expect(out).toBeInstanceOf(Float32Array);
      expect(out.length).toBe(batch.length);
      expectStoredBytes(out);
      expect(out, `${name}/${severity} must change something`).not.toEqual(batch);
      expect(corruptCPU(key(7), batch, SHAPE, name, severity)).toEqual(out);
      const other = corruptCPU(key(8), batch, SHAPE, name, severity);
      if (DETERMINISTIC.includes(name)) expect(other).toEqual(out);
      else expect(other, `${name}/${severity} must depend on the key`).not.toEqual(out);
    }
  });

  it('image i depends only on foldIn(key, i), not on the rest of the batch', () => {
    const severity = 5;
    const out = corruptCPU(key(9), batch, SHAPE, name, severity);
    const size = 3 * 32 * 32;
    for (const i of [0, 3]) {
      const alone = corruptImageCPU(foldIn(key(9), i), toBytes(batch, i * size, size), 32, 32, name, severity);
      expect(Float32Array.from(alone, (b) => b / 255)).toEqual(out.subarray(i * size, (i + 1) * size));
    }
  });

  it('works on a non-square 24×40 image and on 8×8', () => {
    for (const [h, w] of [[24, 40], [8, 8]] as const) {
      const img = imageU(h, w);
      const out = corruptCPU(key(1), img, [1, 3, h, w], name, 5);
      expect(out.length).toBe(3 * h * w);
      expectStoredBytes(out);
    }
  });
});

describe('bad input names the culprit', () => {
  const img = imageT();
  const ok = [1, 3, 32, 32] as const;
  it('unknown corruption', () => {
    expect(() => corruptCPU(key(0), img, ok, 'foo' as CorruptionName, 1)).toThrow(
      /^corrupt: unknown corruption 'foo' \(known: defocus_blur, glass_blur, .*speckle_noise\)$/,
    );
  });
  it('severity outside 1..5 or not an integer', () => {
    for (const s of [0, 6, 7, 2.5, Number.NaN]) {
      expect(() => corruptCPU(key(0), img, ok, 'contrast', s as Severity)).toThrow(`corrupt: severity must be an integer 1..5, got ${s}`);
    }
    expect(() => corruptCPU(key(0), img, ok, 'contrast', '3' as unknown as Severity)).toThrow("got '3'");
  });
  it('wrong shape', () => {
    const bad: unknown[] = [[1, 1, 32, 32], [3, 32, 32], [1, 3, 32, -1], [1, 3, 0, 32], [1, 3, 32.5, 32], 'x'];
    for (const shape of bad) {
      expect(() => corruptCPU(key(0), img, shape as [number, number, number, number], 'contrast', 1)).toThrow(/^corrupt: expected images \[B, 3, H, W\], got /);
    }
    expect(() => corruptCPU(key(0), img, [1, 3, 32, 32] as const, 'contrast', 1)).not.toThrow();
    expect(() => corruptCPU(key(0), img, [2, 3, 32, 32], 'contrast', 1)).toThrow('corrupt: images has 3072 values but shape [2, 3, 32, 32] needs 6144');
  });
  it('values outside [0, 1], NaN', () => {
    const bad = Float32Array.from(img);
    bad[123] = 1.7;
    expect(() => corruptCPU(key(0), bad, ok, 'contrast', 1)).toThrow('corrupt: values must lie in [0, 1]; found 1.7000000476837158 at index 123');
    bad[123] = Number.NaN;
    expect(() => corruptCPU(key(0), bad, ok, 'contrast', 1)).toThrow('corrupt: values must lie in [0, 1]; found NaN at index 123');
    bad[123] = -0.25;
    expect(() => corruptCPU(key(0), bad, ok, 'contrast', 1)).toThrow('found -0.25 at index 123');
  });
  it('sizes an algorithm cannot handle', () => {
    expect(() => corruptCPU(key(0), new Float32Array(3 * 64 * 64), [1, 3, 64, 64], 'frost', 1)).toThrow(
      'corrupt: frost crops from texture sheets and supports images up to 62×104, got 64×64',
    );
    expect(() => corruptCPU(key(0), new Float32Array(12), [1, 3, 2, 2], 'jpeg_compression', 1)).toThrow(
      'corrupt: jpeg_compression needs H, W ≥ 3, got 2×2',
    );
  });
  it('an empty batch is fine', () => {
    expect(corruptCPU(key(0), new Float32Array(0), [0, 3, 32, 32], 'snow', 3).length).toBe(0);
  });
});

describe('statistics', () => {
  const grey = new Float32Array(3 * 32 * 32 * 8).fill(128 / 255);
  const shape = [8, 3, 32, 32] as const;
  const residual = (name: CorruptionName, severity: Severity): { mean: number; sd: number; changed: number } => {
    const out = corruptCPU(key(31), grey, shape, name, severity);
    let s = 0;
    let s2 = 0;
    let changed = 0;
    for (let i = 0; i < out.length; i++) {
      const d = (out[i]! - grey[i]!) * 255;
      s += d;
      s2 += d * d;
      if (d !== 0) changed++;
    }
    const mean = s / out.length;
    return { mean, sd: Math.sqrt(s2 / out.length - mean * mean), changed: changed / out.length };
  };
  it('gaussian_noise: residual sd ≈ 255σ, mean ≈ −0.5 (floor storage)', () => {
    SEVERITIES.forEach((s, i) => {
      const { mean, sd } = residual('gaussian_noise', s);
      const sigma = [0.04, 0.06, 0.08, 0.09, 0.1][i]! * 255;
      expect(sd / Math.sqrt(sigma * sigma + 1 / 12)).toBeGreaterThan(0.97);
      expect(sd / Math.sqrt(sigma * sigma + 1 / 12)).toBeLessThan(1.03);
      expect(Math.abs(mean + 0.5)).toBeLessThan(0.2);
    });
  });
  it('speckle_noise: residual sd ≈ 255·σ·v', () => {
    const { sd } = residual('speckle_noise', 5);
    expect(sd / (0.2 * 128)).toBeGreaterThan(0.97);
    expect(sd / (0.2 * 128)).toBeLessThan(1.03);
  });
  it('shot_noise: Poisson(v·c)/c keeps the mean, sd ≈ 255·sqrt(v/c)', () => {
    const { mean, sd } = residual('shot_noise', 5);
    expect(Math.abs(mean + 0.5)).toBeLessThan(0.3);
    const want = 255 * Math.sqrt(128 / 255 / 50);
    expect(sd / want).toBeGreaterThan(0.95);
    expect(sd / want).toBeLessThan(1.05);
  });
  it('impulse_noise: a fraction p of the values becomes 0 or 255, half each', () => {
    const out = corruptCPU(key(32), grey, shape, 'impulse_noise', 5);
    const salt = out.filter((v) => v === 1).length / out.length;
    const pepper = out.filter((v) => v === 0).length / out.length;
    expect(Math.abs(salt - 0.035)).toBeLessThan(0.004);
    expect(Math.abs(pepper - 0.035)).toBeLessThan(0.004);
  });
  it('contrast keeps each channel mean (up to the floor); brightness never darkens', () => {
    const out = corruptCPU(key(0), batch, SHAPE, 'contrast', 5);
    for (let c = 0; c < 3; c++) {
      let a = 0;
      let b = 0;
      for (let p = 0; p < 1024; p++) {
        a += batch[3 * 1024 + c * 1024 + p]!;
        b += out[3 * 1024 + c * 1024 + p]!;
      }
      expect(Math.abs((a - b) / 1024) * 255).toBeLessThan(1);
    }
    const bright = corruptCPU(key(0), batch, SHAPE, 'brightness', 3);
    for (let i = 0; i < bright.length; i++) expect(bright[i]! * 255).toBeGreaterThanOrEqual(Math.round(batch[i]! * 255) - 1);
  });
});
