// Spec §7.4 golden values on the test image T, and whole images against the real libraries
// (fixture from scripts/fixtures/corruptions.py: OpenCV 4.6, scikit-image 0.19, scipy, Pillow,
// ImageMagick 6.9 through Wand, with our Philox draws fed in).
import { describe, it, expect } from 'vitest';
import { corruptCPU } from '../../src/data/corruptions/cpu.js';
import type { CorruptionName, Severity } from '../../src/data/corruptions/types.js';
import { key } from '../../src/random/key.js';
import { batchOf, compareBytes, decodeBytes, fixture, imageT, imageU, toStoredBytes } from './corruptions-helpers.js';

type Row = [CorruptionName, Severity, number, [number, number, number], [number, number, number], [number, number, number]];

// name, severity, sum of the 3072 stored values, RGB at (y, x) = (0, 0), (15, 16), (31, 31)
const GOLDEN: Row[] = [
  ['zoom_blur', 1, 393848, [0, 40, 80], [168, 208, 248], [75, 115, 155]],
  ['zoom_blur', 3, 399780, [6, 46, 86], [168, 208, 246], [69, 109, 149]],
  ['zoom_blur', 5, 406589, [13, 53, 93], [167, 207, 245], [62, 102, 142]],
  // The spec lists 388945 / (15,16) = 172,212,233 here, from a float64 port of disk(). OpenCV
  // itself builds the kernel in float32, where it sums to 1 + 1.4e−9 instead of just under 1, so
  // linear ramps keep their value: real cv2 (fixture case defocus_blur/1/T) gives the row below.
  ['defocus_blur', 1, 391408, [0, 40, 80], [173, 213, 233], [84, 124, 164]],
  ['defocus_blur', 4, 391321, [4, 44, 84], [173, 213, 150], [80, 120, 160]],
  ['defocus_blur', 5, 391718, [7, 47, 87], [173, 213, 139], [77, 117, 157]],
  ['contrast', 1, 390144, [31, 61, 91], [161, 191, 221], [95, 125, 155]],
  ['contrast', 5, 390144, [108, 114, 120], [134, 140, 146], [121, 127, 133]],
  ['brightness', 1, 414392, [0, 46, 92], [174, 214, 255], [91, 134, 177]],
  ['brightness', 5, 489720, [0, 78, 156], [174, 214, 255], [124, 182, 241]],
  ['saturate', 1, 523096, [55, 68, 80], [229, 241, 253], [141, 153, 165]],
  ['saturate', 5, 289636, [0, 40, 80], [2, 127, 253], [0, 82, 165]],
  ['gaussian_blur', 1, 390644, [0, 40, 80], [173, 213, 233], [84, 124, 164]],
  ['gaussian_blur', 5, 390528, [4, 44, 84], [173, 212, 148], [80, 120, 160]],
];

function rgbAt(bytes: Uint8Array, y: number, x: number): number[] {
  return [0, 1, 2].map((c) => bytes[c * 1024 + y * 32 + x]!);
}

describe('spec §7.4 golden values (image T)', () => {
  it('the clean image sums to 391 680', () => {
    expect(toStoredBytes(imageT()).reduce((a, b) => a + b, 0)).toBe(391680);
  });

  for (const [name, severity, sum, p0, p1, p2] of GOLDEN) {
    it(`${name} severity ${severity}`, () => {
      const out = toStoredBytes(corruptCPU(key(0), imageT(), [1, 3, 32, 32], name, severity));
      // The spec allows ±1 per value; these deterministic corruptions reproduce the values exactly.
      expect(out.reduce((a, b) => a + b, 0)).toBe(sum);
      expect(rgbAt(out, 0, 0)).toEqual(p0);
      expect(rgbAt(out, 15, 16)).toEqual(p1);
      expect(rgbAt(out, 31, 31)).toEqual(p2);
    });
  }
});

describe('whole images against the reference libraries', () => {
  const fx = fixture();
  const batch = batchOf(imageT(), imageU());
  const names = [...new Set(fx.cases.map((c) => c.name))];

  it('covers every corruption but frost (procedural substitute, no reference) at every severity', () => {
    expect(names.length).toBe(18);
    expect(fx.cases.length).toBe(14 * 5 * 2 + 4 * 5);
  });

  for (const name of names) {
    it(`${name}: all severities match value for value`, () => {
      for (const severity of [1, 2, 3, 4, 5] as const) {
        const out = toStoredBytes(corruptCPU(key(fx.seed), batch, [2, 3, 32, 32], name, severity));
        for (const c of fx.cases.filter((k) => k.name === name && k.severity === severity)) {
          const ours = out.subarray(c.image * 3072, (c.image + 1) * 3072);
          const { differing, maxDiff } = compareBytes(ours, decodeBytes(c.bytes));
          // Normal draws go through Math.log/cos/sin, which may differ from glibc in the last bit:
          // allow a stray ±1 there; everything else must be identical.
          const normals = ['snow', 'spatter', 'gaussian_noise', 'speckle_noise'].includes(name);
          expect(maxDiff, `${name}/${severity}/image ${c.image}`).toBeLessThanOrEqual(normals ? 1 : 0);
          expect(differing, `${name}/${severity}/image ${c.image}`).toBeLessThanOrEqual(normals ? 3 : 0);
        }
      }
    });
  }
});
