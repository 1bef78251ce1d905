/// <reference types="node" />
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { imageGrid, makeGrid, toUint8 } from '../../src/io/grid.js';
import type { GridOptions, GridShape } from '../../src/io/grid.js';
import { parseNpy } from '../../src/data/npy.js';

const fixtureDir = new URL('../fixtures/io/', import.meta.url);
const npy = (name: string) => parseNpy(new Uint8Array(readFileSync(new URL(name, fixtureDir))));
const cases = JSON.parse(readFileSync(new URL('grid.json', fixtureDir), 'utf8')) as Record<
  string,
  { nrow?: number; padding?: number; pad_value?: number; normalize?: boolean; value_range?: [number, number]; scale_each?: boolean }
>;

describe('imageGrid (torchvision make_grid + save_image conversion)', () => {
  it('places B=3 single-channel images in a 2-column grid with padding 2', () => {
    // Image k has every pixel = (k + 1) / 4, so its uint8 value is toUint8((k+1)/4).
    const B = 3, H = 2, W = 3;
    const images = new Float32Array(B * H * W).map((_, i) => (Math.floor(i / (H * W)) + 1) / 4);
    const { rgba, width, height } = imageGrid(images, [B, 1, H, W], { nrow: 2, padding: 2 });
    expect([width, height]).toEqual([(W + 2) * 2 + 2, (H + 2) * 2 + 2]); // 12 × 10
    const at = (x: number, y: number) => Array.from(rgba.subarray((y * width + x) * 4, (y * width + x) * 4 + 4));
    const v = [64, 128, 191]; // trunc(0.25·255 + 0.5) = 64, trunc(128) = 128, trunc(191.75) = 191
    const owner = (x: number, y: number): number => {
      for (let k = 0; k < B; k++) {
        const top = 2 + Math.floor(k / 2) * (H + 2);
        const left = 2 + (k % 2) * (W + 2);
        if (y >= top && y < top + H && x >= left && x < left + W) return k;
      }
      return -1;
    };
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const k = owner(x, y);
        const g = k < 0 ? 0 : v[k]!;
        expect([x, y, ...at(x, y)]).toEqual([x, y, g, g, g, 255]);
      }
    }
    // Spot checks by hand: image 1 starts at (7, 2), image 2 at (2, 6); cell (7..9, 6..7) is padding.
    expect(at(7, 2)).toEqual([128, 128, 128, 255]);
    expect(at(2, 6)).toEqual([191, 191, 191, 255]);
    expect(at(6, 2)).toEqual([0, 0, 0, 255]);
    expect(at(8, 7)).toEqual([0, 0, 0, 255]);
  });

  it('returns a single image unpadded and fewer images than nrow in one row', () => {
    const one = imageGrid(new Float32Array(3 * 4 * 5).fill(1), [1, 3, 4, 5], { padding: 7 });
    expect([one.width, one.height]).toEqual([5, 4]);
    expect(one.rgba.every((b) => b === 255)).toBe(true);
    const two = makeGrid(new Float32Array(2 * 2 * 2), [2, 1, 2, 2], { nrow: 8, padding: 1, padValue: 0.5 });
    expect(two.shape).toEqual([3, 4, 7]); // 1 row × 2 columns, C replicated to 3
  });

  it('converts floats like save_image: mul(255).add(0.5).clamp(0, 255) then truncation', () => {
    expect([0, 1, 0.5, -0.1, 1.2, NaN, Infinity, -Infinity, 0.998, 0.001, 0.0019].map(toUint8)).toEqual([
      0, 255, 128, 0, 255, 0, 255, 0, 254, 0, 0,
    ]);
    expect(toUint8(0.5 / 255)).toBe(1); // exactly x.5 -> rounds up
    expect(toUint8(Math.fround(0.49 / 255))).toBe(0);
  });

  for (const [name, c] of Object.entries(cases)) {
    it(`matches the Python make_grid fixture '${name}' (${JSON.stringify(c)})`, () => {
      const input = npy(`grid-${name}.input.npy`);
      const want = npy(`grid-${name}.expected.npy`); // H × W × C uint8, as save_image hands to PIL
      const opts: GridOptions = {
        ...(c.nrow !== undefined && { nrow: c.nrow }),
        ...(c.padding !== undefined && { padding: c.padding }),
        ...(c.pad_value !== undefined && { padValue: c.pad_value }),
        ...(c.normalize !== undefined && { normalize: c.normalize }),
        ...(c.value_range !== undefined && { range: c.value_range }),
        ...(c.scale_each !== undefined && { scaleEach: c.scale_each }),
      };
      const { rgba, width, height } = imageGrid(input.data as Float32Array, input.shape as unknown as GridShape, opts);
      const [h, w, ch] = want.shape as [number, number, number];
      expect([width, height]).toEqual([w, h]);
      const got = new Uint8Array(w * h * ch);
      for (let p = 0; p < w * h; p++) for (let k = 0; k < ch; k++) got[p * ch + k] = rgba[p * 4 + k]!;
      expect(Array.from(got)).toEqual(Array.from(want.data));
      if (ch === 3) expect(rgba.filter((_, i) => i % 4 === 3).every((a) => a === 255)).toBe(true);
    });
  }

  it('does not modify its input when normalising', () => {
    const x = Float32Array.from([-1, 0, 2, 3]);
    makeGrid(x, [1, 1, 2, 2], { normalize: true });
    expect(Array.from(x)).toEqual([-1, 0, 2, 3]);
  });

  it('validates shapes and options with clear errors', () => {
    const x = new Float32Array(2 * 3 * 4 * 4);
    expect(() => imageGrid(x, [2, 3, 4, 5])).toThrow(/^imageGrid: shape \[2, 3, 4, 5\] needs 120 values, got 96/);
    expect(() => imageGrid(x, [2, 3, 4] as unknown as GridShape)).toThrow(/^imageGrid: images must have 1, 3 or 4 channels|shape must be/);
    expect(() => makeGrid(x, [2, 3, 4] as unknown as GridShape)).toThrow(/^imageGrid: shape must be \[B, C, H, W\]/);
    expect(() => imageGrid(new Float32Array(2 * 2 * 16), [2, 2, 4, 4])).toThrow(/must have 1, 3 or 4 channels/);
    expect(() => imageGrid(x, [0, 3, 4, 4])).toThrow(/dimension 0 = 0/);
    expect(() => imageGrid(x, [2, 3, 4, 4], { nrow: 0 })).toThrow(/nrow is 0/);
    expect(() => imageGrid(x, [2, 3, 4, 4], { padding: -1 })).toThrow(/padding is -1/);
    expect(() => imageGrid(x, [2, 3, 4, 4], { range: [0, 1] })).toThrow(/range is only used with normalize: true/);
    expect(() => imageGrid(x, [2, 3, 4, 4], { normalize: true, range: [1, 0] })).toThrow(/low <= high/);
    expect(() => imageGrid(x as unknown as Float32Array, [2, 3, 4, 4], { padValue: NaN })).toThrow(/padValue is NaN/);
  });
});
