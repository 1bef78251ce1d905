import { describe, it, expect } from 'vitest';
import { CIFAR10_RECORD_BYTES, parseCifar10Batch } from '../../src/data/cifar10-binary.js';

/** N records: label, then R, G, B planes whose bytes encode (record, channel, pixel). */
function batch(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * CIFAR10_RECORD_BYTES);
  labels.forEach((l, n) => {
    const at = n * CIFAR10_RECORD_BYTES;
    out[at] = l;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) out[at + 1 + c * 1024 + p] = (n * 50 + c * 80 + p) & 0xff;
  });
  return out;
}

describe('parseCifar10Batch', () => {
  it('splits records into labels and N×3×32×32 CHW pixels', () => {
    const { images, labels } = parseCifar10Batch(batch([6, 9, 9, 4]));
    expect(Array.from(labels)).toEqual([6, 9, 9, 4]);
    expect(images.length).toBe(4 * 3 * 32 * 32);
    for (const [n, c, y, x] of [[0, 0, 0, 0], [1, 2, 31, 31], [3, 1, 5, 7], [2, 0, 16, 3]] as const) {
      const p = y * 32 + x;
      expect(images[((n * 3 + c) * 32 + y) * 32 + x]).toBe((n * 50 + c * 80 + p) & 0xff);
    }
  });

  it('rejects a length that is not a multiple of 3073 and labels above 9, naming the record', () => {
    expect(() => parseCifar10Batch(batch([1, 2]).subarray(0, 5000))).toThrow(
      /^parseCifar10Batch: 5000 bytes is not a positive multiple of the 3073-byte record \(1 whole records and 1927 bytes over\)/,
    );
    expect(() => parseCifar10Batch(new Uint8Array(0))).toThrow(/0 bytes is not a positive multiple/);
    expect(() => parseCifar10Batch(batch([1, 2, 10, 3]))).toThrow(/^parseCifar10Batch: record 2 \(byte offset 6146\) has label 10, expected 0..9/);
  });
});
